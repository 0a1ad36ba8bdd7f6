"""`policykb ingest` end to end: summary, JSONL output, exit status, --strict."""
from __future__ import annotations

import json

from ingest.model import Document
from policykb.cli import main

LAW = "某条例\n\n2020年1月1日 某省人民代表大会常务委员会第九次会议通过\n\n第一章 总则\n\n第一条 甲。\n\n第二条 乙：\n\n（一）丙。\n"


def test_ingest_writes_jsonl_and_prints_a_summary(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "law.txt").write_text(LAW, encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "in" / "README.md").write_text("# what this folder holds\n", encoding="utf-8")
    out = tmp_path / "out" / "docs.jsonl"
    status = main(["ingest", str(tmp_path / "in"), "--jsonl", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert status == 0
    assert "documents: 1  clauses: 6" in err and "per level: 地方性法规 1" in err
    assert "per clause kind: article 2, paragraph 2, heading 1, item 1" in err
    assert "skipped files: 1" in err and "empty.txt: empty file" in err
    assert "passed over (hidden files, folder READMEs): 1" in err and "README.md" in err
    docs = [Document.from_dict(json.loads(line)) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d.title for d in docs] == ["某条例"] and docs[0].clauses[-1].citation == "《某条例》第二条第一项"


def test_strict_fails_on_any_problem_and_nothing_ingested_fails(tmp_path, capsys):
    (tmp_path / "law.txt").write_text(LAW, encoding="utf-8")
    (tmp_path / "bad.bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    assert main(["ingest", str(tmp_path), "--no-progress"]) == 0
    assert main(["ingest", str(tmp_path), "--strict", "--no-progress"]) == 1
    assert main(["ingest", str(tmp_path / "bad.bin.txt"), "--no-progress"]) == 1
    assert main(["ingest", str(tmp_path / "missing"), "--no-progress"]) == 1
    assert "missing: no such file" in capsys.readouterr().err


def test_unwritable_jsonl_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "law.txt").write_text(LAW, encoding="utf-8")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert main(["ingest", str(tmp_path / "law.txt"), "--jsonl", str(tmp_path / "file" / "x.jsonl"),
                 "--no-progress"]) == 2
    assert "--jsonl" in capsys.readouterr().err
