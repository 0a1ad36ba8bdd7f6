"""Result lists as pages: the whole ranked list of a query (its true total), sorted as asked, cut at `offset`.

One query is ranked once into a pool of Config.result_pool results; the total, the sort and every page come from
that pool, so page 2 never repeats or skips a result of page 1 whatever the sort.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Generic, Sequence, TypeVar

from index.kb import DOCUMENT_ORDERS
from search_app.render import level_rank

T = TypeVar("T")

SEARCH_SORTS: tuple[str, ...] = ("relevance", "date", "level")
BASIS_SORTS: tuple[str, ...] = ("level", "relevance", "date")  # level: authority first, strongest mandate first
DOCUMENT_SORTS: tuple[str, ...] = DOCUMENT_ORDERS
SORT_LABELS = {"relevance": "相关度", "date": "日期（新→旧）", "level": "文件层级", "title": "标题"}


@dataclass
class ResultPage(Generic[T]):
    """One page of a sorted result list: `items` are results offset+1 … offset+len(items) of `total`."""

    items: list[T]
    total: int
    offset: int
    size: int
    sort: str
    capped: bool = False  # the pool was full: the query has at least `total` results
    sorts: tuple[str, ...] = field(default=SEARCH_SORTS)

    @property
    def first(self) -> int:
        """1-based rank of the first item shown (0 when the page is empty)."""
        return self.offset + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.items)

    @property
    def prev_offset(self) -> int | None:
        return max(0, self.offset - self.size) if self.offset > 0 else None

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.size if self.offset + self.size < self.total else None


def newest_first(date: str | None) -> tuple[int, str]:
    """Sort key putting later ISO dates first and undated last (stable sorts keep the relevance order on ties)."""
    if not date:
        return (1, "")
    return (0, "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in date))


def sort_hits(hits: Sequence, sort: str) -> list:
    """Clauses by relevance (as ranked), by document date (newest first) or by authority level."""
    if sort == "date":
        return sorted(hits, key=lambda h: newest_first(h.date))
    if sort == "level":
        return sorted(hits, key=lambda h: level_rank(h.level))
    return list(hits)


def page_of(items: Sequence[T], offset: int, size: int, sort: str, sorts: tuple[str, ...], pool: int,
            order: Callable[[Sequence[T], str], list[T]]) -> ResultPage[T]:
    """Sort the whole list, then cut the page; `pool` is how many results were asked for (capped when reached)."""
    ordered = order(items, sort)
    return ResultPage(ordered[offset:offset + size], len(ordered), offset, size, sort, len(items) >= pool, sorts)
