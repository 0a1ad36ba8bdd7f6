"""Which clauses are retrieval passages, and the text indexed for each (one small function, tuned by evaluation)."""
from __future__ import annotations

from ingest.model import Clause, Document

# Leaf kinds that are not worth retrieving on their own (a bare "第五章 网络保护" line).
SKIPPED_KINDS = frozenset({"heading"})

# Bump when passage_parts changes: the manifest fingerprint includes it, so an index built otherwise gets rebuilt.
PASSAGE_TEXT_VERSION = "title+heading+text/1"


def is_passage(clause: Clause) -> bool:
    """Leaves are the retrieval passages, except bare headings and empty text."""
    return clause.leaf and clause.kind not in SKIPPED_KINDS and bool(clause.text.strip())


def passage_parts(doc: Document, clause: Clause) -> list[str]:
    """The pieces indexed (BM25 and vectors) for one unit: document title, nearest heading, then the clause text.

    The title and heading give a sentence-level unit the context a reader has (which law, which chapter).
    Pieces are tokenised separately, so repeated ones (titles, headings) are tokenised once per build.
    """
    parts = [doc.title]
    if clause.headings:
        parts.append(clause.headings[-1])
    parts.append(clause.text.strip())
    return [p for p in parts if p]


def passage_text(doc: Document, clause: Clause) -> str:
    """The unit's indexed text as one string (what is embedded)."""
    return " ".join(passage_parts(doc, clause))


# The texts that may be embedded per passage (BM25 always indexes passage_parts). The first is the default; the
# shorter forms were measured on dev and real_dev (README "Embedding less") and kept only if MRR held within 0.01.
EMBED_FORMS = ("full", "heading+text", "text")


def embed_text(doc: Document, clause: Clause, form: str = EMBED_FORMS[0]) -> str:
    """The text embedded for a passage: `full` = passage_text; `heading+text` drops the title; `text` is the clause."""
    if form == "full":
        return passage_text(doc, clause)
    if form == "heading+text":
        parts = ([clause.headings[-1]] if clause.headings else []) + [clause.text.strip()]
        return " ".join(p for p in parts if p)
    if form == "text":
        return clause.text.strip()
    raise ValueError(f"embed form {form!r}: use one of {', '.join(EMBED_FORMS)}")
