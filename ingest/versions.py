"""Versions of one title: the newest is current, the older ones are superseded by it; repeals; validity."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Iterable

from ingest.metadata import norm_title
from ingest.model import Document
from ingest.validity import VersionFacts, in_force_from, statuses, today_iso


def version_key(doc: Document) -> tuple:
    """Order of versions: dated after undated, then by version date; undated ones by the latest other date we know.
    Texts of one title and one version date are one version: the parts of a code the corpus holds as several files
    (民法典's 婚姻家庭编 states no 施行 date, 物权编 does) all stay current."""
    if doc.version_date:
        return (True, doc.version_date, "")
    dates = [d for d in (doc.effective, doc.published, doc.adopted, *doc.amended) if d]
    return (False, "", max(dates, default=""))


def chain_key(title: str) -> str:
    """Title key of a version chain; a repeal naming 《居民身份证条例》 finds 中华人民共和国居民身份证条例 too."""
    key = norm_title(title)
    return key[len("中华人民共和国"):] if key.startswith("中华人民共和国") and len(key) > 7 else key


def version_facts(doc: Document, repealer: Document | None = None) -> VersionFacts:
    """The validity inputs of one version (ingest/validity.py)."""
    return VersionFacts(doc.id, chain_key(doc.title), version_key(doc), in_force_from(doc.effective, doc.version_date),
                        in_force_from(repealer.effective, repealer.version_date) if repealer else None)


def resolve_versions(documents: Iterable[Document], today: date | str | None = None) -> None:
    """Mark, per title, every version older than the newest as superseded (`superseded_by` = newest id); link
    repealed documents to the document repealing them; store each version's validity on `today`.

    Works on any list (a batch or the whole stored corpus): statuses are recomputed from scratch. Versions tied
    with the newest (same key) all stay current.
    """
    documents = list(documents)
    groups: dict[str, list[Document]] = defaultdict(list)
    for doc in documents:
        groups[chain_key(doc.title)].append(doc)
    for docs in groups.values():
        newest = max(docs, key=lambda d: (version_key(d), d.id))
        top = version_key(newest)
        for doc in docs:
            doc.repealed_by = None
            if version_key(doc) == top:
                doc.status, doc.superseded_by = "current", None
            else:
                doc.status, doc.superseded_by = "superseded", newest.id
    by_id = {d.id: d for d in documents}
    for doc in sorted(documents, key=lambda d: in_force_from(d.effective, d.version_date) or ""):
        for title in doc.repeals:
            key = chain_key(title)
            if key == chain_key(doc.title):
                continue  # 'the former version of this law is repealed': the version chain already says so
            for target in groups.get(key, ()):
                older = not (target.version_date and doc.version_date and target.version_date > doc.version_date)
                if older and target.repealed_by is None:
                    target.repealed_by = doc.id
    day = today_iso(today)
    found = statuses((version_facts(d, by_id.get(d.repealed_by)) for d in documents), day)
    for doc in documents:
        doc.validity, doc.validity_date = found[doc.id], day
