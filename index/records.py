"""The one record for a cited clause: every answer item, reply quotation, department named by a reply and duty of
the responsibility map cites its clause with these four fields, so each reaches the JSON in one shape."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CitedClause:
    """A clause cited by an answer, a reply or the responsibility map: its id, its document, its citation
    (《标题》第X条第Y款) and the text quoted from it (the clause, or a verbatim span of it such as one sentence).

    No `url` here: routes belong to the HTTP layer, which adds the link to the document page to every record
    that names a clause in one place, search_app.render.linked()."""

    clause_id: str
    doc_id: str
    citation: str
    text: str


def cited(record: CitedClause) -> CitedClause:
    """The clause a record (an answer item, a reply candidate, a duty…) cites, as a plain CitedClause."""
    return CitedClause(clause_id=record.clause_id, doc_id=record.doc_id, citation=record.citation, text=record.text)
