"""Embedders: prompts per model family, the sentence-transformers path with a local model, refusal on mismatch."""
from __future__ import annotations


import numpy as np
import pytest

from index.build import build_index
from index.cache import EmbeddingCache
from index.embedders import (BGE_ZH_QUERY_INSTRUCTION, EmbedderError, _prompts_for, make_embedder, omp_threads,
                             spec_name)
from index.errors import IndexMismatchError
from index.kb import KnowledgeBase


def test_prompts_follow_the_model_family():
    assert _prompts_for("intfloat/multilingual-e5-small") == ("query: ", "passage: ")
    assert _prompts_for("/models/e5-base-v2") == ("query: ", "passage: ")
    assert _prompts_for("BAAI/bge-small-zh-v1.5") == (BGE_ZH_QUERY_INSTRUCTION, "")
    assert _prompts_for("sentence-transformers/all-MiniLM-L6-v2") == ("", "")


def test_unknown_specs_are_refused_with_the_choices():
    with pytest.raises(EmbedderError, match="bundled, onnx, none, or st:"):
        make_embedder("word2vec")
    with pytest.raises(EmbedderError, match="cannot load the model offline"):
        make_embedder("st:/nonexistent/model-folder")


def test_bundled_vectors_are_normalised_and_rank_the_relevant_text_first():
    m = make_embedder("bundled")
    q = m.encode_queries(["哪个部门负责网络保护"])[0]
    p = m.encode_passages(["网信部门负责统筹协调未成年人网络保护工作", "学校食堂应当保证食品安全"])
    assert p.shape == (2, m.dim) and np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert p[0] @ q > p[1] @ q


def test_cache_embeds_each_text_once(tmp_path):
    m = make_embedder("bundled")
    cache = EmbeddingCache(tmp_path)
    texts = ["甲条文本", "乙条文本", "甲条文本"]
    first = cache.embed(m.name, texts, m.encode_passages)
    assert (cache.stats.misses, cache.stats.hits) == (2, 1)
    again = cache.embed(m.name, texts, m.encode_passages)
    assert cache.stats.misses == 2 and np.allclose(first, again)
    cache.close()
    reopened = EmbeddingCache(tmp_path)
    assert len(reopened.get_many(m.name, [__import__("index.cache").cache.text_hash("甲条文本")])) == 1
    assert reopened.get_many("st:other", [__import__("index.cache").cache.text_hash("甲条文本")]) == {}


def test_sentence_transformers_index_and_refusal(small_corpus, tmp_path, gt_model):
    model = gt_model
    spec = f"st:{model}"
    index_dir = tmp_path / "kb"
    report = build_index([small_corpus], index_dir, embedder=spec, cache_dir=tmp_path / "cache")
    assert report.embedder == spec_name(spec) and report.embedded > 0
    assert report.embedded + report.reused == report.vector_passages < report.passages  # superseded: BM25 only
    kb = KnowledgeBase.open(index_dir, embedder=spec)
    assert kb.manifest["dim"] == 384 and kb.manifest["embedder"].startswith("st:")
    hits = kb.search("child car safety seat 安全座椅", k=3, mode="dense")
    assert hits and all(h.ranks.keys() == {"dense"} for h in hits)
    hybrid = kb.search("安全座椅", k=3)  # an English model: the BM25 half has to carry this Chinese query
    seat = [h for h in hybrid if "安全座椅" in h.text]
    assert seat and set(seat[0].ranks) == {"bm25", "dense"} and seat[0].ranks["bm25"] == 1
    kb.close()
    with pytest.raises(IndexMismatchError, match="cannot be searched with"):
        KnowledgeBase.open(index_dir, embedder="bundled")


@pytest.mark.parametrize("value, threads", [("1", 1), ("2", 2), ("", None), ("0", None), ("many", None)])
def test_omp_num_threads_sets_the_engine_threads(monkeypatch, value, threads):
    monkeypatch.setenv("OMP_NUM_THREADS", value)
    assert omp_threads() == threads
