"""`policykb eval` end to end on a small BM25-only index of the work plan: table, JSON and run files."""
import json

import pytest

from evaluation.scoring import read_run
from policykb.cli import main
from tests.conftest import WORKPLAN

QUESTIONS = [
    {"id": "W1", "question": "今年爱心暑托班要开多少个？", "type": "number",
     "answers": [{"doc": "2024年上海市未成年人保护工作要点", "file": "x", "article": "三、二是", "quote": "开办不少于500个爱心暑托班"}]},
    {"id": "W2", "question": "哪份文件提出探索网络文化产品分级机制？", "type": "which_doc",
     "answers": [{"doc": "2024年上海市未成年人保护工作要点", "file": "x", "article": "三、三是", "quote": "探索研究网络文化产品分级机制"}]},
    {"id": "W3", "question": "校车驾驶人要几年驾龄？", "type": "none", "answers": []},
]


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    from index.build import build_index

    out = tmp_path_factory.mktemp("evalcli") / "index"
    build_index([WORKPLAN], out, embedder="none")
    return out


def test_eval_prints_table_and_writes_json_and_runs(small_index, tmp_path, capsys):
    qfile = tmp_path / "q.jsonl"
    qfile.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS), encoding="utf-8")
    out, runs = tmp_path / "out.json", tmp_path / "runs"
    code = main(["eval", "--index", str(small_index), "--questions", str(qfile),
                 "--configs", "bm25,best,best-linear -coverage", "--json", str(out), "--runs", str(runs)])
    assert code == 0
    table = capsys.readouterr().out
    assert "| config | R@1 | R@5 |" in table and "| best-linear -coverage |" in table
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
    assert [r["config"] for r in rows] == ["bm25", "best", "best-linear -coverage"]
    best = rows[1]
    assert best["answerable"] == 2 and best["R@5"] == 1.0
    assert set(best["found_rate"]) == {"none", "answerable"}
    run = read_run(runs / "best.jsonl")
    assert set(run) == {"W1", "W2", "W3"} and all(len(v) <= 10 for v in run.values())


def test_eval_rejects_unknown_config_and_missing_questions(small_index, tmp_path, capsys):
    qfile = tmp_path / "q.jsonl"
    qfile.write_text(json.dumps(QUESTIONS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["eval", "--index", str(small_index), "--questions", str(qfile), "--configs", "nonsense"]) == 2
    assert "unknown configuration" in capsys.readouterr().err
    assert main(["eval", "--index", str(small_index), "--questions", str(tmp_path / "nope.jsonl")]) == 2
    assert "not found" in capsys.readouterr().err
