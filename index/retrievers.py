"""The two retrievers over passage rows: BM25 (bm25s over jieba tokens) and dense (FAISS inner product).

Both take an optional boolean mask over passage rows (from the filters) and return [(row, score)] best first.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

BM25_DIR = "bm25"
FAISS_FILE = "vectors.faiss"
EXACT_LIMIT = 200_000  # below this many vectors the FAISS index is exact (flat); above, HNSW (approximate)


def _top(scores: np.ndarray, n: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
    """The n best rows of a full score array (masked rows and non-matches excluded)."""
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    positive = scores > 0
    count = int(positive.sum())
    n = min(n, count)
    if n <= 0:
        return []
    idx = np.argpartition(-scores, n - 1)[:n] if n < scores.shape[0] else np.arange(scores.shape[0])
    idx = idx[np.argsort(-scores[idx], kind="stable")]
    return [(int(i), float(scores[i])) for i in idx if scores[i] > 0][:n]


class BM25Retriever:
    """Lucene-style BM25 (k1=1.5, b=0.75) from bm25s; saved as .npy arrays and JSON, loaded without pickle."""

    def __init__(self, model) -> None:
        self._model = model
        self._vocab = model.vocab_dict
        self._df: np.ndarray | None = None  # documents per token, computed on the first unknown query word
        self._words: list[str] = []

    @classmethod
    def build(cls, token_strings: Sequence[str]) -> "BM25Retriever":
        """Index units given as space-separated tokens (ids are assigned here, so no token lists pile up)."""
        import bm25s

        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(t, len(vocab)) for t in s.split(" ") if t] for s in token_strings]
        model = bm25s.BM25(method="lucene")
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        model.index((ids, vocab), show_progress=False)
        return cls(model)

    def save(self, folder: Path) -> None:
        self._model.save(str(folder / BM25_DIR), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> "BM25Retriever":
        import bm25s

        model = bm25s.BM25.load(str(folder / BM25_DIR), load_corpus=False, mmap=False, allow_pickle=False,
                                show_progress=False)
        return cls(model)

    def resolve(self, tokens: Sequence[str], per_token: int = 3) -> list[str]:
        """Query tokens as indexed: known ones kept; an unknown word of 2+ characters (网信 when the index holds
        网信部门) is replaced by the indexed words containing it, the most frequent first."""
        out: list[str] = []
        for t in dict.fromkeys(tokens):
            if t in self._vocab:
                out.append(t)
            elif len(t) >= 2:
                if self._df is None:
                    indptr = self._model.scores["indptr"]
                    self._df = np.diff(indptr)
                    self._words = list(self._vocab)
                longer = [w for w in self._words if t in w and w != t]
                longer.sort(key=lambda w: -int(self._df[self._vocab[w]]))
                out.extend(w for w in longer[:per_token] if w not in out)
        return out

    def search(self, tokens: Sequence[str] | Mapping[str, float], n: int,
               mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The n best rows for query tokens; a {token: weight} mapping scales each token's BM25 contribution (an
        unknown word's stand-ins from `resolve` share its weight)."""
        weights = tokens if isinstance(tokens, Mapping) else dict.fromkeys(tokens, 1.0)
        groups: dict[float, list[str]] = {}
        seen: set[str] = set()
        for token, weight in weights.items():
            for known in self.resolve([token]):
                if known not in seen and weight > 0:
                    seen.add(known)
                    groups.setdefault(weight, []).append(known)
        if not groups:
            return []
        scores = np.zeros(self._model.scores["num_docs"], dtype=np.float32)
        for weight, known in groups.items():
            scores += np.float32(weight) * np.asarray(self._model.get_scores(known), dtype=np.float32)
        return _top(scores, n, mask)


class DenseRetriever:
    """Inner product over L2-normalised vectors: IndexFlatIP (exact) up to EXACT_LIMIT vectors, HNSW above."""

    def __init__(self, index) -> None:
        self._index = index

    @property
    def kind(self) -> str:
        return "hnsw" if "HNSW" in type(self._index).__name__ else "flat"

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @classmethod
    def build(cls, vectors: np.ndarray, dim: int, exact_limit: int = EXACT_LIMIT) -> "DenseRetriever":
        import faiss

        if vectors.shape[0] > exact_limit:
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efSearch = 128
        else:
            index = faiss.IndexFlatIP(dim)
        if vectors.shape[0]:
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    def save(self, folder: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(folder / FAISS_FILE))

    @classmethod
    def load(cls, folder: Path) -> "DenseRetriever":
        import faiss

        return cls(faiss.read_index(str(folder / FAISS_FILE)))

    def vectors(self) -> np.ndarray:
        """All stored vectors in row order (for reuse by an incremental build)."""
        if self.size == 0:
            return np.zeros((0, self._index.d), dtype=np.float32)
        return self._index.reconstruct_n(0, self.size)

    def search(self, query: np.ndarray, n: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        import faiss

        if self.size == 0 or n <= 0:
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if mask is None:
            scores, ids = self._index.search(q, min(n, self.size))
        else:
            allowed = np.flatnonzero(mask).astype("int64")
            if allowed.size == 0:
                return []
            selector = faiss.IDSelectorBatch(allowed)
            params = (faiss.SearchParametersHNSW(sel=selector, efSearch=max(128, n)) if self.kind == "hnsw"
                      else faiss.SearchParameters(sel=selector))
            scores, ids = self._index.search(q, min(n, int(allowed.size)), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
