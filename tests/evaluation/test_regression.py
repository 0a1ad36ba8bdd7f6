"""Guards the best pipeline's dev numbers on the work plan + related laws (bundled embedder), and checks our
scorer against ../shared/eval/score.py on a run recorded from the real index."""
import json

import pytest

from evaluation.harness import configurations, run_configuration
from evaluation.scoring import read_jsonl, read_run, score
from tests.evaluation.test_scoring import load_reference

# Measured with `policykb eval` on this corpus (README, Evaluation); the test allows a small tolerance for
# floating-point / library drift, not for a real regression.
# (dev, workplan + related, bundled embedder, learned ranker + query adapter: best R@5 0.978, MRR@10 0.906 — dev
# is part of the ranker's training data, so this guards the pipeline, it does not measure it. Re-recorded for the
# ranker trained on out-of-fold adapter pools with kind-balanced, regularised trees (was 1.000 / 0.974 for the first
# round's model, whose pools flattered dense features); the per-type floor is the linear rerank's old one.)
# The same commits (f7f30d5 passed CI on 2026-12-02) measure 0.978 / 0.906 on the AMD EPYC machines and 0.956 /
# 0.886 on an Intel Xeon (2026-12-03), with every dependency pinned: presumably the CPUs' numpy kernels round the
# bundled engine's vectors differently. There dev question A50 is 10th (1st with the onnx engine on the same
# machine): the trees' dense splits amplify last-bit differences. The floor is the lower of the two machines'.
FLOOR = {"R@5": 0.956, "MRR@10": 0.886, "per_type_R@5": 0.875}
TOLERANCE = 0.02


@pytest.fixture(scope="module")
def dev_best(ranker, dev_questions):
    questions = read_jsonl(dev_questions)
    (best,) = configurations(["best"], dense=ranker.kb.has_vectors)
    row, hits = run_configuration(ranker, questions, best, keep_hits=True)
    return questions, row, hits


def test_best_pipeline_dev_floor(dev_best):
    _, row, _ = dev_best
    m = row.metrics
    assert m.recall[5] >= FLOOR["R@5"] - TOLERANCE, m.as_dict()
    assert m.mrr >= FLOOR["MRR@10"] - TOLERANCE, m.as_dict()
    for qtype, (hit5, total) in m.r5_by_type.items():
        assert hit5 / total >= FLOOR["per_type_R@5"] - TOLERANCE, (qtype, m.as_dict())


def test_best_beats_plain_hybrid(ranker, dev_best):
    questions, best_row, _ = dev_best
    (hybrid,) = configurations(["hybrid"], dense=ranker.kb.has_vectors)
    row, _ = run_configuration(ranker, questions, hybrid)
    assert best_row.metrics.mrr > row.metrics.mrr


def test_scorer_agrees_on_recorded_run(dev_best, dev_questions, tmp_path):
    questions, row, _ = dev_best
    path = tmp_path / "best.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for qid, results in row.run.items():
            fh.write(json.dumps({"id": qid, "results": results}, ensure_ascii=False) + "\n")
    run = read_run(path)
    assert score(questions, run).as_dict() == load_reference().score(questions, run)
