"""Map a function over a large list with forked worker processes (jieba and the duty extractor are pure Python).

The items are handed to the workers by fork inheritance, not by pickling them, so big Documents cost nothing to
send; only the results travel back. Small inputs, or platforms without fork, run in this process.
"""
from __future__ import annotations

import multiprocessing
import os
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_WORK: tuple[Callable, Sequence] | None = None  # set only for the lifetime of one pool, read by its forked workers


def _run_range(bounds: tuple[int, int]) -> list:
    fn, items = _WORK  # type: ignore[misc]
    return [fn(items[i]) for i in range(*bounds)]


def parallel_map(fn: Callable[[T], R], items: Sequence[T], min_items: int, chunk: int = 500,
                 workers: int | None = None) -> list[R]:
    """[fn(x) for x in items], spread over the CPUs when there are at least `min_items` items."""
    global _WORK
    workers = workers or os.cpu_count() or 1
    if len(items) < min_items or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [fn(x) for x in items]
    bounds = [(i, min(i + chunk, len(items))) for i in range(0, len(items), chunk)]
    _WORK = (fn, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [r for part in pool.imap(_run_range, bounds) for r in part]
    finally:
        _WORK = None
