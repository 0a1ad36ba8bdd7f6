"""The two retrievers over passage rows: BM25 (bm25s over jieba tokens) and dense (FAISS inner product).

Both take an optional boolean mask over passage rows (from the filters) and return [(row, score)] best first.
"""
from __future__ import annotations

import bisect
import itertools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

BM25_DIR = "bm25"
FAISS_FILE = "vectors.faiss"
_SEP = "\x00"  # between the words of the joined vocabulary: no token holds it
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
        self._joined = ""  # the vocabulary as one string, words split by _SEP: one C-speed find() per match
        self._starts: list[int] = []  # where each word of _words begins in _joined
        self._stand_ins: dict[tuple[str, int], list[str]] = {}  # unknown word -> indexed words containing it

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
                out.extend(w for w in self._stand_ins_for(t, per_token) if w not in out)
        return out

    def _stand_ins_for(self, word: str, per_token: int) -> list[str]:
        """The most frequent indexed words containing `word`, memoised: a scan of the whole vocabulary costs
        milliseconds on a large index, and the vocabulary never changes."""
        key = (word, per_token)
        found = self._stand_ins.get(key)
        if found is None:
            if self._df is None:
                self._words = list(self._vocab)
                self._starts = list(itertools.accumulate((len(w) + 1 for w in self._words[:-1]), initial=0))
                self._joined = _SEP.join(self._words)
                self._df = np.diff(self._model.scores["indptr"])
            longer = self._containing(word)
            longer.sort(key=lambda w: -int(self._df[self._vocab[w]]))
            found = longer[:per_token]
            if len(self._stand_ins) >= 50_000:
                self._stand_ins.clear()
            self._stand_ins[key] = found
        return found

    def _containing(self, word: str) -> list[str]:
        """The indexed words that contain `word` and are longer, in vocabulary order."""
        if _SEP in word:
            return []
        out, joined, starts, at = [], self._joined, self._starts, 0
        while (at := joined.find(word, at)) >= 0:
            i = bisect.bisect_right(starts, at) - 1
            if self._words[i] != word:
                out.append(self._words[i])
            at = starts[i + 1] if i + 1 < len(starts) else len(joined)  # on to the next word
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


@dataclass(frozen=True)
class HNSWParams:
    """FAISS HNSW settings for large indexes, chosen by evaluation/bench_faiss.py on the 342k real e5 vectors of all
    laws, queried by real questions restricted to the binding texts as the product searches (README "Dense search at
    full-laws scale"): recall@10 0.990 against exact search at p95 1.3 ms on one thread, 590 MB."""

    m: int = 32  # graph degree: memory and build time grow with it (48: recall 0.996, +7 % memory, +40 % build)
    ef_construction: int = 80  # build-time beam width (40: recall 0.969 at efSearch 256)
    ef_search: int = 512  # query-time beam width: recall vs latency (applied at load: old files get it too)


class DenseRetriever:
    """Inner product over L2-normalised vectors keyed by unit row: IndexFlatIP (exact) up to `exact_limit`
    vectors, HNSW above. Rows without a vector (superseded versions, unless embedded) are simply absent."""

    def __init__(self, index, ef_search: int | None = None) -> None:
        import faiss

        self._index = index
        inner = faiss.downcast_index(index.index) if hasattr(index, "id_map") else index
        self._inner = inner
        self._ef_search = ef_search or (HNSWParams().ef_search if hasattr(inner, "hnsw") else 0)

    @property
    def kind(self) -> str:
        return "hnsw" if hasattr(self._inner, "hnsw") else "flat"

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        """The vectors' dimension (the index's own, whatever the manifest says)."""
        return int(self._index.d)

    def rows(self) -> np.ndarray:
        """The unit rows that have a vector, in storage order."""
        import faiss

        if hasattr(self._index, "id_map"):
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)
        return np.arange(self.size, dtype=np.int64)

    @classmethod
    def build(cls, vectors: np.ndarray, dim: int, exact_limit: int = EXACT_LIMIT, rows: np.ndarray | None = None,
              hnsw: HNSWParams = HNSWParams()) -> "DenseRetriever":
        """Index `vectors` under ids `rows` (default 0..n-1)."""
        import faiss

        if vectors.shape[0] > exact_limit:
            inner = faiss.IndexHNSWFlat(dim, hnsw.m, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = hnsw.ef_construction
            inner.hnsw.efSearch = hnsw.ef_search
        else:
            inner = faiss.IndexFlatIP(dim)
        index = faiss.IndexIDMap2(inner)
        if vectors.shape[0]:
            ids = np.arange(vectors.shape[0], dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
            index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
        out = cls(index)
        out._keep = inner  # the wrapper does not own the SWIG object: keep it alive
        return out

    def save(self, folder: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(folder / FAISS_FILE))

    @classmethod
    def load(cls, folder: Path, ef_search: int | None = None) -> "DenseRetriever":
        """Load the index file once (read fully into memory; FAISS cannot mmap HNSW graphs)."""
        import faiss

        return cls(faiss.read_index(str(folder / FAISS_FILE)), ef_search)

    def vector(self, row: int) -> np.ndarray:
        """The stored vector of one passage row (KeyError when the row has none)."""
        try:
            return self._index.reconstruct(int(row))
        except RuntimeError:
            raise KeyError(row) from None

    def vectors(self) -> np.ndarray:
        """All stored vectors in storage order (see rows(); for reuse by an incremental build)."""
        if self.size == 0:
            return np.zeros((0, self._index.d), dtype=np.float32)
        return self._inner.reconstruct_n(0, self.size)

    def search(self, query: np.ndarray, n: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        import faiss

        if self.size == 0 or n <= 0:
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        selector = None
        if mask is not None:
            if not mask.any():
                return []
            bits = np.packbits(mask, bitorder="little")  # FAISS reads bit i as (bits[i >> 3] >> (i & 7)) & 1
            selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits))  # O(1) per id, built in ~0.1 ms
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(self._ef_search, n))
            if selector is not None:
                params.sel = selector
        else:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
        # One query gains nothing from an OpenMP team, whose barrier waits cost 2-4 ms on a busy 2-core machine
        # (0.3 ms alone). The thread count is per calling thread in OpenMP, so a build elsewhere keeps its cores.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            scores, ids = self._index.search(q, min(n, self.size), params=params)
        finally:
            faiss.omp_set_num_threads(threads)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
