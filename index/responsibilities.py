"""The responsibility map: which unit the documents make responsible for what, with the clause that says so.

Built at index time (`write_units`, called by index.build after the store is written) into a `duties` table of the
index's SQLite file, and queried read-only: units -> duties with citations, clauses/topic -> units.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Sequence

from index.records import CitedClause
from index.store import DB_FILE, connect_readonly
from ingest.duties import HOLDER, ROLES, UNITS_FILE, extract_duties, normalize_unit, unit_category
from ingest.model import Document

EXTRACTOR_VERSION = "duties-5"
# A holder's duty announcing a list of duties (not a list of conditions): 依法履行以下职责：
_DUTY_LIST = re.compile(r"(?:职责|职能|工作|措施|事项|义务|责任)[：:]\s*$")
# A duty ending in a colon introduces a list (of duties or of the situations it applies to): 应当依法…临时监护：
_INTRODUCES = re.compile(r"[：:]\s*$")
SKIP_KINDS = ("heading", "signature")

SCHEMA = """
CREATE TABLE IF NOT EXISTS duties (
    id INTEGER PRIMARY KEY, unit TEXT NOT NULL, unit_text TEXT NOT NULL, level TEXT, category TEXT, role TEXT,
    duty TEXT NOT NULL, clause_id TEXT NOT NULL, article_id TEXT, doc_id TEXT NOT NULL, doc_title TEXT,
    citation TEXT, status TEXT, start INTEGER, end INTEGER, duty_start INTEGER, duty_end INTEGER, via TEXT,
    items TEXT NOT NULL DEFAULT '[]');
