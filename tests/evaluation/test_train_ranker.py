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
    (tmp_path / "dev_A_y.npz").write_bytes(b"")  # another adapter's pool in the same folder is not read
    assert last_pools(tmp_path) == {"dev@A": tmp_path / "dev_A_x.npz"}
