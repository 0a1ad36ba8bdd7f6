"""The session index over the work plan + related laws (bundled embedder): retrieval, grouping, batch, CLI."""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evaluation.runs import read_questions, run_batch, write_run
from index.hit import Filters
from policykb.cli import main

REPO = Path(__file__).resolve().parents[2]
NET_QUOTE = "网信部门负责统筹协调本市未成年人网络保护和相关监督管理工作"


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_each_mode_finds_the_network_protection_article(kb, mode):
    hits = kb.search("哪个部门负责本市未成年人网络保护？", k=5, mode=mode)
    found = [h for h in hits if NET_QUOTE in h.article_text]
    assert found, [h.citation for h in hits]
    hit = found[0]
    assert hit.citation.startswith("《上海市未成年人保护条例》第四十九条")
    assert hit.status == "current" and hit.date == "2024-12-31" and hit.region == "上海"
    expected = {"bm25", "dense"} if mode == "hybrid" else {mode}
    assert set(hit.ranks) == expected and all(hit.scores[m] > 0 for m in expected)


def test_hybrid_hits_carry_both_retrievers_and_fused_order(kb):
    hits = kb.search("学校心理健康教育", k=10)
    assert any(set(h.ranks) == {"bm25", "dense"} for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_work_plan_paragraph_cites_section_and_marker(kb):
    hits = kb.search("孤独症儿童关爱服务体系", k=5, filters=Filters(levels=("工作要点",)))
    assert hits and hits[0].doc_title == "2024年上海市未成年人保护工作要点"
    assert hits[0].citation == "《2024年上海市未成年人保护工作要点》第二部分第二项"
    assert "孤独症儿童" in hits[0].article_text


def test_superseded_version_only_with_all_versions(kb):
    title = "上海市未成年人保护条例"
    docs = [d for d in kb.documents(Filters(include_superseded=True), limit=100) if d.title == title]
    assert len(docs) == 2
    versions = kb.versions(docs[0].id)
    assert versions[0].status == "current" and versions[1].status == "superseded"
    q = "本市行政区域内未满十八周岁的公民的保护适用本条例"
    assert all(h.status == "current" for h in kb.search(q, k=10, mode="bm25"))
    every = kb.search(q, k=10, mode="bm25", filters=Filters(include_superseded=True))
    assert any(h.status == "superseded" for h in every)


def test_search_documents_for_which_document_questions(ranker):
    groups = ranker.search_documents("哪部法律规定了家庭教育指导服务", k=5)
    assert len({g.doc_id for g in groups}) == len(groups) > 1
    assert any(g.title.endswith("家庭教育促进法") for g in groups[:3])


def test_cites_resolve_to_corpus_documents(kb):
    city = next(d for d in kb.documents(limit=100) if d.title == "上海市未成年人保护条例")
    assert "中华人民共和国未成年人保护法" in [d.title for d in kb.cites(city.id)]  # cited as 《中华人民共和国…》
    national = next(d for d in kb.documents(limit=100) if d.title == "中华人民共和国未成年人保护法")
    assert city.id in [d.id for d in kb.cited_by(national.id)]


def test_bm25_latency_is_interactive(kb):
    queries = ["网吧", "安全座椅几岁", "学校周边烟酒", "强制报告制度", "困境儿童关爱服务"] * 4
    times = []
    for q in queries:
        t = time.perf_counter()
        kb.search(q, k=10, mode="bm25")
        times.append(time.perf_counter() - t)
    assert statistics.median(times) < 0.03


def test_batch_run_is_scored_by_the_shared_scorer(kb, dev_questions, tmp_path):
    questions = read_questions(dev_questions)
    records = run_batch(questions, lambda q, n: kb.search(q, k=n, mode="bm25"), k=10)
    assert len(records) == len(questions)
    first = records[0]["results"][0]
    assert {"doc_title", "locator", "citation", "text", "score"} <= set(first)
    units = [r["citation"] for r in records[0]["results"]]
    assert len(units) == len(set(units))  # one result per citation unit
    run = tmp_path / "run.jsonl"
    write_run(records, run)
    scorer = dev_questions.parent / "score.py"
    out = subprocess.run([sys.executable, str(scorer), str(dev_questions), str(run)], capture_output=True,
                         text=True, check=True).stdout
    assert "R@" in out or "r@" in out.lower(), out


def test_cli_search_json_and_readable(kb_dir, capsys):
    assert main(["search", "哪个部门负责本市未成年人网络保护", "--index", str(kb_dir), "--mode", "bm25",
                 "--top-k", "3", "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and json.loads(lines[0])["citation"].startswith("《")
    assert main(["search", "网络保护", "--index", str(kb_dir), "--mode", "bm25", "--level", "地方性法规"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. 《") and "地方性法规" not in out.splitlines()[0]


def test_cli_search_defaults_to_the_best_pipeline(kb_dir, capsys, monkeypatch):
    """No --mode: the tuned pipeline (as the web app); POLICYKB_REGION must name a region."""
    assert main(["search", "哪个部门负责本市未成年人网络保护", "--index", str(kb_dir), "--top-k", "3", "--json"]) == 0
    hits = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert hits[0]["doc_title"] == "上海市未成年人保护条例" and "第四十九条" in hits[0]["citation"]
    assert len({h["article_id"] for h in hits}) == 3  # one result per article
    monkeypatch.setenv("POLICYKB_REGION", "Shanghai")
    assert main(["search", "网络保护", "--index", str(kb_dir)]) == 2
    assert "地区 'Shanghai' 无效" in capsys.readouterr().err


def test_cli_batch_writes_a_run(kb_dir, tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "X1", "question": "几岁以下坐车要用安全座椅"}, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    out = tmp_path / "run.jsonl"
    assert main(["search", "--batch", str(questions), "--out", str(out), "--index", str(kb_dir),
                 "--mode", "bm25"]) == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["id"] == "X1" and any("安全座椅" in r["text"] for r in record["results"][:3])


def test_cli_errors_exit_2_with_the_fix(tmp_path, kb_dir, capsys):
    assert main(["search", "网络", "--index", str(tmp_path / "none")]) == 2
    assert "policykb ingest" in capsys.readouterr().err
    assert main(["search", "x" * 501, "--index", str(kb_dir), "--mode", "bm25"]) == 2
    assert "500" in capsys.readouterr().err
    assert main(["search", "网络", "--index", str(kb_dir), "--embedder", "none"]) == 2
    assert "cannot be searched with" in capsys.readouterr().err
    assert main(["search", "--index", str(kb_dir)]) == 2


def test_concurrent_searches_match_sequential_ones(kb):
    from concurrent.futures import ThreadPoolExecutor

    queries = ["网吧", "安全座椅几岁", "学校周边烟酒", "强制报告制度", "困境儿童关爱服务", "家庭教育指导"] * 3
    expected = {q: [h.clause_id for h in kb.search(q, k=5)] for q in set(queries)}
    with ThreadPoolExecutor(max_workers=6) as pool:
        got = list(pool.map(lambda q: (q, [h.clause_id for h in kb.search(q, k=5)]), queries))
    assert all(ids == expected[q] for q, ids in got)
    with ThreadPoolExecutor(max_workers=4) as pool:
        docs = list(pool.map(lambda d: kb.document(d.id), kb.documents(limit=8)))
    assert all(d is not None and d.clauses for d in docs)
