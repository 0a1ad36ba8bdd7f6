"""The record shapes every stage passes around: a Document and its Clauses.

A Clause is either a *container* (an article 条, a work-plan paragraph 一是…, a chapter heading) or a *leaf*.
Leaves partition the document body: sorted by `start` they do not overlap, `body[start:end] == text`, and
everything between them is white space — so nothing of the text is ever lost.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Authority order used for sorting "which document mandates…" answers (lower = higher authority).
NATIONAL = "全国"  # the region of national law (every other region is a province-level name)
LEVELS: tuple[str, ...] = (
    "宪法",
    "法律",
    "行政法规",
    "司法解释",
    "地方性法规",
    "部门规章",
    "地方政府规章",
    "规范性文件",
    "工作要点",
    "其他",
)


@dataclass
class Clause:
    """One addressable piece of a document, with a citation a reply can quote."""

    id: str  # "<doc_id>#第五章.第四十九条.第一款" — readable and stable
    doc_id: str
    locator: tuple[str, ...]  # ("第五章 网络保护", "第四十九条", "第一款") / ("三、", "三是", "2")
    citation: str  # "《上海市未成年人保护条例》第四十九条第一款"
    text: str  # exactly body[start:end]
    start: int
    end: int
    kind: str  # heading | preamble | article | paragraph | item | sentence | signature | text
    leaf: bool  # leaves partition the body; containers span their children
    parent_id: str | None = None  # the enclosing clause (None at top level)
    article_id: str | None = None  # the citation unit (条 / work-plan paragraph) this clause belongs to
    headings: tuple[str, ...] = ()  # enclosing 编/章/节 (or 一、) headings, for display and context
    refs: tuple[str, ...] = ()  # titles cited in the text as 《…》, for resolution to corpus documents

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Clause":
        d = dict(d)
        for key in ("locator", "headings", "refs"):
            d[key] = tuple(d.get(key) or ())
        return cls(**d)


@dataclass
class Document:
    """One version of one policy document, with its metadata and clause tree."""

    id: str  # stable: title plus version date (or content-hash prefix when undated)
    title: str
    body: str  # the text the clause offsets point into (furniture and info blocks removed)
    source_path: str
    content_hash: str  # sha256 of body
    level: str = "其他"  # one of LEVELS
    region: str = "全国"  # 全国 / 上海 / 北京 …
    issuer: str = ""  # 发布机构 / 制定机关
    doc_number: str = ""  # 文号, e.g. 沪未保委〔2024〕1 号
    published: str | None = None  # ISO dates (YYYY-MM-DD)
    adopted: str | None = None
    amended: tuple[str, ...] = ()
    effective: str | None = None
    version_date: str | None = None  # the date that orders versions of one title
    status: str = "current"  # current | superseded
    superseded_by: str | None = None  # id of the newer version
    repeals: tuple[str, ...] = ()  # titles its final provisions repeal (《…》同时废止)
    repealed_by: str | None = None  # id of the corpus document that repeals this one
    validity: str = ""  # 现行有效 / 已被修订 / 尚未生效 / 已废止 on `validity_date` (ingest/validity.py)
    validity_date: str | None = None  # the day `validity` was worked out for (readers recompute for their today)
    issuing_notice: str = ""  # covering notice that issued the document, e.g. 关于印发《…》的通知
    info: dict[str, str] = field(default_factory=dict)  # raw info-block fields (索取号, 公开类别…)
    notes: tuple[str, ...] = ()  # what ingest wants the user to know (e.g. no structure recognised)
    clauses: list[Clause] = field(default_factory=list)

    def leaves(self) -> list[Clause]:
        """The leaf clauses in body order."""
        return sorted((c for c in self.clauses if c.leaf), key=lambda c: c.start)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Document":
        d = dict(d)
        d["amended"] = tuple(d.get("amended") or ())
        d["notes"] = tuple(d.get("notes") or ())
        d["repeals"] = tuple(d.get("repeals") or ())
        d["clauses"] = [Clause.from_dict(c) for c in d.get("clauses") or ()]
        return cls(**d)


@dataclass(frozen=True)
class Problem:
    """A file ingest could not take (or took with reservations), and why."""

    path: str
    reason: str
    fatal: bool = True  # False: ingested anyway (e.g. as plain paragraphs)
