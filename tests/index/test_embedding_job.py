"""`policykb embed`: vectors added to a BM25-only index, resumed after SIGKILL, swapped in atomically."""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from index.build import build_index
from index.cache import CACHE_FILE
from index.embedders import make_embedder, spec_name
from index.embedding_job import embed_index, plan_vectors, read_progress
from index.kb import KnowledgeBase
from index.retrievers import DenseRetriever
from index.store import DB_FILE
from tests.conftest import generated_corpus

REPO = Path(__file__).resolve().parents[2]


def _cached(cache: Path, name: str) -> int:
    db = sqlite3.connect(cache / CACHE_FILE)
    try:
        return db.execute("SELECT COUNT(*) FROM vectors WHERE model=?", (name,)).fetchone()[0]
    finally:
        db.close()


def test_embed_adds_vectors_reusing_the_bm25_part(small_corpus, tmp_path, gt_model):
    spec = f"st:{gt_model}"
    index_dir, cache = tmp_path / "kb", tmp_path / "cache"
    build_index([small_corpus], index_dir, embedder="none")
    old = index_dir.resolve()
    store_inode = (old / DB_FILE).stat().st_ino
    bm25_inodes = {p.name: p.stat().st_ino for p in (old / "bm25").iterdir()}
    reader = KnowledgeBase.open(index_dir)  # a server still answering from the BM25-only folder
    assert not reader.has_vectors

    report = embed_index(index_dir, spec, cache_dir=cache, batch_size=4)
    assert report.swapped and report.embedded == report.distinct == len(plan_vectors(index_dir.resolve()).texts)
    new = index_dir.resolve()
    assert new != old and old.is_dir()  # the reader's lease keeps the old folder until it lets go
    assert (new / DB_FILE).stat().st_ino == store_inode  # the store and BM25 files are reused, not rebuilt
    assert {p.name: p.stat().st_ino for p in (new / "bm25").iterdir()} == bm25_inodes
    assert reader.search("安全座椅", k=1, mode="bm25")  # the old generation still answers
    reader.close()

    kb = KnowledgeBase.open(index_dir, embedder=spec)
    assert kb.has_vectors and kb.manifest["embedder"] == spec_name(spec)
    assert kb.manifest["counts"]["vectors"] == kb.dense.size >= report.distinct > 0  # not phase one's 0
    hit = kb.search("携带未满四周岁的儿童乘坐家庭乘用车，应当配备并正确使用儿童安全座椅", k=1, mode="dense")[0]
    assert "安全座椅" in hit.text  # (an English model: the near-verbatim text finds its passage)
    # the vectors are those of the model for each passage's indexed text
    plan = plan_vectors(new)
    model = make_embedder(spec)
    expected = model.encode_passages([plan.texts[h] for h in plan.row_hashes])
    assert np.allclose(DenseRetriever.load(new).vectors(), expected, atol=1e-5)
    kb.close()
    # the fingerprint is the one a one-phase build records: the same build with this embedder changes nothing
    again = build_index([small_corpus], index_dir, embedder=spec, cache_dir=cache)
    assert again.unchanged, again.summary()
    assert read_progress(index_dir)["state"] == "done" and read_progress(index_dir)["percent"] == 100.0
    # a second job has nothing to do
    assert embed_index(index_dir, spec, cache_dir=cache).already


def test_embed_refuses_bad_requests_with_clear_errors(small_corpus, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    missing = subprocess.run([sys.executable, "-m", "policykb", "embed", "--index", str(tmp_path / "nope"),
                              "--cache-dir", str(tmp_path / "c"), "--no-progress"],
                             capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert missing.returncode == 2 and "policykb embed: error: --index" in missing.stderr
    assert "policykb ingest" in missing.stderr  # says how to build one
    index_dir = tmp_path / "kb"
    build_index([small_corpus], index_dir, embedder="none")
    with pytest.raises(ValueError, match="batch size 0"):
        embed_index(index_dir, "bundled", cache_dir=tmp_path / "c", batch_size=0)
    with pytest.raises(ValueError, match="embedder none makes no vectors"):
        embed_index(index_dir, "none", cache_dir=tmp_path / "c")
    bad = subprocess.run([sys.executable, "-m", "policykb", "embed", "--index", str(index_dir), "--batch-size", "0"],
                         capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert bad.returncode == 2 and "--batch-size must be at least 1" in bad.stderr


def test_sigkill_mid_job_resumes_without_re_embedding_finished_batches(tmp_path, gt_model):
    spec, batch = f"st:{gt_model}", 8
    name = spec_name(spec)
    corpus = generated_corpus(tmp_path / "corpus", documents=3, articles=40)
    index_dir, cache = tmp_path / "kb", tmp_path / "cache"
    build_index([corpus], index_dir, embedder="none")
    total = len(plan_vectors(index_dir.resolve()).texts)
    assert total >= 100
    cmd = [sys.executable, "-m", "policykb", "embed", "--index", str(index_dir), "--embedder", spec,
           "--cache-dir", str(cache), "--batch-size", str(batch), "--no-progress"]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.time() + 300
        done = 0
        while time.time() < deadline:
            state = read_progress(index_dir) or {}
            done = state.get("done") or 0
            if done >= 3 * batch:
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        assert 3 * batch <= done < total, f"job not mid-way when killed: {done}/{total}"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
    checkpointed = _cached(cache, name)
    assert done <= checkpointed < total  # every batch reported done is on disk; the job did not finish
    assert read_progress(index_dir)["state"] == "interrupted"
    assert not KnowledgeBase.open(index_dir).has_vectors  # nothing half-swapped: still the BM25-only folder

    resumed = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    embedded = int(re.search(r"embedded (\d+) texts", resumed.stderr).group(1))
    already = int(re.search(r"(\d+) already in the cache", resumed.stderr).group(1))
    assert already == checkpointed and embedded == total - checkpointed  # no finished batch embedded again
    kb = KnowledgeBase.open(index_dir, embedder=spec)
    assert kb.has_vectors and kb.dense.size == len(plan_vectors(index_dir.resolve()).row_hashes)
    # the same vectors as one uninterrupted run: the batches are the same split on every run
    plan = plan_vectors(index_dir.resolve())
    model = make_embedder(spec)
    hashes = list(plan.texts)
    fresh = {}
    for j in range(0, len(hashes), batch):
        chunk = hashes[j:j + batch]
        fresh.update(zip(chunk, model.encode_passages([plan.texts[h] for h in chunk])))
    stored = DenseRetriever.load(index_dir.resolve()).vectors()
    assert np.allclose(stored, np.stack([fresh[h] for h in plan.row_hashes]), atol=1e-6)
    assert read_progress(index_dir)["state"] == "done"
    kb.close()


def test_a_second_job_on_the_same_index_is_refused(small_corpus, tmp_path):
    from index.embedding_job import job_lock

    index_dir = tmp_path / "kb"
    build_index([small_corpus], index_dir, embedder="none")
    with job_lock(index_dir):
        with pytest.raises(ValueError, match=rf"another policykb embed is running on this index \(pid {os.getpid()}\)"):
            embed_index(index_dir, "bundled", cache_dir=tmp_path / "c")
