"""`policykb embed --cluster`: a real Dask scheduler and 2 real workers on 127.0.0.1; vectors identical to one
process; a worker killed mid-job costs only the batches it held."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from index.build import build_index
from index.embedding_job import embed_index, plan_vectors
from index.retrievers import DenseRetriever
from tests.conftest import generated_corpus

distributed = pytest.importorskip("distributed", reason="Dask distributed (policykb[cluster]) is not installed")

REPO = Path(__file__).resolve().parents[2]
BATCH = 16


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return generated_corpus(tmp_path_factory.mktemp("cluster_corpus"), documents=4, articles=50)


def _index(corpus: Path, where: Path) -> Path:
    index_dir = where / "kb"
    build_index([corpus], index_dir, embedder="none")
    return index_dir


def _vectors(index_dir: Path) -> np.ndarray:
    return DenseRetriever.load(index_dir.resolve()).vectors()


def test_two_workers_give_the_vectors_of_one_process_and_survive_a_killed_worker(corpus, tmp_path, gt_model):
    from index.embed_cluster import cluster_runner, local_cluster

    spec = f"st:{gt_model}"
    single = _index(corpus, tmp_path / "single")
    total = len(plan_vectors(single.resolve()).texts)
    assert total >= 200
    embed_index(single, spec, cache_dir=tmp_path / "single-cache", batch_size=BATCH)

    with local_cluster(2, pythonpath=REPO) as (client, workers):
        spread = _index(corpus, tmp_path / "spread")  # through the command line, as an office would run it
        cli = subprocess.run([sys.executable, "-m", "policykb", "embed", "--index", str(spread), "--embedder", spec,
                              "--cache-dir", str(tmp_path / "spread-cache"), "--batch-size", str(BATCH),
                              "--cluster", client.scheduler.address, "--no-progress"],
                             cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True,
                             timeout=900)
        assert cli.returncode == 0, cli.stderr
        assert f"embedded {total} texts" in cli.stderr and "on 2 worker(s)" in cli.stderr
        ran_on = {w["name"] for w in client.scheduler_info()["workers"].values()}
        assert ran_on == {"w0", "w1"}
        assert np.array_equal(_vectors(spread), _vectors(single))  # bit for bit

        # now kill one worker while it holds a batch: the job still completes, nothing is embedded twice by us
        killed = _index(corpus, tmp_path / "killed")
        base = cluster_runner(client, spec)

        def kill_after_first(batches):
            for n, (i, vectors) in enumerate(base(batches)):
                if n == 1:
                    os.killpg(workers[0].pid, signal.SIGKILL)
                    workers[0].wait(timeout=30)
                yield i, vectors

        started = time.perf_counter()
        report = embed_index(killed, spec, cache_dir=tmp_path / "killed-cache", batch_size=BATCH,
                             runner=kill_after_first, workers=2)
        assert report.embedded == total and report.batches == -(-total // BATCH)
        assert len(client.scheduler_info()["workers"]) == 1  # the dead worker is gone; the other did the rest
        assert np.array_equal(_vectors(killed), _vectors(single))
        assert time.perf_counter() - started < 600


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, small_corpus):
    index_dir = _index(small_corpus, tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens here once the socket is closed
    cli = subprocess.run([sys.executable, "-m", "policykb", "embed", "--index", str(index_dir), "--cluster",
                          f"tcp://127.0.0.1:{port}", "--cache-dir", str(tmp_path / "c"), "--no-progress"],
                         cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True,
                         timeout=300)
    assert cli.returncode == 2
    assert f"--cluster tcp://127.0.0.1:{port}: cannot reach a Dask scheduler there" in cli.stderr


def test_local_workers_started_by_the_command_give_the_vectors_of_one_process(tmp_path, small_corpus, gt_model):
    spec = f"st:{gt_model}"
    single = _index(small_corpus, tmp_path / "single")
    embed_index(single, spec, cache_dir=tmp_path / "single-cache", batch_size=BATCH)
    spread = _index(small_corpus, tmp_path / "spread")
    cli = subprocess.run([sys.executable, "-m", "policykb", "embed", "--index", str(spread), "--embedder", spec,
                          "--cache-dir", str(tmp_path / "spread-cache"), "--batch-size", str(BATCH),
                          "--cluster", "local:2", "--no-progress"],
                         cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True,
                         timeout=900)
    assert cli.returncode == 0, cli.stderr
    assert "on 2 worker(s)" in cli.stderr
    np.testing.assert_array_equal(_vectors(spread), _vectors(single))


@pytest.mark.parametrize("bad", ["local:0", "local:two", "local:"])
def test_a_bad_local_worker_count_is_a_clear_error(tmp_path, small_corpus, bad):
    index_dir = _index(small_corpus, tmp_path)
    cli = subprocess.run([sys.executable, "-m", "policykb", "embed", "--index", str(index_dir), "--cluster", bad,
                          "--cache-dir", str(tmp_path / "c"), "--no-progress"],
                         cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True,
                         timeout=300)
    assert cli.returncode == 2
    assert f"--cluster {bad!r}: local:N needs a worker count of at least 1" in cli.stderr
