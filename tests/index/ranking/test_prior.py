"""The gold prior: keys that meet the corpus's titles, counts without a fold, and the mined file."""
import json
import math

import pytest

from evaluation.mine_prior import count, main as mine_main
from evaluation.train_ranker import bucket
from index.ranking.prior import GoldPrior, load_prior, title_key
from tests.conftest import store_views


def test_keys_match_the_corpus_titles():
    assert title_key("《中华人民共和国民法典》") == title_key("民法典") == "民法典"
    assert title_key("最高人民法院关于适用《中华人民共和国民法典》有关担保制度的解释") == "最高人民法院关于适用民法典有关担保制度的解释"


def _questions():
    ids = [f"Q-{i}" for i in range(40)]
    return [{"id": i, "question": "q", "answers": [{"doc": "民法典", "article": "第一千零八十四条", "quote": "x"},
                                                   {"doc": "中华人民共和国民法典", "article": "第一千零八十四条",
                                                    "quote": "y"}]}
            for i in ids] + [{"id": "N-1", "question": "q", "answers": []}]


def test_counts_once_a_question_by_fold():
    docs = count(_questions())
    assert sum(docs["民法典"].values()) == 40  # two golds in one document count once
    assert set(docs["民法典"]) <= set(range(5)) and len(docs) == 1


def test_a_fold_left_out_keeps_the_served_scale():
    prior = GoldPrior({"民法典": {1: 4, 2: 0}, "刑法": {1: 2}}, questions={1: 10, 2: 10})
    assert prior.feature("中华人民共和国民法典") == math.log1p(4)
    assert prior.without_fold(1).feature("刑法") == 0.0  # its only golds are fold 1's
    assert prior.without_fold(2).feature("民法典") == pytest.approx(math.log1p(8))  # 4 of 10 questions → of 20
    assert prior.feature("某省条例") == 0.0


def test_mined_file_round_trips(tmp_path):
    from evaluation.train_ranker import REAL_DEV

    if not REAL_DEV.is_file():
        pytest.skip(f"{REAL_DEV} absent: the prior is mined from real_dev's training folds")
    out = tmp_path / "prior.json"
    assert mine_main(["--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    prior = load_prior(out)
    assert sum(prior.questions.values()) == data["meta"]["questions"] > 300
    assert 0 not in prior.questions  # the blind split (bucket 0) is never counted
    top = max(data["docs"], key=lambda k: sum(data["docs"][k].values()))
    assert prior.feature(top) > 0
    assert load_prior(tmp_path / "missing.json") is None


def test_collect_gives_each_question_the_other_folds_prior(kb, tmp_path):
    from index.ranking.ltr import FEATURES

    def prior(fold):
        return GoldPrior({"未成年人保护法": {fold: 5}}, questions={bucket("T-1"): 10, (bucket("T-1") + 1) % 5: 10})
    views = store_views(kb, tmp_path, "prior", prior)
    col = FEATURES.index("prior_doc")
    assert views["seen"]["x"][:, col].max() > 0  # another fold's golds on the law raise its articles
    assert (views["hidden"]["x"][:, col] == 0).all()  # the question's own fold never counts
    assert views["served"]["x"][:, col].max() > 0  # a question not in the store sees every fold
