"""The retrievers and fusion on their own: exact vs approximate FAISS, masks, save/load, RRF and weighted fusion."""
from __future__ import annotations

import numpy as np
import pytest

from index.fusion import FusionConfig, fuse, rrf, weighted
from index.retrievers import BM25Retriever, DenseRetriever


def unit_vectors(n: int, dim: int, seed: int = 7) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype("float32")
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("exact_limit,kind", [(10_000, "flat"), (100, "hnsw")])
def test_dense_index_kinds_search_masks_and_round_trip(tmp_path, exact_limit, kind):
    vecs = unit_vectors(600, 16)
    dense = DenseRetriever.build(vecs, 16, exact_limit=exact_limit)
    assert dense.kind == kind and dense.size == 600
    top = dense.search(vecs[42], 5)
    assert top[0][0] == 42 and top[0][1] == pytest.approx(1.0, abs=1e-4)
    mask = np.zeros(600, dtype=bool)
    mask[[3, 42, 77]] = True
    masked = dense.search(vecs[42], 5, mask)
    assert {row for row, _ in masked} <= {3, 42, 77} and masked[0][0] == 42
    dense.save(tmp_path)
    again = DenseRetriever.load(tmp_path)
    assert again.kind == kind and again.search(vecs[7], 1)[0][0] == 7
    if kind == "flat":
        assert np.allclose(again.vectors(), vecs, atol=1e-6)


def test_bm25_masks_and_ignores_unknown_words(tmp_path):
    bm25 = BM25Retriever.build(["网络 保护 网信部门", "学校 安全", "网络 游戏 沉迷", ""])
    rows = [r for r, _ in bm25.search(["网络"], 10)]
    assert sorted(rows) == [0, 2]
    assert [r for r, _ in bm25.search(["网络"], 10, np.array([False, False, True, True]))] == [2]
    assert bm25.search(["完全陌生的词"], 10) == [] and bm25.search([], 10) == []
    bm25.save(tmp_path)
    assert BM25Retriever.load(tmp_path).search(["游戏"], 1)[0][0] == 2


def test_bm25_weighted_query_scales_each_token(tmp_path):
    bm25 = BM25Retriever.build(["网络 保护", "学校 安全", "网络 学校"])
    plain = dict(bm25.search(["网络", "学校"], 10))
    assert dict(bm25.search({"网络": 1.0, "学校": 1.0}, 10)) == pytest.approx(plain)
    leaning = bm25.search({"网络": 1.0, "学校": 0.1}, 10)  # 学校 barely counts: the 网络-only row wins over 学校's
    assert leaning[0][0] == 2 and [r for r, _ in leaning].index(0) < [r for r, _ in leaning].index(1)
    assert bm25.search({"网络": 0.0}, 10) == []
    bm25.save(tmp_path)
    assert dict(BM25Retriever.load(tmp_path).search({"网络": 0.5}, 10)) == pytest.approx(
        {r: s / 2 for r, s in bm25.search(["网络"], 10)})


def test_rrf_and_weighted_fusion():
    lists = {"bm25": [(1, 9.0), (2, 5.0)], "dense": [(2, 0.9), (3, 0.5)]}
    fused = rrf(lists, k=60)
    assert fused[0][0] == 2 and fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    assert {r for r, _ in fused} == {1, 2, 3}
    w = weighted(lists, {"bm25": 1.0, "dense": 0.0})
    assert w[0][0] == 1
    assert fuse(lists, FusionConfig(method="weighted", weights={"bm25": 0.0, "dense": 1.0}))[0][0] == 2
    with pytest.raises(ValueError, match="fusion method"):
        FusionConfig(method="max")


@pytest.mark.parametrize("exact_limit", [10_000, 100])
def test_dense_index_holds_only_the_rows_given(tmp_path, exact_limit):
    vecs = unit_vectors(300, 16)
    rows = np.arange(0, 600, 2)  # every other passage row has a vector (the rest: superseded, BM25 only)
    dense = DenseRetriever.build(vecs, 16, exact_limit=exact_limit, rows=rows)
    assert dense.size == 300 and np.array_equal(dense.rows(), rows)
    top = dense.search(vecs[21], 3)
    assert top[0][0] == 42 and all(r % 2 == 0 for r, _ in top)
    mask = np.zeros(600, dtype=bool)
    mask[[41, 42, 44]] = True  # 41 has no vector: never returned
    assert {r for r, _ in dense.search(vecs[21], 5, mask)} <= {42, 44}
    dense.save(tmp_path)
    again = DenseRetriever.load(tmp_path)
    assert np.array_equal(again.rows(), rows) and np.allclose(again.vectors(), vecs, atol=1e-6)
    assert again.search(vecs[7], 1)[0][0] == 14


def test_dense_search_runs_single_threaded_and_restores_the_callers_thread_count():
    """A query search sets FAISS to one thread for itself only and leaves the caller's OpenMP setting as it was
    (a build in the same thread afterwards keeps every core)."""
    import faiss

    dense = DenseRetriever.build(unit_vectors(300, 16), 16)
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(2)
    try:
        assert dense.search(unit_vectors(1, 16, seed=3)[0], 5)
        assert faiss.omp_get_max_threads() == 2
    finally:
        faiss.omp_set_num_threads(before)


def test_bm25_stand_ins_for_an_unknown_word_are_memoised_and_stable():
    bm25 = BM25Retriever.build(["网信部门 负责", "网信部门 统筹", "网信办 协调", "学校"])
    first = bm25.resolve(["网信"])
    assert first[0] == "网信部门" and set(first) == {"网信部门", "网信办"}
    assert bm25.resolve(["网信"]) == first and bm25.resolve(["网信", "学校"]) == first + ["学校"]
