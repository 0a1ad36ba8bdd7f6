"""Versions of one title: the newest is current, the older ones are superseded by it."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from ingest.metadata import norm_title
from ingest.model import Document


def version_key(doc: Document) -> tuple:
    """Order of versions: dated after undated, then by version date, then by the latest other date we know."""
    dates = [d for d in (doc.version_date, doc.effective, doc.published, doc.adopted, *doc.amended) if d]
    return (doc.version_date is not None, doc.version_date or "", max(dates, default=""))


def resolve_versions(documents: Iterable[Document]) -> None:
    """Mark, per title, every version older than the newest as superseded (`superseded_by` = newest id).

    Works on any list (a batch or the whole stored corpus): statuses are recomputed from scratch. Versions tied
    with the newest (same key) all stay current.
    """
    groups: dict[str, list[Document]] = defaultdict(list)
    for doc in documents:
        groups[norm_title(doc.title)].append(doc)
    for docs in groups.values():
        newest = max(docs, key=lambda d: (version_key(d), d.id))
        top = version_key(newest)
        for doc in docs:
            if version_key(doc) == top:
                doc.status, doc.superseded_by = "current", None
            else:
                doc.status, doc.superseded_by = "superseded", newest.id
