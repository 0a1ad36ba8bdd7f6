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


def fit_contrastive(queries: np.ndarray, positives: np.ndarray, negatives: np.ndarray, lam: float,
                    temperature: float = 0.05, steps: int = 300, lr: float = 0.002,
                    weights: np.ndarray | None = None, groups: np.ndarray | None = None) -> np.ndarray:
    """W minimising the softmax cross-entropy of ranking each question's gold passage first by cosine,
    cos(W q_i, c) / t over c in {p_i} ∪ its hard negatives ∪ the other questions' golds, + lam ||W - I||^2 (Adam
    from W = I, full batch). Ridge asks W q to land on the gold; this asks only that the gold outrank the passages
    the plain vector confuses it with — the order dense retrieval needs, scored as served (W q normalised).
    queries, positives: (n, d); negatives: (n, k, d) per question (rows of zeros are padding); groups: one key per
    question (its gold article): another question's gold of the same key is no negative."""
    n, d = queries.shape
    w_pair = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    w_pair = w_pair / w_pair.sum()
    q, pos, neg = (np.asarray(a, dtype=np.float64) for a in (queries, positives, negatives))
    pad = ~np.any(neg != 0, axis=2)  # (n, k): padding rows take no part
    same = np.eye(n, dtype=bool) if groups is None else np.asarray(groups)[:, None] == np.asarray(groups)[None, :]
    k = neg.shape[1]
    delta = np.zeros((d, d))
    m, v = np.zeros_like(delta), np.zeros_like(delta)
    for step in range(1, steps + 1):
        wq = q + q @ delta.T  # W q_i with W = I + delta
        norm = np.linalg.norm(wq, axis=1, keepdims=True)
        u = wq / norm
        own = np.concatenate([np.einsum("nd,nd->n", u, pos)[:, None], np.einsum("nd,nkd->nk", u, neg)], axis=1)
        own[:, 1:][pad] = -np.inf
        batch = u @ pos.T
        batch[same] = -np.inf  # the question's own gold is column 0 of `own`; same-article golds are no negatives
        logits = np.concatenate([own, batch], axis=1) / temperature
        logits -= logits.max(axis=1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(axis=1, keepdims=True)
        coef = prob.copy()
        coef[:, 0] -= 1.0  # d loss / d logit: softmax - one-hot on the gold
        coef *= w_pair[:, None] / temperature
        g_u = coef[:, :1] * pos + np.einsum("nk,nkd->nd", coef[:, 1:k + 1], neg) + coef[:, k + 1:] @ pos
        g_wq = (g_u - np.sum(g_u * u, axis=1, keepdims=True) * u) / norm  # through the normalisation
        grad = g_wq.T @ q + 2 * lam * delta  # d/d delta of sum_i w_i loss_i, wq_i = (I + delta) q_i
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        delta -= lr * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    return (np.eye(d) + delta).astype(np.float32)


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
                 balance: str = "none", method: str = "ridge", folds: str = "") -> None:
    """Write the adapter with the model it was fitted for (from the embedder's name) and its provenance (`folds`:
    for a fold adapter, how its CV folds were drawn, so a trainer can refuse fold adapters of other folds)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = json.dumps({"model": model_family(embedder), "fitted_on": embedder, "lambda": lam,
                       "questions": questions, "balance": balance, "method": method,
                       **({"folds": folds} if folds else {})})
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
