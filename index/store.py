"""The index's SQLite file: documents, clauses, retrieval passages (their tokens and text hashes), cited titles
and article-level links (index/links.py).

Records are stored as JSON of the shared dataclasses (no pickle), with the columns filters and joins need.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Iterable, Sequence

from index.links import Link
from ingest.model import Clause, Document

DB_FILE = "kb.sqlite"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    seq INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, title TEXT NOT NULL, level TEXT, region TEXT, issuer TEXT,
    version_date TEXT, status TEXT, superseded_by TEXT, source_path TEXT, content_hash TEXT, data TEXT NOT NULL,
    effective TEXT, repealed_by TEXT);
CREATE INDEX documents_title ON documents(title);
CREATE TABLE clauses (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, seq INTEGER NOT NULL, article_id TEXT, leaf INTEGER, data TEXT NOT NULL);
CREATE INDEX clauses_doc ON clauses(doc_id, seq);
CREATE TABLE passages (
    row INTEGER PRIMARY KEY, clause_id TEXT NOT NULL, doc_seq INTEGER NOT NULL, text_hash TEXT NOT NULL,
    tokens TEXT NOT NULL);
CREATE INDEX passages_clause ON passages(clause_id);
CREATE TABLE refs (doc_id TEXT NOT NULL, title TEXT NOT NULL);
CREATE INDEX refs_doc ON refs(doc_id);
CREATE INDEX refs_title ON refs(title);
CREATE TABLE clause_links (
    src TEXT NOT NULL, src_article TEXT, src_citation TEXT NOT NULL, dst TEXT NOT NULL, dst_article TEXT,
    dst_citation TEXT NOT NULL);
CREATE INDEX clause_links_src ON clause_links(src);
CREATE INDEX clause_links_src_article ON clause_links(src_article);
CREATE INDEX clause_links_dst ON clause_links(dst);
CREATE INDEX clause_links_dst_article ON clause_links(dst_article);
"""


@dataclass
class Passage:
    """One retrieval passage: a leaf clause, the text that is indexed for it, and its search tokens."""

    row: int
    clause_id: str
    doc_seq: int
    text: str
    text_hash: str
    tokens: str  # space-separated search tokens


def _record(obj, skip: tuple[str, ...] = ()) -> dict:
    """The dataclass's fields as a dict, shallow (dataclasses.asdict deep-copies and costs seconds at scale)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj) if f.name not in skip}


def _doc_json(doc: Document) -> str:
    return json.dumps(_record(doc, ("clauses",)), ensure_ascii=False)


def write_store(path: Path, documents: Sequence[Document], passages: Sequence[Passage], meta: dict[str, str],
                links: Sequence[Link] = ()) -> None:
    """Create the SQLite file of a new index folder in one transaction."""
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        with db:
            db.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
            db.executemany(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (i, d.id, d.title, d.level, d.region, d.issuer, d.version_date, d.status, d.superseded_by,
                     d.source_path, d.content_hash, _doc_json(d), d.effective, d.repealed_by)
                    for i, d in enumerate(documents)
                ],
            )
            db.executemany(
                "INSERT INTO clauses VALUES (?,?,?,?,?,?)",
                (
                    (c.id, d.id, j, c.article_id, int(c.leaf), json.dumps(_record(c), ensure_ascii=False))
                    for d in documents
                    for j, c in enumerate(d.clauses)
                ),
            )
            db.executemany(
                "INSERT INTO passages VALUES (?,?,?,?,?)",
                ((u.row, u.clause_id, u.doc_seq, u.text_hash, u.tokens) for u in passages),
            )
            db.executemany(
                "INSERT INTO refs VALUES (?, ?)",
                {(d.id, r) for d in documents for c in d.clauses for r in c.refs},
            )
            db.executemany(
                "INSERT INTO clause_links VALUES (?,?,?,?,?,?)",
                ((k.src, k.src_article, k.src_citation, k.dst, k.dst_article, k.dst_citation) for k in links),
            )
    finally:
        db.close()


def connect_readonly(path: Path) -> sqlite3.Connection:
    """Open an index database read-only (a reader never writes, so many threads and processes may share it)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    db.row_factory = sqlite3.Row
    return db


def document_from_row(data: str, clauses: Iterable[str] = ()) -> Document:
    d = json.loads(data)
    d["clauses"] = [json.loads(c) for c in clauses]
    return Document.from_dict(d)


def clause_from_row(data: str) -> Clause:
    return Clause.from_dict(json.loads(data))


def load_all_documents(db: sqlite3.Connection) -> list[Document]:
    """Every stored document with its full clause tree (used by incremental builds)."""
    clauses: dict[str, list[str]] = {}
    for doc_id, data in db.execute("SELECT doc_id, data FROM clauses ORDER BY doc_id, seq"):
        clauses.setdefault(doc_id, []).append(data)
    return [document_from_row(data, clauses.get(doc_id, ())) for doc_id, data in
            db.execute("SELECT id, data FROM documents ORDER BY seq")]


def load_passage_tokens(db: sqlite3.Connection) -> dict[tuple[str, str], str]:
    """(clause id, text hash) -> stored tokens, so an incremental build re-tokenises only changed passages."""
    return {(cid, h): toks for cid, h, toks in db.execute("SELECT clause_id, text_hash, tokens FROM passages")}
