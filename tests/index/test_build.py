"""Incremental updates and the atomic swap, on real index folders with the bundled embedder."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from index.build import build_index
from index.kb import KnowledgeBase

REPO = Path(__file__).resolve().parents[2]
DIGITS = "零一二三四五六七八九"


def cn(n: int) -> str:
    """Chinese numeral for 1..99 (enough for generated article numbers)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "") if n >= 10 else DIGITS[n]


def test_add_change_remove_and_unchanged(tmp_path, texts, writer):
    write, law_v2 = writer, texts["law_v2"]
    corpus = tmp_path / "corpus"
    law = write(corpus, "地方性法规/示例市少年儿童关爱条例(2023-06-01).md", law_v2)
    rule = write(corpus, "地方政府规章/示例省校园安全办法(2021-09-01).md", texts["rule"])
    index_dir = tmp_path / "kb"
    first = build_index([corpus], index_dir, embedder="bundled", cache_dir=None)
    assert first.embedded == first.passages > 0 and len(first.added) == 2
    folder_before = index_dir.resolve()

    same = build_index([corpus], index_dir, embedder="bundled", cache_dir=None)
    assert same.unchanged and same.embedded == 0 and index_dir.resolve() == folder_before
    assert "unchanged" in same.summary() and "nothing to embed" in same.summary()

    law.write_text(law_v2.replace("每学期至少开展两次心理辅导", "每学期至少开展三次心理辅导"), encoding="utf-8")
    rule.unlink()
    write(corpus, "规范性文件/示例区托育服务指引(2024-01-05).md",
          "# 示例区托育服务指引\n\n<!-- INFO END -->\n\n一、托育机构应当建立晨午检制度。\n\n二、卫生健康部门负责托育服务的业务指导。\n")
    update = build_index([corpus], index_dir, embedder="bundled", cache_dir=None)
    assert len(update.changed) == 1 and len(update.removed) == 1 and len(update.added) == 1
    # only the edited unit and the new document's units go through the model; the rest reuse stored vectors
    assert 0 < update.embedded <= 4 and update.reused == update.vector_passages - update.embedded
    kb = KnowledgeBase.open(index_dir)
    assert kb.count_documents() == 2
    assert "三次" in kb.search("心理辅导几次", k=1, mode="dense")[0].article_text
    assert all(h.doc_title != "示例省校园安全办法" for h in kb.search("学校周边网吧", k=10, mode="bm25"))  # removed
    assert kb.search("晨午检", k=1, mode="hybrid")[0].doc_title == "示例区托育服务指引"
    kb.close()


def test_documents_from_other_paths_are_kept(small_corpus, tmp_path, writer):
    write = writer
    other = tmp_path / "other"
    write(other, "规范性文件/示例区托育服务指引(2024-01-05).md",
          "# 示例区托育服务指引\n\n<!-- INFO END -->\n\n一、托育机构应当建立晨午检制度。\n")
    index_dir = tmp_path / "kb"
    build_index([small_corpus], index_dir, embedder="none")
    report = build_index([other], index_dir, embedder="none")
    assert report.documents == 4 and report.removed == [] and len(report.added) == 1


def test_cache_dir_means_a_rebuild_embeds_nothing(small_corpus, tmp_path):
    cache = tmp_path / "cache"
    first = build_index([small_corpus], tmp_path / "a", embedder="bundled", cache_dir=cache)
    second = build_index([small_corpus], tmp_path / "b", embedder="bundled", cache_dir=cache)
    assert first.embedded > 0 and second.embedded == 0 and second.cache_hit_rate == 1.0
    assert (cache / "embeddings.sqlite").is_file()


def test_killed_build_leaves_the_previous_index_working(small_corpus, tmp_path, writer):
    write = writer
    index_dir = tmp_path / "kb"
    build_index([small_corpus], index_dir, embedder="bundled", cache_dir=None)
    before = KnowledgeBase.open(index_dir).search("安全座椅", k=1)[0].clause_id
    # a bigger corpus whose embedding takes seconds, so the build is surely mid-way when killed
    articles = "\n\n".join(f"第{cn(i)}条 第{i}号示例规定：托育机构应当按照第{i}项标准开展安全检查并记录。"
                           for i in range(1, 100))
    write(small_corpus, "规范性文件/示例大文件(2024-02-01).md", f"# 示例大文件\n\n<!-- INFO END -->\n\n{articles}\n")
    code = (f"from index.build import build_index; "
            f"build_index([{str(small_corpus)!r}], {str(index_dir)!r}, embedder='bundled', cache_dir=None)")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, start_new_session=True)
    try:
        deadline = time.time() + 120
        current = index_dir.resolve()
        while time.time() < deadline and not [p for p in tmp_path.glob(".kb.*")
                                              if p.is_dir() and p.resolve() != current]:
            assert proc.poll() is None, "build finished before it could be interrupted"
            time.sleep(0.05)
        time.sleep(0.3)
        assert proc.poll() is None, "build finished before it could be interrupted"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    kb = KnowledgeBase.open(index_dir)
    assert kb.search("安全座椅", k=1)[0].clause_id == before
    assert kb.count_documents() == 2
    kb.close()
    # the next build cleans up the half-written folder and succeeds
    report = build_index([small_corpus], index_dir, embedder="none")
    assert report.documents == 4
    assert [p.resolve() for p in tmp_path.glob(".kb.*") if p.is_dir()] == [index_dir.resolve()]
