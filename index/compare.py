"""条文对照: two versions of one document compared article by article (difflib).

Articles are aligned by content, not by number, so an article renumbered by an insertion still pairs with its old
self: difflib's SequenceMatcher aligns the texts (without their 第X条 labels) that are identical, and inside each
stretch that differs, articles pair in order when their characters are at least PAIR_RATIO alike. Each row is
`same` (text unchanged, perhaps renumbered), `changed` (with the changed characters marked), `added` or `removed`.
For texts without 条 articles the citation units (work-plan paragraphs) are compared the same way.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field

from ingest.model import Clause, Document
from ingest.segment import ARTICLE_RE

PAIR_RATIO = 0.5
STATUSES = ("same", "changed", "added", "removed")


@dataclass
class Segment:
    """A run of the changed article's text: equal, inserted (only in the newer) or deleted (only in the older)."""

    op: str  # equal | insert | delete
    text: str


@dataclass
class ArticleRow:
    """One article of the comparison: in the older version (`old_*`), the newer (`new_*`) or both."""

    status: str  # same | changed | added | removed
    old_id: str | None = None
    old_label: str = ""
    old_text: str = ""
    new_id: str | None = None
    new_label: str = ""
    new_text: str = ""
    renumbered: bool = False
    segments: list[Segment] = field(default_factory=list)  # changed rows: the text after the label, marked

    def to_dict(self) -> dict:
        return asdict(self)


def units(doc: Document) -> list[Clause]:
    """The citation units of a document in body order: its 条 articles, else its numbered paragraphs."""
    arts = [c for c in doc.clauses if c.kind == "article"]
    if not arts:
        arts = [c for c in doc.clauses if c.article_id == c.id and c.kind != "preamble"]
    return sorted(arts, key=lambda c: c.start)


def _label(c: Clause) -> str:
    return c.locator[-1] if c.locator else c.citation


def _unlabelled(c: Clause) -> str:
    """The article's text after its 第X条 label (a renumbering is not a change of wording)."""
    text = c.text
    if c.kind == "article" and (m := ARTICLE_RE.match(text)):
        text = text[m.end():]
    return text.lstrip(" \u3000")


def _content(c: Clause) -> str:
    """The unlabelled text without white space: what the comparison weighs."""
    return re.sub(r"\s+", "", _unlabelled(c))


def mark(old: str, new: str) -> list[Segment]:
    """Character-level differences of two texts as equal / delete / insert runs (difflib)."""
    out: list[Segment] = []
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, a0, a1, b0, b1 in sm.get_opcodes():
        if op == "equal":
            out.append(Segment("equal", old[a0:a1]))
            continue
        if op in ("delete", "replace"):
            out.append(Segment("delete", old[a0:a1]))
        if op in ("insert", "replace"):
            out.append(Segment("insert", new[b0:b1]))
    return out


def _row(old: Clause | None, new: Clause | None) -> ArticleRow:
    row = ArticleRow(status="added" if old is None else "removed" if new is None else "same")
    if old is not None:
        row.old_id, row.old_label, row.old_text = old.id, _label(old), old.text
    if new is not None:
        row.new_id, row.new_label, row.new_text = new.id, _label(new), new.text
    if old is not None and new is not None:
        row.renumbered = row.old_label != row.new_label
        if _content(old) != _content(new):
            row.status = "changed"
            row.segments = mark(_unlabelled(old), _unlabelled(new))
    return row


def _pair_block(old: list[Clause], new: list[Clause]) -> list[ArticleRow]:
    """Rows for a stretch where the versions differ: articles pair in order when alike enough."""
    rows: list[ArticleRow] = []
    j = 0
    for o in old:
        oc = _content(o)
        best, best_k = PAIR_RATIO, None
        for k in range(j, len(new)):
            sm = difflib.SequenceMatcher(None, oc, _content(new[k]), autojunk=False)
            if sm.real_quick_ratio() < best or sm.quick_ratio() < best:
                continue
            r = sm.ratio()
            if r >= best:
                best, best_k = r, k
        if best_k is None:
            rows.append(_row(o, None))
            continue
        rows.extend(_row(None, n) for n in new[j:best_k])
        rows.append(_row(o, new[best_k]))
        j = best_k + 1
    rows.extend(_row(None, n) for n in new[j:])
    return rows


def compare_versions(old: Document, new: Document) -> list[ArticleRow]:
    """Article-by-article comparison of two versions (older first is the usual reading, either order works)."""
    a, b = units(old), units(new)
    sm = difflib.SequenceMatcher(None, [_content(c) for c in a], [_content(c) for c in b], autojunk=False)
    rows: list[ArticleRow] = []
    for op, a0, a1, b0, b1 in sm.get_opcodes():
        if op == "equal":
            rows.extend(_row(o, n) for o, n in zip(a[a0:a1], b[b0:b1]))
        else:
            rows.extend(_pair_block(a[a0:a1], b[b0:b1]))
    return rows


def summary(rows: list[ArticleRow]) -> dict[str, int]:
    """How many rows of each status."""
    return {s: sum(1 for r in rows if r.status == s) for s in STATUSES}
