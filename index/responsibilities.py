"""The responsibility map: which unit the documents make responsible for what, with the clause that says so.

Built at index time (`write_units`, called by index.build after the store is written) into a `duties` table of the
index's SQLite file, and queried read-only: units -> duties with citations, clauses/topic -> units.
"""
from __future__ import annotations

import hashlib
import math
import re
import sqlite3
import threading
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Iterable, Sequence

from index.store import DB_FILE, connect_readonly
from ingest.duties import HOLDER, ROLES, UNITS_FILE, extract_duties, normalize_unit, unit_category
from ingest.model import Document

EXTRACTOR_VERSION = "duties-4"
# A holder's duty announcing a list of duties (not a list of conditions): 依法履行以下职责：
_DUTY_LIST = re.compile(r"(?:职责|职能|工作|措施|事项|义务|责任)[：:]\s*$")
SKIP_KINDS = ("heading", "signature")

SCHEMA = """
CREATE TABLE IF NOT EXISTS duties (
    id INTEGER PRIMARY KEY, unit TEXT NOT NULL, unit_text TEXT NOT NULL, level TEXT, category TEXT, role TEXT,
    duty TEXT NOT NULL, clause_id TEXT NOT NULL, article_id TEXT, doc_id TEXT NOT NULL, doc_title TEXT,
    citation TEXT, status TEXT, start INTEGER, end INTEGER, duty_start INTEGER, duty_end INTEGER, via TEXT);
CREATE INDEX IF NOT EXISTS duties_unit ON duties(unit);
CREATE INDEX IF NOT EXISTS duties_clause ON duties(clause_id);
"""


@dataclass
class DutyRecord:
    """One (unit, duty, clause) triple of the map; offsets point into the clause text. An item of a list of duties
    ("依法履行以下职责：（一）…") inherits the unit of its lead-in: `via` names the lead-in clause, and start/end
    (the unit's span) are then -1 since the unit is written there, not in the item."""

    unit: str
    unit_text: str
    level: str
    category: str
    role: str
    duty: str
    clause_id: str
    article_id: str | None
    doc_id: str
    doc_title: str
    citation: str
    status: str
    start: int
    end: int
    duty_start: int
    duty_end: int
    via: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


COLUMNS = [f.name for f in fields(DutyRecord)]


def duties_version() -> str:
    """Changes when the extractor or its unit dictionary changes (part of the index fingerprint)."""
    return EXTRACTOR_VERSION + ":" + hashlib.sha256(UNITS_FILE.read_bytes()).hexdigest()[:16]


def document_duties(doc: Document) -> list[DutyRecord]:
    """Every duty stated in the leaf clauses of one document, items of a duty list under their lead-in's unit."""
    out = []
    lead: list[DutyRecord] = []  # holders of the last lead-in that announces a list of duties
    for c in doc.leaves():
        if c.kind in SKIP_KINDS:
            continue
        if c.kind == "item" and lead and c.parent_id == lead[0].article_id:
            body = c.text.strip()
            text_start = c.text.index(body) if body else 0
            for h in lead:
                out.append(DutyRecord(h.unit, h.unit_text, h.level, h.category, h.role, body, c.id, c.article_id,
                                      doc.id, doc.title, c.citation, doc.status, -1, -1, text_start,
                                      text_start + len(body), h.clause_id))
            continue
        lead = []
        seen = set()
        for d in extract_duties(c.text):
            key = (d.unit, d.role, d.duty_start)
            if key in seen:
                continue
            seen.add(key)
            rec = DutyRecord(d.unit, d.unit_text, d.level, d.category, d.role, d.duty, c.id, c.article_id,
                             doc.id, doc.title, c.citation, doc.status, d.start, d.end, d.duty_start, d.duty_end)
            out.append(rec)
            if d.role == HOLDER and _DUTY_LIST.search(d.duty):
                lead.append(rec)
    return out


def write_units(db_path: str | Path, documents: Sequence[Document], rows: Sequence[DutyRecord] | None = None) -> int:
    """Write the duties table into an index's SQLite file (replacing any previous one); returns the row count."""
    db = sqlite3.connect(db_path)
    try:
        db.executescript("DROP TABLE IF EXISTS duties;" + SCHEMA)
        rows = rows if rows is not None else [r for doc in documents for r in document_duties(doc)]
        with db:
            db.executemany(
                f"INSERT INTO duties ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                ([getattr(r, c) for c in COLUMNS] for r in rows),
            )
        return len(rows)
    finally:
        db.close()


