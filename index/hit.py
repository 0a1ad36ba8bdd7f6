"""What a search returns: a Hit per retrieved clause, and the Filters a search may apply."""
from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass
class Filters:
    """Restrict a search; empty fields mean 'no restriction'."""

    levels: tuple[str, ...] = ()  # e.g. ("地方性法规", "法律")
    regions: tuple[str, ...] = ()  # e.g. ("上海",)
    issuers: tuple[str, ...] = ()  # substring match on the issuer
    date_from: str | None = None  # ISO date, inclusive, on the document's version date
    date_to: str | None = None
    include_superseded: bool = False  # default: current versions only
    validity: tuple[str, ...] = ()  # e.g. ("现行有效",); when given it replaces the current-versions-only rule


@dataclass
class Hit:
    """One retrieved clause with everything needed to cite it and show where it stands."""

    clause_id: str
    doc_id: str
    doc_title: str
    citation: str  # 《标题》第X条(第Y款)
    locator: tuple[str, ...]
    text: str  # the retrieved unit's text (sentence, paragraph or article)
    article_id: str | None  # the citation unit it belongs to
    article_text: str  # the whole article / work-plan paragraph around the unit
    level: str
    region: str
    issuer: str
    date: str | None  # the document's version date
    status: str  # current | superseded
    score: float  # fused score (higher is better)
    ranks: dict[str, int] = field(default_factory=dict)  # per retriever: {"bm25": 1, "dense": 4}
    scores: dict[str, float] = field(default_factory=dict)  # per retriever raw scores
    matched_terms: tuple[str, ...] = ()  # query terms found in the text, for highlighting
    validity: str = ""  # 现行有效 / 已被修订 / 尚未生效 / 已废止 on the knowledge base's today
    effective_date: str | None = None  # the document's 施行日期

    def to_dict(self) -> dict:
        """The fields as a JSON-shaped dict (shallow: its values are strings, numbers, tuples and flat dicts, which
        dataclasses.asdict would deep-copy at ten times the cost)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["ranks"], out["scores"] = dict(self.ranks), dict(self.scores)
        return out
