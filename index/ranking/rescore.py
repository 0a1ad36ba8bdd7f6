"""Dense rescoring of first-stage candidates: embed the ~50 candidates of a query (through the on-disk embedding
cache) and score them by cosine with the query.

This gives an index built with `--embedder none` (e.g. all 3,475 laws, whose 358k units would take hours to embed
here) a dense signal at the cost of embedding only the units that ever become candidates; every text is embedded
once and then read from the cache.
"""
from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np


class CandidateRescorer:
    """Cosine similarity of a query with candidate units, embedding (and caching) candidates on demand."""

    def __init__(self, embedder: str = "bundled", cache_dir: Path | str | None = None) -> None:
        self.spec = embedder
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._model = None
        self._cache = None

    def _ready(self):
        with self._lock:
            if self._model is None:
                from index.cache import EmbeddingCache
                from index.embedders import make_embedder

                model = make_embedder(self.spec, self.cache_dir)
                if not getattr(model, "dim", 0):
                    raise ValueError(f"rescoring needs an embedder, got {self.spec!r}")
                self._model, self._cache = model, EmbeddingCache(self.cache_dir)
        return self._model, self._cache

    def passage_text(self, kb, hit) -> str:
        """The text the index would have embedded for this unit (title, nearest heading, clause text)."""
        from index.passages import passage_text

        clause = kb.clause(hit.clause_id)
        if clause is None:
            return f"{hit.doc_title} {hit.text}"
        return passage_text(SimpleNamespace(title=hit.doc_title), clause)

    def similarities(self, kb, query: str, hits: list) -> list[float]:
        """Cosine of the query with each hit's unit (same order as hits)."""
        if not hits:
            return []
        model, cache = self._ready()
        texts = [self.passage_text(kb, h) for h in hits]
        with self._lock:
            q = cache.embed(model.name + "#query", [query], model.encode_queries)
            p = cache.embed(model.name, texts, model.encode_passages)
        return [float(x) for x in (p @ q[0])]


def normalised(values: list[float]) -> list[float]:
    """Min-max scaled to 0..1 within one query's candidates (all 1.0 when they are equal)."""
    if not values:
        return []
    arr = np.asarray(values, dtype=np.float64)
    lo, hi = float(arr.min()), float(arr.max())
    if hi - lo < 1e-9:
        return [1.0] * len(values)
    return [float(v) for v in (arr - lo) / (hi - lo)]
