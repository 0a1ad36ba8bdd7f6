"""Our scorer agrees with ../shared/eval/score.py, and implements each part of the hit rule."""
import importlib.util
import json
import random

import pytest

from evaluation.scoring import fold, is_hit, names_document, read_jsonl, read_run, score
from tests.conftest import need_shared


def load_reference():
    path = need_shared("eval", "score.py")
    spec = importlib.util.spec_from_file_location("reference_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def perturbed_run(questions, seed=7):
    """A run exercising every branch of the hit rule: exact, padded, cut to 85%/75%, wrong title, decorated title."""
    rng = random.Random(seed)
    titles = sorted({a["doc"] for q in questions for a in q["answers"]})
    run = {}
    for q in questions:
        results = []
        for a in q["answers"]:
            quote = a["quote"]
            cut85 = quote[: int(len(quote) * 0.85) + 1]
            cut75 = quote[: int(len(quote) * 0.75)]
            variants = [
                (a["doc"], "前文，" + quote + "。后文"),
                ("中华人民共和国" + a["doc"], quote.replace("，", ", ")),
                ("关于印发《" + a["doc"] + "》的通知", "开头" + cut85),
                (a["doc"], cut75 + "不同的结尾"),
                (rng.choice(titles), quote),
                (a["doc"][:3], quote),
            ]
            results.extend({"doc_title": t, "text": x} for t, x in variants)
        rng.shuffle(results)
        if results or rng.random() < 0.5:
            run[q["id"]] = results[:12]
    return run


def test_agrees_with_reference_on_perturbed_run(dev_questions, tmp_path):
    ref = load_reference()
    questions = read_jsonl(dev_questions)
    run = perturbed_run(questions)
    run_path = tmp_path / "run.jsonl"
    run_path.write_text("".join(json.dumps({"id": k, "results": v}, ensure_ascii=False) + "\n"
                                for k, v in run.items()), encoding="utf-8")
    ours = score(questions, read_run(run_path)).as_dict()
    theirs = ref.score(questions, run)
    assert ours == theirs
    # the run is not trivial: some questions hit late, some miss within 10
    assert 0 < ours["R@1"] < ours["R@10"]


def test_hit_rule_parts():
    gold = {"doc": "上海市未成年人保护条例", "quote": "网信部门负责统筹协调本市未成年人网络保护和相关监督管理工作"}
    assert is_hit({"doc_title": "《上海市未成年人保护条例》", "text": "第四十九条 " + gold["quote"] + "。"}, gold)
    assert not is_hit({"doc_title": "上海市精神卫生条例", "text": gold["quote"]}, gold)
    quote = fold(gold["quote"])
    assert is_hit({"doc_title": gold["doc"], "text": quote[: int(0.8 * len(quote)) + 1]}, gold)
    assert not is_hit({"doc_title": gold["doc"], "text": quote[: int(0.8 * len(quote)) - 1]}, gold)


def test_titles():
    assert names_document("中华人民共和国未成年人保护法", "未成年人保护法")
    assert names_document("上海市未成年人保护委员会关于印发《2024年上海市未成年人保护工作要点》的通知",
                          "2024年上海市未成年人保护工作要点")
    assert not names_document("保护法", "未成年人保护法")  # contained title shorter than 6 characters
    assert fold("ａ，Ｂ　c。") == "aBc"


def test_bad_run_file_names_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "A1"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl"):
        read_run(bad)


def test_split_metrics_by_blind_split_and_by_trained_articles():
    from evaluation.scoring import TRAINING_SETS
    from evaluation.split_metrics import labels, split_rows, trained_articles

    if not all(p.is_file() for p in TRAINING_SETS.values()):
        pytest.skip("the training sets need ../shared/eval/dev.jsonl")
    file, article = sorted(trained_articles())[0]
    questions = [{"id": "X-1", "answers": [{"file": file, "article": article}]},
                 {"id": "X-2", "answers": [{"file": "laws/无此法.md", "article": "第一条"}]}]
    by = labels("trained", questions)
    assert by == {"X-1": "trained", "X-2": "new"}
    payload = {"rows": [{"config": "best", "first_hit_rank": {"X-1": 0, "X-2": None}}]}
    rows = split_rows(payload, by)
    assert rows[2] == "| best | new | 1 | 0.000 | 0.000 | 0.000 | 0.000 |"
    assert rows[3] == "| best | trained | 1 | 1.000 | 1.000 | 1.000 | 1.000 |"
    assert labels("blind") is None and len(split_rows(payload)) == 4  # real_dev's blind / train split by id