CREATE INDEX IF NOT EXISTS duties_unit ON duties(unit);
CREATE INDEX IF NOT EXISTS duties_clause ON duties(clause_id);
"""


@dataclass
class DutyRecord(CitedClause):
    """One (unit, duty, clause) triple of the map; offsets point into the clause text (`text`, which the duties
    table does not store: it is read from the clauses table). An item of a list of duties ("依法履行以下职责：
    （一）…") inherits the unit of its lead-in: `via` names the lead-in clause, and start/end (the unit's span) are
    then -1 since the unit is written there, not in the item."""

    unit: str
    unit_text: str
    level: str
    category: str
    role: str
    duty: str
    article_id: str | None
    doc_title: str
    status: str
    start: int
    end: int
    duty_start: int
    duty_end: int
    via: str = ""
    items: tuple[str, ...] = ()  # the list a duty ending in "：" introduces: （一）…；（二）…

    def to_dict(self) -> dict:
        data = asdict(self)
        data["items"] = list(self.items)
        return data


# The columns of the duties table, in its order (every DutyRecord field but `text`; the schema is unchanged).
COLUMNS = ("unit", "unit_text", "level", "category", "role", "duty", "clause_id", "article_id", "doc_id",
           "doc_title", "citation", "status", "start", "end", "duty_start", "duty_end", "via", "items")
# What a reader selects for duty_from_row: the stored columns, then the clause's text from the clauses table.
SELECT_DUTIES = (", ".join(f"duties.{c}" for c in COLUMNS) + ", json_extract(clauses.data, '$.text')"
                 " FROM duties LEFT JOIN clauses ON clauses.id = duties.clause_id")


def duty_from_row(row: Sequence) -> DutyRecord:
    """A DutyRecord from a row of `SELECT {SELECT_DUTIES}` (items are stored as a JSON list)."""
    values = dict(zip(COLUMNS, row))
    values["items"] = tuple(json.loads(values["items"] or "[]"))
    return DutyRecord(text=row[len(COLUMNS)] or "", **values)


def _column(rec: DutyRecord, name: str):
    value = getattr(rec, name)
    return json.dumps(list(value), ensure_ascii=False) if name == "items" else value


@dataclass
class DocDuties:
    """The duties of one unit stated in one document."""

    doc_id: str
    doc_title: str
    duties: list[DutyRecord]


@dataclass
class RoleDuties:
    """A unit's duties in one role (负责 / 协同 / 受理), by document."""

    role: str
    documents: list[DocDuties]

    @property
    def count(self) -> int:
        return sum(len(d.duties) for d in self.documents)


def distinct(records: Sequence[DutyRecord]) -> list[DutyRecord]:
    """The records of one unit without repeats: one per role and stretch of clause text (two mentions of the unit in
    one sentence give one duty, the longer reading kept), and no item shown on its own when its lead-in is there."""
    kept: list[DutyRecord] = []
    for rec in records:
        clash = next((i for i, k in enumerate(kept) if k.role == rec.role and k.clause_id == rec.clause_id
                      and k.duty_start < rec.duty_end and rec.duty_start < k.duty_end), None)
        if clash is None:
            kept.append(rec)
        elif rec.duty_end - rec.duty_start > kept[clash].duty_end - kept[clash].duty_start:
            kept[clash] = rec
    leads = {(k.role, k.clause_id) for k in kept if k.items}
    return [k for k in kept if not (k.via and (k.role, k.via) in leads)]


def grouped(records: Sequence[DutyRecord]) -> list[RoleDuties]:
    """A unit's duties without repeats, by role (负责, 协同, 受理) and then by document, each in text order."""
    out = []
    for role in ROLES:
        docs: dict[str, DocDuties] = {}
        for rec in distinct([r for r in records if r.role == role]):
            docs.setdefault(rec.doc_id, DocDuties(rec.doc_id, rec.doc_title, [])).duties.append(rec)
        if docs:
            out.append(RoleDuties(role, list(docs.values())))
    return out


def topic_phrases(topic: str) -> list[str]:
    """The phrases a topic is made of: its parts between spaces and punctuation (临时监护, 网络保护)."""
    return [p for p in re.split(r"[\s,，、；;。/]+", topic or "") if len(p) >= 2][:6]


def duties_version() -> str:
    """Changes when the extractor or its unit dictionary changes (part of the index fingerprint)."""
    return EXTRACTOR_VERSION + ":" + hashlib.sha256(UNITS_FILE.read_bytes()).hexdigest()[:16]


def _introduced(doc: Document) -> dict[str, tuple[str, ...]]:
    """For each clause followed by items of its own (第九十二条.第一款 -> its 第一项 … 第七项), their texts in order."""
    by_parent: dict[str, list] = {}
    ids = {c.id for c in doc.clauses}
    for c in sorted((c for c in doc.clauses if c.kind == "item"), key=lambda c: c.start):
        head = c.id.rsplit(".", 1)[0]
        if head in ids and head != c.id:
            by_parent.setdefault(head, []).append(c.text.strip())
    return {k: tuple(v) for k, v in by_parent.items()}


def document_duties(doc: Document) -> list[DutyRecord]:
    """Every duty stated in the leaf clauses of one document, items of a duty list under their lead-in's unit; a
    duty ending in "：" carries the items it introduces."""
    introduced = _introduced(doc)
    out = []
    lead: list[DutyRecord] = []  # holders of the last lead-in that announces a list of duties
    for c in doc.leaves():
        if c.kind in SKIP_KINDS:
            continue
        if c.kind == "item" and lead and c.parent_id == lead[0].article_id:
            body = c.text.strip()
            text_start = c.text.index(body) if body else 0
            for h in lead:
                out.append(DutyRecord(clause_id=c.id, doc_id=doc.id, citation=c.citation, text=c.text,
                                      unit=h.unit, unit_text=h.unit_text, level=h.level, category=h.category,
                                      role=h.role, duty=body, article_id=c.article_id, doc_title=doc.title,
                                      status=doc.status, start=-1, end=-1, duty_start=text_start,
                                      duty_end=text_start + len(body), via=h.clause_id))
            continue
        lead = []
        seen = set()
        for d in extract_duties(c.text):
            key = (d.unit, d.role, d.duty_start)
            if key in seen:
                continue
            seen.add(key)
            items = introduced.get(c.id, ()) if _INTRODUCES.search(d.duty) else ()
            rec = DutyRecord(clause_id=c.id, doc_id=doc.id, citation=c.citation, text=c.text, unit=d.unit,
                             unit_text=d.unit_text, level=d.level, category=d.category, role=d.role, duty=d.duty,
                             article_id=c.article_id, doc_title=doc.title, status=doc.status, start=d.start,
                             end=d.end, duty_start=d.duty_start, duty_end=d.duty_end, items=items)
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
                ([_column(r, c) for c in COLUMNS] for r in rows),
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
            f"SELECT {SELECT_DUTIES} WHERE unit = ? AND role IN ({marks})"
            + self._status_sql(include_superseded) + " ORDER BY role != ?, duties.id LIMIT ? OFFSET ?",
            (unit, *roles, HOLDER, limit, offset),
        )
        return [duty_from_row(r) for r in rows]

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
        rows = self._rows(f"SELECT {SELECT_DUTIES} WHERE clause_id IN ({marks}) ORDER BY duties.id", clause_ids)
        order = {cid: i for i, cid in enumerate(clause_ids)}
        return sorted((duty_from_row(r) for r in rows), key=lambda r: order[r.clause_id])

    def units_for_topic(self, terms: Sequence[str], limit: int = 10, include_superseded: bool = False,
                        phrases: Sequence[str] = ()) -> list[dict]:
        """Units whose duties (with the items they introduce) best match a topic: its `phrases` first, whole
        (临时监护), and only the query `terms` of the phrases no duty holds (临时, 监护 would pull in every 监护
        duty of 学校 and 医疗机构). A duty scores the idf-weighted terms it holds, divided by the square root of the
        number of units sharing it (a duty of one named unit says more about that unit than a list of ten); a unit
        scores the sum of its three best duties."""
        status = self._status_sql(include_superseded)
        text = "(duty || ' ' || items)"

        def df(term: str) -> int:
            return self._rows(f"SELECT COUNT(*) FROM duties WHERE instr({text}, ?) > 0" + status, (term,))[0][0]

        phrases = [p for p in dict.fromkeys(phrases) if p and len(p) >= 2]
        found = [p for p in phrases if df(p)]
        if found and len(found) == len(phrases):
            terms = found
        elif found:
            terms = found + [t for t in terms if not any(t in p for p in found)]
        terms = [t for t in dict.fromkeys(terms) if t and len(t) >= 2][:12]
        if not terms:
            return []
        total = self._rows("SELECT COUNT(*) FROM duties WHERE 1=1" + status)[0][0] or 1
        weights = {}
        for t in terms:
            n = df(t)
            if n:
                weights[t] = math.log(1 + total / n)
        if not weights:
            return []
        keys = list(weights)
        score = " + ".join(f"(instr({text}, ?) > 0) * {weights[t]!r}" for t in keys)
        any_match = " OR ".join(f"instr({text}, ?) > 0" for _ in keys)
        rows = self._rows(
            f"SELECT ({score}) AS s, COUNT(*) OVER (PARTITION BY clause_id, duty_start, role) AS shared, "
            f"{SELECT_DUTIES} WHERE ({any_match})" + status + " LIMIT 5000",
            (*keys, *keys),
        )
        scored = sorted(((float(r[0]) / math.sqrt(r[1]), duty_from_row(r[2:])) for r in rows),
                        key=lambda t: (-t[0], t[1].role != HOLDER))
        by_unit: dict[str, dict] = {}
        for s, rec in scored:
            entry = by_unit.setdefault(rec.unit, {"name": rec.unit, "category": rec.category, "score": 0.0,
                                                  "matches": 0, "duties": []})
            if distinct(entry["duties"] + [rec]) != entry["duties"] + [rec]:
                continue  # the same stretch of text as a duty already listed
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
