"""Index builds over real folders (issue 14): stale folders swept on any build, source_path independent of the
working directory, same-body documents kept apart by title, every duplicate named. BM25-only for speed."""
from __future__ import annotations

import os
import time
from pathlib import Path

from index.build import build_index
from index.kb import KnowledgeBase

BODY = "第一条 为了规范管理，制定本办法。\n第二条 本办法自发布之日起施行。\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_stale_folders_are_removed_even_when_the_corpus_is_unchanged(tmp_path):
    corpus = tmp_path / "corpus"
    _write(corpus, "a.txt", "某甲办法\n" + BODY)
    index_dir = tmp_path / "kb"
    build_index([corpus], index_dir, embedder="none")
    live = index_dir.resolve()
    # what a kill leaves: a half-built folder, the old folder of a swap whose clean-up never ran, a temporary link
    half = tmp_path / ".kb.20250101-000000-abcd"
    half.mkdir()
    (half / "bm25").write_bytes(b"\0" * 1000)
    replaced = tmp_path / ".kb.replaced-4242"
    replaced.mkdir()
    link = tmp_path / ".kb.link-4242"
    link.symlink_to(half.name)
    t = time.perf_counter()
    report = build_index([corpus], index_dir, embedder="none")
    assert time.perf_counter() - t < 30
    assert report.unchanged  # nothing to rebuild, and yet the leftovers went
    assert not half.exists() and not replaced.exists() and not link.is_symlink()
    assert sorted(report.stale_removed) == sorted([half.name, replaced.name, link.name])
    assert index_dir.resolve() == live and (live / "manifest.json").is_file()
    assert (tmp_path / ".kb.lock").exists()  # the lock file is not a leftover


def test_incremental_build_from_another_working_directory_removes_deleted_documents(tmp_path, monkeypatch):
    corpus = tmp_path / "office" / "corpus"
    keep = _write(corpus, "a.txt", "某甲办法\n" + BODY)
    gone = _write(corpus, "b.txt", "某乙规定\n第一条 本规定适用于全市。\n")
    index_dir = tmp_path / "kb"
    monkeypatch.chdir(tmp_path / "office")
    first = build_index([Path("corpus")], index_dir, embedder="none")  # relative to the office folder
    assert len(first.added) == 2
    gone.unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    second = build_index([Path("..") / "office" / "corpus"], index_dir, embedder="none")
    assert [r.split("@")[0] for r in second.removed] == ["某乙规定"] and not second.added
    kb = KnowledgeBase.open(index_dir)
    try:
        docs = kb.documents()
        assert [d.title for d in docs] == ["某甲办法"]
        assert Path(kb.document(docs[0].id).source_path) == keep.resolve()
    finally:
        kb.close()


def test_same_body_different_titles_are_two_documents_and_each_duplicate_is_named(tmp_path):
    corpus = tmp_path / "corpus"
    _write(corpus, "甲/doc.txt", "某甲办法\n" + BODY)
    _write(corpus, "乙/doc.txt", "某乙办法\n" + BODY)  # same body, another title: a distinct document
    other = tmp_path / "other"
    same = _write(other, "doc.txt", "某甲办法\n" + BODY)  # the same law filed elsewhere: same id
    dated = _write(other, "某甲办法(2024-01-01).txt", "某甲办法\n" + BODY)  # ... under a dated name: another id
    report = build_index([corpus, other], tmp_path / "kb", embedder="none")
    assert report.documents == 2
    assert [(p.path, p.reason) for p in report.problems] == [
        (str(same), f"skipped: duplicate of {corpus / '甲' / 'doc.txt'}")]
    assert report.duplicates == [f"{dated.resolve()}: same text and title as {(corpus / '甲' / 'doc.txt').resolve()}"]
    assert "duplicate skipped: " + report.duplicates[0] in report.summary()
    kb = KnowledgeBase.open(tmp_path / "kb")
    try:
        assert sorted(d.title for d in kb.documents()) == ["某乙办法", "某甲办法"]
    finally:
        kb.close()
    assert os.path.isabs(report.duplicates[0].split(":")[0])
