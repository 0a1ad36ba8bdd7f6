"""A linear query adapter for the dense retriever: W q moves a question's vector towards the clauses that answer
such questions, learned from (question, gold clause) pairs without re-embedding a single passage.

The passages are embedded once, zero-shot (multilingual-e5-small knows little of how laypeople word legal
questions); W is ridge regression towards the identity (evaluation/fit_adapter.py fits and measures it), so with
little data it stays close to the plain vector. The adapter file names the model it was fitted for (the bundled
and the onnx engine are one model: index.embedders.model_family); an index embedded by another model ignores it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.embedders import model_family

ADAPTER_FILE = Path(__file__).resolve().parent / "data" / "adapter.npz"


def fit_adapter(queries: np.ndarray, targets: np.ndarray, lam: float,
                weights: np.ndarray | None = None) -> np.ndarray:
    """W minimising sum w_i ||W q_i - p_i||^2 + lam ||W - I||^2 (queries, targets: one row per pair; weights: one
    per pair, default 1 — e.g. so that each kind of question weighs alike, however many of it there are)."""
    d = queries.shape[1]
    wq = queries if weights is None else queries * np.asarray(weights, dtype=queries.dtype)[:, None]
    gram = wq.T @ queries + lam * np.eye(d)
    wt = np.linalg.solve(gram, wq.T @ targets + lam * np.eye(d))
    return wt.T.astype(np.float32)


@dataclass(frozen=True)
class QueryAdapter:
    """A fitted W for one model's query vectors."""

    matrix: np.ndarray
    model: str  # index.embedders.model_family of the embedder it was fitted on
    meta: dict

    def apply(self, vector: np.ndarray) -> np.ndarray:
        """W q, L2-normalised (the index holds normalised vectors and searches by inner product)."""
        out = self.matrix @ np.asarray(vector, dtype=np.float32)
        norm = float(np.linalg.norm(out))
        return out / norm if norm > 0 else out


def save_adapter(matrix: np.ndarray, embedder: str, lam: float, questions: int, path: Path = ADAPTER_FILE,
                 balance: str = "none") -> None:
    """Write the adapter with the model it was fitted for (from the embedder's name) and its provenance."""
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = json.dumps({"model": model_family(embedder), "fitted_on": embedder, "lambda": lam,
                       "questions": questions, "balance": balance})
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, matrix=matrix.astype(np.float32), meta=np.array(meta))
    tmp.replace(path)


def load_adapter(embedder: str, path: Path | str = ADAPTER_FILE) -> QueryAdapter | None:
    """The packaged adapter when it was fitted for the model of `embedder` (the index's), else None."""
    path = Path(path)
    if not path.is_file():
        return None
    data = np.load(path, allow_pickle=False)
    meta = json.loads(str(data["meta"]))
    if not embedder or meta.get("model") != model_family(embedder):
        return None
    return QueryAdapter(data["matrix"], meta["model"], meta)
