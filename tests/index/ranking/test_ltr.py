"""The learning-to-rank stage: its features over real candidates, the packaged model, and the Ranker using it."""
import json
import math

import numpy as np
import pytest

from index.hit import Hit
from index.ranking.ltr import FEATURES, GROUPS, article_number, load_model
from index.ranking.rerank import LEARNED, PipelineOptions, candidate_matrix, candidates


def _hit(locator):
    return Hit(clause_id="d#x", doc_id="d", doc_title="某法", citation="《某法》", locator=locator, text="t",
               article_id=None, article_text="t", level="法律", region="全国", issuer="", date=None,
               status="current", score=1.0)


def test_article_number_reads_chinese_numerals():
    assert article_number(_hit(("第四章", "第四十一条", "第一款"))) == 41
    assert article_number(_hit(("第一千零四十七条",))) == 1047
    assert math.isnan(article_number(_hit(("三、", "一是"))))


def test_groups_cover_every_feature_once():
    names = [f for g in GROUPS.values() for f in g]
    assert tuple(names) == FEATURES and len(set(names)) == len(names)


def test_feature_matrix_over_real_candidates(kb):
    options = PipelineOptions(region="上海", learned=False)
    analysis, hits = candidates(kb, "学校门口能不能开网吧", None, options, k=100)
    matrix = candidate_matrix(kb, analysis, hits, options)
    assert matrix.shape == (len(hits), len(FEATURES)) and len(hits) > 20
    col = {f: i for i, f in enumerate(FEATURES)}
    assert matrix[0, col["fused_rel"]] == 1.0 and list(matrix[:3, col["fused_rank"]]) == [0, 1, 2]
    assert (matrix[:, col["local"]] + matrix[:, col["national"]] >= 1).all()  # only binding texts are candidates
    assert np.isfinite(matrix[:, col["dense"]]).any()  # the index has vectors: dense scores of the dense top list
    no_dense = candidate_matrix(kb, analysis, hits, PipelineOptions(region="上海", learned=False, signals=()))
    assert np.isnan(no_dense[:, col["dense"]]).all()  # no dense signal: missing, not zero


def test_plain_cosine_covers_every_candidate(kb):
    dense = kb.search("学校门口能不能开网吧", k=20, mode="dense")
    query = kb.query_vector("学校门口能不能开网吧")
    vectors = kb.clause_vectors([h.clause_id for h in dense] + ["no-such-clause"], query)
    assert np.allclose(vectors[:-1] @ query, [h.scores["dense"] for h in dense], atol=1e-4)  # best passage each
    assert np.isnan(vectors[-1]).all()
    options = PipelineOptions(region="上海", learned=False)
    analysis, hits = candidates(kb, "学校门口能不能开网吧", None, options, k=100)
    col = {f: i for i, f in enumerate(FEATURES)}
    matrix = candidate_matrix(kb, analysis, hits, options)
    plain = matrix[:, col["plain"]]
    assert np.isfinite(plain).all()  # BM25-only candidates too, unlike the dense retriever's own scores
    assert set(matrix[:, col["plain_rank"]]) == set(map(float, range(1, len(hits) + 1)))
    assert (matrix[:, col["plain_gap"]] <= 0).all() and (matrix[:, col["plain_gap"]] == 0).any()


def test_pool_links_credit_the_article_a_candidate_cites(kb):
    options = PipelineOptions(region="上海", learned=False)
    analysis, hits = candidates(kb, "没有履行报告义务造成严重后果怎么处理", None, options, k=100)
    by_locator = {h.article_id: i for i, h in enumerate(hits) if "未成年人保护法" in h.doc_title and "上海" not in h.doc_title}
    penalty = next(a for a in by_locator if a.endswith("#第一百一十七条"))  # 违反本法第十一条第二款规定…
    duty = next(a for a in by_locator if a.endswith("#第十一条"))  # both are candidates of this question
    assert (penalty, duty) in kb.article_links([h.article_id or h.clause_id for h in hits])
    col = {f: i for i, f in enumerate(FEATURES)}
    matrix = candidate_matrix(kb, analysis, hits, options)
    i, j = by_locator[penalty], next(i for i, h in enumerate(hits) if h.article_id == duty)
    assert matrix[j, col["pool_cited"]] >= matrix[i, col["fused_rel"]] > 0  # the duty gets the penalty's score
    assert matrix[i, col["pool_cites"]] >= matrix[j, col["fused_rel"]] > 0
    assert kb.article_links([penalty]) == set()


def test_citation_prior_counts_citing_documents(kb):
    law = next(d for d in kb.documents(limit=100) if "未成年人保护法" in d.title and "上海" not in d.title)
    assert kb.citation_count(law.id) == len(kb.cited_by(law.id)) >= 1


def test_ranker_orders_by_the_trained_model(ranker):
    assert ranker.pipeline().model is ranker.model  # the index has vectors
    assert ranker.model is not None and ranker.model.fingerprint
    hits = ranker.search("娃网瘾太重，想找专业机构帮忙戒，归哪个部门管？", k=10)
    assert [h.ranks[LEARNED] for h in hits] == list(range(1, 11))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    linear = ranker.search("娃网瘾太重，想找专业机构帮忙戒，归哪个部门管？", k=10,
                           options=PipelineOptions(learned=False))
    assert all(LEARNED not in h.ranks for h in linear)


def test_model_with_unknown_features_is_refused(tmp_path):
    model, meta = tmp_path / "m.txt", tmp_path / "m.json"
    model.write_text("tree", encoding="utf-8")
    meta.write_text(json.dumps({"features": ["fused_rel", "no_such_feature"]}), encoding="utf-8")
    with pytest.raises(ValueError, match="no_such_feature"):
        load_model(model, meta)
    assert load_model(tmp_path / "absent.txt", meta) is None


def test_an_index_without_vectors_is_ranked_by_the_lexical_model(tmp_path, small_corpus):
    from index.build import build_index
    from index.kb import KnowledgeBase
    from index.ranking.ranker import Ranker

    build_index([small_corpus], tmp_path / "kb", embedder="none")
    kb = KnowledgeBase.open(tmp_path / "kb")
    try:
        ranker = Ranker(kb, "上海", 500)
        assert ranker.lexical_model is not None and ranker.lexical_model.fingerprint != ranker.model.fingerprint
        assert ranker.pipeline().model is ranker.lexical_model  # dense features would all be missing here
    finally:
        kb.close()