class ResponsibilityMap:
    """Read-only queries over the duties table of one index folder (thread-safe: one lock, one connection)."""

    def __init__(self, db_path: str | Path):
        path = Path(db_path)
        if not path.is_file():
            raise FileNotFoundError(f"responsibility map: {path} is not an index database")
        self._db = connect_readonly(path)
        self._lock = threading.Lock()
        has = self._db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='duties'").fetchone()
        if not has:
            self._db.close()
            raise LookupError(f"responsibility map: {path} has no duties table; rebuild the index "
                              "(policykb ingest) with this version")

    @classmethod
    def open(cls, folder: str | Path) -> "ResponsibilityMap":
        """Open the map of an index folder (the folder holding kb.sqlite)."""
        return cls(Path(folder) / DB_FILE)

    def _rows(self, sql: str, args: Iterable = ()) -> list[sqlite3.Row]:
        with self._lock:
            cur = self._db.execute(sql, tuple(args))
            return cur.fetchall()

    @staticmethod
    def _status_sql(include_superseded: bool) -> str:
        return "" if include_superseded else " AND status = 'current'"

    def units(self, include_superseded: bool = False) -> list[dict]:
        """Every unit with its counts (duties, clauses, documents, per role), most duties first."""
        rows = self._rows(
            "SELECT unit, category, COUNT(*), COUNT(DISTINCT clause_id), COUNT(DISTINCT doc_id), "
            "SUM(role = ?), SUM(role = ?), SUM(role = ?) FROM duties WHERE 1=1"
            + self._status_sql(include_superseded) + " GROUP BY unit ORDER BY COUNT(*) DESC, unit",
            ROLES,
        )
        return [
            {"name": u, "category": cat or unit_category(u), "duties": n, "clauses": nc, "documents": nd,
             "roles": dict(zip(ROLES, (r0 or 0, r1 or 0, r2 or 0)))}
            for u, cat, n, nc, nd, r0, r1, r2 in rows
        ]

    def resolve(self, name: str) -> str | None:
        """The canonical unit a user-typed name means, if the map knows it (网信办 -> 网信部门)."""
        name = (name or "").strip()
        for cand in (name, normalize_unit(name)):
            if cand and self._rows("SELECT 1 FROM duties WHERE unit = ? LIMIT 1", (cand,)):
                return cand
        return None

    def duties_of(self, name: str, roles: Sequence[str] = ROLES, limit: int = 100, offset: int = 0,
                  include_superseded: bool = False) -> list[DutyRecord]:
        """The duties of one unit (canonical or alias name), holders first, in document order."""
        unit = self.resolve(name)
        if unit is None:
            return []
        marks = ",".join("?" * len(roles))
        rows = self._rows(
            f"SELECT {', '.join(COLUMNS)} FROM duties WHERE unit = ? AND role IN ({marks})"
            + self._status_sql(include_superseded) + " ORDER BY role != ?, id LIMIT ? OFFSET ?",
            (unit, *roles, HOLDER, limit, offset),
        )
        return [DutyRecord(*r) for r in rows]

    def count_of(self, name: str, include_superseded: bool = False) -> int:
        unit = self.resolve(name)
        if unit is None:
            return 0
        return self._rows("SELECT COUNT(*) FROM duties WHERE unit = ?" + self._status_sql(include_superseded),
                          (unit,))[0][0]

    def for_clauses(self, clause_ids: Sequence[str]) -> list[DutyRecord]:
        """The duties stated in the given clauses, in the order of clause_ids then text order."""
        if not clause_ids:
            return []
        marks = ",".join("?" * len(clause_ids))
        rows = self._rows(f"SELECT {', '.join(COLUMNS)} FROM duties WHERE clause_id IN ({marks}) ORDER BY id",
                          clause_ids)
        order = {cid: i for i, cid in enumerate(clause_ids)}
        return sorted((DutyRecord(*r) for r in rows), key=lambda r: order[r.clause_id])

    def units_for_topic(self, terms: Sequence[str], limit: int = 10, include_superseded: bool = False) -> list[dict]:
        """Units whose duties best match `terms` (e.g. the query terms of 网络保护). A duty scores the idf-weighted
        terms it holds, divided by the square root of the number of units sharing it (a duty of one named unit
        says more about that unit than a list of ten); a unit scores the sum of its three best duties."""
        terms = [t for t in dict.fromkeys(terms) if t and len(t) >= 2][:12]
        if not terms:
            return []
        status = self._status_sql(include_superseded)
        total = self._rows("SELECT COUNT(*) FROM duties WHERE 1=1" + status)[0][0] or 1
        weights = {}
        for t in terms:
            df = self._rows("SELECT COUNT(*) FROM duties WHERE instr(duty, ?) > 0" + status, (t,))[0][0]
            if df:
                weights[t] = math.log(1 + total / df)
        if not weights:
            return []
        keys = list(weights)
        score = " + ".join(f"(instr(duty, ?) > 0) * {weights[t]!r}" for t in keys)
        any_match = " OR ".join("instr(duty, ?) > 0" for _ in keys)
        rows = self._rows(
            f"SELECT {', '.join(COLUMNS)}, ({score}) AS s, "
            "COUNT(*) OVER (PARTITION BY clause_id, duty_start, role) AS shared "
            f"FROM duties WHERE ({any_match})" + status + " LIMIT 5000",
            (*keys, *keys),
        )
        scored = sorted(((float(r[-2]) / math.sqrt(r[-1]), r[-3] != HOLDER, DutyRecord(*r[:-2])) for r in rows),
                        key=lambda t: (-t[0], t[1]))
        by_unit: dict[str, dict] = {}
        for s, _, rec in scored:
            entry = by_unit.setdefault(rec.unit, {"name": rec.unit, "category": rec.category, "score": 0.0,
                                                  "matches": 0, "duties": []})
            entry["matches"] += 1
            if len(entry["duties"]) < 3:
                entry["duties"].append(rec)
                entry["score"] += s
        for e in by_unit.values():
            e["score"] = round(e["score"], 3)
        return sorted(by_unit.values(), key=lambda e: (-e["score"], -e["matches"]))[:limit]

    def close(self) -> None:
        with self._lock:
            self._db.close()
