"""The learned query adapter: ridge towards the identity, tied to its model, applied by the dense retriever only."""
import numpy as np

from index.embedders import BundledEmbedder, OnnxE5Embedder
from index.ranking.adapter import QueryAdapter, fit_adapter, fit_contrastive, load_adapter, save_adapter
from index.ranking.ranker import Ranker
from index.ranking.rerank import PipelineOptions


def _pairs(n=200, d=8, seed=3):
    rng = np.random.default_rng(seed)
    q = rng.normal(size=(n, d))
    true = np.eye(d) + 0.5 * rng.normal(size=(d, d))
    return q, q @ true.T, true


def test_fit_recovers_a_linear_map_and_stays_at_the_identity_without_evidence():
    q, p, true = _pairs()
    assert np.allclose(fit_adapter(q, p, 1e-6), true, atol=1e-3)
    assert np.allclose(fit_adapter(q, p, 1e9), np.eye(q.shape[1]), atol=1e-3)
    half = fit_adapter(q, p, 200.0)  # in between: part of the way from I to the fitted map
    assert 0 < np.abs(half - np.eye(8)).sum() < np.abs(true - np.eye(8)).sum()


def _contrastive_loss(delta, q, p, neg, lam, t, groups):
    """The objective fit_contrastive minimises, written out directly (padding rows of neg are all zeros)."""
    wq = q + q @ delta.T
    wq = wq / np.linalg.norm(wq, axis=1, keepdims=True)  # cosines, as served
    own = np.concatenate([np.einsum("nd,nd->n", wq, p)[:, None], np.einsum("nd,nkd->nk", wq, neg)], axis=1)
    own[:, 1:][~np.any(neg != 0, axis=2)] = -np.inf
    batch = wq @ p.T
    batch[groups[:, None] == groups[None, :]] = -np.inf  # own gold, and golds of the same article
    logits = np.concatenate([own, batch], axis=1) / t
    logits -= logits.max(axis=1, keepdims=True)
    return -(logits[:, 0] - np.log(np.exp(logits).sum(axis=1))).mean() + lam * (delta ** 2).sum()


def test_contrastive_fit_reaches_a_minimum_of_its_objective():
    rng = np.random.default_rng(0)
    q = rng.normal(size=(12, 6))
    p = q + 0.5 * rng.normal(size=(12, 6))
    neg = rng.normal(size=(12, 5, 6))
    neg[0, -1] = 0  # padding
    groups = np.arange(12) % 10  # questions 10 and 11 ask about the articles of 0 and 1
    w = fit_contrastive(q, p, neg, 0.1, temperature=0.5, steps=300, lr=0.01, groups=groups)
    delta = w.astype(np.float64) - np.eye(6)
    at_identity = _contrastive_loss(np.zeros((6, 6)), q, p, neg, 0.1, 0.5, groups)
    assert _contrastive_loss(delta, q, p, neg, 0.1, 0.5, groups) < 0.8 * at_identity
    grad = np.zeros_like(delta)  # central differences: the fitted map is (nearly) stationary
    for a in range(6):
        for b in range(6):
            step = np.zeros_like(delta)
            step[a, b] = 1e-5
            grad[a, b] = (_contrastive_loss(delta + step, q, p, neg, 0.1, 0.5, groups)
                          - _contrastive_loss(delta - step, q, p, neg, 0.1, 0.5, groups)) / 2e-5
    assert np.abs(grad).max() < 0.02
    strong = fit_contrastive(q, p, neg, 1e3, temperature=0.5, steps=300, lr=0.01)
    assert np.abs(strong - np.eye(6)).max() < 0.01  # a heavy penalty keeps the identity


def test_weights_decide_whose_map_is_learned():
    """Two kinds of pairs with different maps: unweighted, the many decide; weighted by kind, each counts alike, and
    a pair of weight 2 counts as the pair twice."""
    from evaluation.fit_adapter import kind_weights

    q1, p1, map1 = _pairs(n=300, seed=1)
    q2, p2, map2 = _pairs(n=30, seed=2)
    q, p = np.vstack([q1, q2]), np.vstack([p1, p2])
    kinds = np.array(["real"] * 300 + ["cp"] * 30)
    weights = kind_weights(kinds, "kind")
    assert np.isclose(weights[:300].sum(), weights[300:].sum()) and np.isclose(weights.mean(), 1.0)
    assert kind_weights(kinds, "none") is None
    plain, balanced = fit_adapter(q, p, 1.0), fit_adapter(q, p, 1.0, weights)
    assert np.abs(balanced - map2).sum() < np.abs(plain - map2).sum()  # the few count as much as the many
    assert np.abs(plain - map1).sum() < np.abs(balanced - map1).sum()
    twice = fit_adapter(np.vstack([q, q[:1]]), np.vstack([p, p[:1]]), 1.0)
    assert np.allclose(fit_adapter(q, p, 1.0, np.r_[2.0, np.ones(len(q) - 1)]), twice, atol=1e-5)


def test_adapter_file_belongs_to_one_model_and_output_is_normalised(tmp_path):
    path = tmp_path / "adapter.npz"
    w = 2 * np.eye(4, dtype=np.float32)
    save_adapter(w, OnnxE5Embedder.name, 3.0, 10, path)
    same = load_adapter(BundledEmbedder.name, path)  # one model, two engines: the adapter holds for both
    assert same is not None and same.meta["lambda"] == 3.0 and same.meta["fitted_on"] == OnnxE5Embedder.name
    assert np.allclose(same.apply(np.array([3.0, 4.0, 0.0, 0.0])), [0.6, 0.8, 0.0, 0.0])
    assert load_adapter("st:/models/other", path) is None and load_adapter("", path) is None
    assert load_adapter(OnnxE5Embedder.name, tmp_path / "missing.npz") is None


def test_the_adapter_moves_dense_retrieval_and_the_best_pipeline(kb):
    query = "孩子在学校被同学欺负，学校应该怎么处理"
    plain = kb.search(query, k=10, mode="dense")
    d = kb.dense.vector(0).shape[0]
    flip = QueryAdapter(-np.eye(d, dtype=np.float32), "multilingual-e5-small", {})
    flipped = kb.search(query, k=10, mode="dense", query_transform=flip.apply)
    assert [h.clause_id for h in flipped] != [h.clause_id for h in plain]
    assert kb.search(query, k=10, mode="bm25", query_transform=flip.apply) == kb.search(query, k=10, mode="bm25")
    ranker = Ranker(kb, "上海", 500, adapter=flip)
    moved = ranker.search(query, k=10)
    off = ranker.search(query, k=10, options=PipelineOptions(adapted=False))
    assert [h.clause_id for h in moved] != [h.clause_id for h in off]
