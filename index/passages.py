"""Which clauses are retrieval units, and the text indexed for each (one small function, tuned by evaluation)."""
from __future__ import annotations

from ingest.model import Clause, Document

# Leaf kinds that are not worth retrieving on their own (a bare "第五章 网络保护" line).
SKIPPED_KINDS = frozenset({"heading"})

# Bump when unit_text changes: the manifest records it, so an index built with other unit texts gets rebuilt.
UNIT_TEXT_VERSION = "title+heading+text/1"


def is_unit(clause: Clause) -> bool:
    """Leaves are the retrieval units, except bare headings and empty text."""
    return clause.leaf and clause.kind not in SKIPPED_KINDS and bool(clause.text.strip())


def unit_text(doc: Document, clause: Clause) -> str:
    """The text indexed (BM25 and vectors) for one unit: document title, nearest heading, then the clause text.

    The title and heading give a sentence-level unit the context a reader has (which law, which chapter).
    """
    parts = [doc.title]
    if clause.headings:
        parts.append(clause.headings[-1])
    parts.append(clause.text.strip())
    return " ".join(p for p in parts if p)
