"""Validity (时效性) of a document version on a given day, from its dates and its place in the version chain.

    尚未生效  its in-force date lies after today (a law passed but not yet in force)
    已废止    a document in force by today repeals its title (its final provisions say 《…》同时废止)
    已被修订  a newer version of the same title is in force by today
    现行有效  otherwise

A version is in force from the later of its stated 施行日期 and its version date (an amended text applies from its
amendment; a new law from the 施行 date it names). `today` is always a parameter, so tests can set the clock.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

CURRENT, AMENDED, PENDING, REPEALED = "现行有效", "已被修订", "尚未生效", "已废止"
STATUSES = (CURRENT, AMENDED, PENDING, REPEALED)
REPEAL_RE = re.compile(r"《([^《》\n]{2,80})》(?:[（(][^）)\n]{0,40}[）)])?同时废止")
UNDATED_LABEL = "未注明日期"


@dataclass(frozen=True)
class VersionFacts:
    """What validity needs of one version: its chain (title key), order in the chain, in-force date, repeal."""

    id: str
    chain: str
    order: tuple
    in_force: str | None  # ISO date from which this version applies (None: unknown, taken as in force)
    repealed_from: str | None = None  # ISO date from which the repealing document applies


def in_force_from(effective: str | None, version_date: str | None) -> str | None:
    """The later of the stated 施行日期 and the version date (None when neither is known)."""
    dates = [d for d in (effective, version_date) if d]
    return max(dates) if dates else None


def today_iso(today: date | str | None = None) -> str:
    """`today` as YYYY-MM-DD (the real date when None)."""
    if today is None:
        return date.today().isoformat()
    return today if isinstance(today, str) else today.isoformat()


def status_of(facts: VersionFacts, chain: Sequence[VersionFacts], today: date | str | None = None) -> str:
    """One of STATUSES for `facts` among the versions `chain` of its title, on `today`."""
    day = today_iso(today)
    if facts.repealed_from is not None and facts.repealed_from <= day:
        return REPEALED
    if facts.in_force is not None and facts.in_force > day:
        return PENDING
    if any(o.order > facts.order and (o.in_force is None or o.in_force <= day) for o in chain if o.id != facts.id):
        return AMENDED
    return CURRENT


def statuses(facts: Iterable[VersionFacts], today: date | str | None = None) -> dict[str, str]:
    """Document id -> status for every version given (chains formed by their `chain` key)."""
    chains: dict[str, list[VersionFacts]] = {}
    for f in facts:
        chains.setdefault(f.chain, []).append(f)
    return {f.id: status_of(f, chain, today) for chain in chains.values() for f in chain}


def repealed_titles(text: str) -> tuple[str, ...]:
    """Titles a text repeals in its final provisions ('…《中华人民共和国居民身份证条例》同时废止')."""
    return tuple(dict.fromkeys(REPEAL_RE.findall(text)))


def version_label(version_date: str | None) -> str:
    """How a version is named to users: its date, never a hash; 未注明日期 when the text states none."""
    return version_date or UNDATED_LABEL
