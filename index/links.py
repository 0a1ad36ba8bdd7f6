"""Article-level links: 《…》第X条(第Y款)(第Z项) and 本法第X条 references in clause text, resolved to clause ids.

Resolved once at index build over the whole corpus and stored (store.clause_links), so a reader can list per
article what it cites and what cites it. A reference resolves only when the cited document is in the corpus
(the version in force when the citing version was made — article numbers change between versions —
else the newest) and the cited article exists there; the most specific existing part is linked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from index.titles import norm_title
from ingest.model import Clause, Document
from ingest.numerals import NUMERAL_CHARS, cn_to_int, int_to_cn

N = NUMERAL_CHARS
_PART = rf"第[{N}]+条(?:之[{N}]+)?(?:第[{N}]+款)?(?:第[{N}]+项)?"
_PARTS = rf"{_PART}(?:(?:、|和|及|以及|或者|或)(?:{_PART}))*"
TITLED_REF_RE = re.compile(rf"《([^《》\n]{{2,80}})》({_PARTS})")
SELF_REF_RE = re.compile(rf"本(?:法|条例|规定|办法|细则|解释|决定|规则)({_PARTS})")
PART_RE = re.compile(rf"第([{N}]+)条(?:之([{N}]+))?(?:第([{N}]+)款)?(?:第([{N}]+)项)?")


@dataclass(frozen=True)
class Link:
    """One resolved reference: the citing leaf clause (and its article) -> the cited clause (and its article)."""

    src: str
    src_article: str | None
    src_citation: str
    dst: str
    dst_article: str | None
    dst_citation: str


def _num(text: str | None) -> int:
    try:
        return cn_to_int(text) if text else 0
    except ValueError:
        return -1


def _target_ids(doc_id: str, m: re.Match) -> list[str]:
    """Candidate clause ids for one 第X条第Y款第Z项, most specific first."""
    art, sub, kuan, item = (_num(g) for g in m.groups())
    if art <= 0 or min(sub, kuan, item) < 0:
        return []
    base = f"{doc_id}#第{int_to_cn(art)}条" + (f"之{int_to_cn(sub)}" if sub else "")
    out = [base]
    if kuan or item:
        k = f"{base}.第{int_to_cn(kuan or 1)}款"
        out.insert(0, k)
        if item:
            out.insert(0, f"{k}.第{int_to_cn(item)}项")
    return out


def resolve_links(documents: Sequence[Document]) -> list[Link]:
    """Every resolvable article reference in the leaf clauses of `documents`, without repeats."""
    by_title: dict[str, list[Document]] = {}
    for d in documents:
        by_title.setdefault(norm_title(d.title), []).append(d)
    for versions in by_title.values():
        versions.sort(key=lambda d: (d.version_date is not None, d.version_date or "", d.status == "current"))
    clauses: dict[str, Clause] = {}  # clause id -> clause, of the documents cited so far
    loaded: set[str] = set()
    out: dict[tuple[str, str], Link] = {}
    for doc in documents:
        leaves = [c for c in doc.clauses if c.leaf and "条" in c.text]
        if not leaves:
            continue
        for c in leaves:
            for target, parts in _references(doc, c.text, by_title):
                if target.id not in loaded:
                    loaded.add(target.id)
                    clauses.update((t.id, t) for t in target.clauses)
                for m in PART_RE.finditer(parts):
                    dst = next((i for i in _target_ids(target.id, m) if i in clauses), None)
                    if dst is None or dst == c.id or (c.article_id and clauses[dst].article_id == c.article_id):
                        continue
                    t = clauses[dst]
                    out.setdefault((c.id, dst), Link(c.id, c.article_id, c.citation, dst, t.article_id, t.citation))
    return list(out.values())


def _version_for(versions: list[Document], when: str | None) -> Document:
    """The newest version dated on or before `when` (the citing text's date), else the newest of all."""
    if when:
        dated = [v for v in versions if v.version_date and v.version_date <= when]
        if dated:
            return dated[-1]
    return versions[-1]


def _references(doc: Document, text: str, by_title: dict[str, list[Document]]) -> Iterable[tuple[Document, str]]:
    """(cited document, '第X条…' run) for each reference in `text`."""
    for m in TITLED_REF_RE.finditer(text):
        versions = by_title.get(norm_title(m.group(1)))
        if versions:
            yield _version_for(versions, doc.version_date), m.group(2)
    for m in SELF_REF_RE.finditer(text):
        yield doc, m.group(1)
