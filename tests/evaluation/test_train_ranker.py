"""The ranker's training pools: with fold adapters, each question's candidates come from the adapter that never saw it."""
import numpy as np
import pytest

from evaluation.train_ranker import FOLDS, bucket, collect
from index.ranking.adapter import QueryAdapter
from index.ranking.ltr import FEATURES
from index.ranking.rerank import PipelineOptions


def test_each_question_is_drawn_with_its_own_fold_adapter(kb, tmp_path):
    d = kb.dense.vector(0).shape[0]
    plain = QueryAdapter(np.eye(d, dtype=np.float32), "multilingual-e5-small", {})
    flip = QueryAdapter(-np.eye(d, dtype=np.float32), "multilingual-e5-small", {})
    question = {"id": "T-1", "question": "孩子在学校被同学欺负，学校应该怎么处理",
                "answers": [{"doc": "未成年人保护法", "quote": "学生欺凌"}]}
    options = PipelineOptions(region="上海", learned=False)
    folds = [plain] * FOLDS
    same = collect(kb, [question], options, tmp_path / "same.npz", folds)
    folds[bucket("T-1")] = flip  # only the question's own fold changes
    moved = collect(kb, [question], options, tmp_path / "moved.npz", folds)
    dense = FEATURES.index("dense")
    assert not np.array_equal(np.nan_to_num(same["x"][:, dense]), np.nan_to_num(moved["x"][:, dense]))
    folds[bucket("T-1")] = plain
    folds[(bucket("T-1") + 1) % FOLDS] = flip  # another fold's adapter does not touch this question
    other = collect(kb, [question], options, tmp_path / "other.npz", folds)
    np.testing.assert_array_equal(other["x"], same["x"])


def test_readers_take_only_the_last_runs_pools(tmp_path):
    import json

    from evaluation.train_ranker import POOLS_FILE, last_pools

    with pytest.raises(FileNotFoundError, match="no train_ranker run"):
        last_pools(tmp_path)
    (tmp_path / POOLS_FILE).write_text(json.dumps({"dev@A": "dev_A_x.npz"}), encoding="utf-8")
    assert last_pools(tmp_path) == {"dev@A": tmp_path / "dev_A_x.npz"}  # the recorded file, not a folder listing


def test_gold_folds_keep_one_articles_questions_together():
    from evaluation.train_ranker import fold_of, gold_key

    gold = {"doc": "某法", "article": "第十一条", "quote": "x"}
    a = {"id": "q1", "answers": [gold]}
    b = {"id": "q2-other-id", "answers": [gold, {"doc": "另法", "article": "第一条", "quote": "y"}]}
    assert fold_of(a, "gold") == fold_of(b, "gold")  # the first gold article decides
    spread = {fold_of({"id": "q", "answers": [{"doc": "某法", "article": f"第{i}条"}]}, "gold") for i in range(40)}
    assert spread == set(range(FOLDS))  # articles spread over every fold; the question id plays no part
    other_doc = {"id": "q1", "answers": [{**gold, "doc": "另法"}]}
    assert gold_key(other_doc) != gold_key(a)
    assert fold_of(a, "id") == bucket("q1")
    with pytest.raises(ValueError, match="use id or gold"):
        fold_of(a, "doc")


def test_compare_pools_scores_the_judge_pools_out_of_fold(tmp_path):
    import json

    from evaluation import compare_pools
    from evaluation.train_ranker import POOLS_FILE, SETS

    rng = np.random.default_rng(5)

    def pools(work, signal):
        work.mkdir()
        names = [f"{n}@{c}" for c in ("A", "B") for n in SETS] + ["real_dev-train@B"]
        files = {}
        for i, name in enumerate(names):
            x, y, qid, fold = [], [], [], []
            for q in range(10):  # 10 questions of 8 candidates; the gold is candidate 0
                for c in range(8):
                    row = rng.normal(size=len(FEATURES)).astype(np.float32)
                    row[dense] = (1.0 if c == 0 else 0.0) * signal + rng.normal() * 0.1
                    x.append(row)
                    y.append(int(c == 0))
                    qid.append(f"{name}-{q}")
                    fold.append(q % FOLDS)
            files[name] = f"{i}.npz"
            np.savez(work / files[name], x=np.array(x), y=np.array(y), qid=np.array(qid), fold=np.array(fold),
                     linear=np.zeros(len(y)), support=np.zeros(len(y), dtype=np.float32))
        (work / POOLS_FILE).write_text(json.dumps(files), encoding="utf-8")
        return work

    dense = FEATURES.index("dense")
    informative, noise = pools(tmp_path / "a", 1.0), pools(tmp_path / "b", 0.0)
    judge = compare_pools.load(informative)
    good = compare_pools.judged(compare_pools.load(informative), judge)
    bad = compare_pools.judged(compare_pools.load(noise), judge)
    # trained where the dense score marks the gold: first nearly always (the other columns are random, and a tree
    # may split on one of them); a random order would give MRR about 0.34
    assert min(good[n][0] for n in good) >= 0.9 and np.mean([good[n][0] for n in good]) >= 0.98
    assert compare_pools.objective(bad)[0] < compare_pools.objective(good)[0]
    blind = compare_pools.judged(compare_pools.load(informative), judge,
                                 tuple(f for f in FEATURES if f != "dense"), seed=12)  # the ablation's call
    assert compare_pools.objective(blind)[0] < compare_pools.objective(good)[0]
