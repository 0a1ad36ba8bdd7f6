"""Embedding batches on a Dask distributed cluster: each worker loads the model once, only the driver writes.

Dask rather than Ray: distributed is pure Python (a few small wheels, no daemon binaries or object store), runs on
the same numpy/torch stack, and its `dask scheduler` / `dask worker ADDRESS` commands are all an office needs to
start on each machine. A worker plugin loads the embedder when the worker joins (also a worker that joins or
restarts later); a batch whose worker dies is rescheduled on another worker by the scheduler, and a batch whose
code raises is retried, so a lost worker costs only the batches it held. Results return to the driver
(index/embedding_job.py), which commits each batch to the embedding cache as it arrives.
"""
from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
from distributed import WorkerPlugin

PLUGIN_PREFIX = "policykb-embedder:"
RETRIES = 3  # per batch, for errors raised by the model (a worker's death is handled by the scheduler)
IN_FLIGHT_PER_THREAD = 2  # batches queued per worker thread: enough to keep it busy, bounded memory on the driver


class EmbedderPlugin(WorkerPlugin):
    """Worker plugin: load the embedder named by `spec` once per worker process."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.name = PLUGIN_PREFIX + spec
        self.model = None

    def setup(self, worker) -> None:
        from index.embedders import make_embedder

        self.model = make_embedder(self.spec)

    def teardown(self, worker) -> None:
        self.model = None


def embed_batch(spec: str, texts: list[str]) -> np.ndarray:
    """Task run on a worker: the passage vectors of one batch, from the worker's loaded model."""
    from distributed import get_worker

    plugin = get_worker().plugins.get(PLUGIN_PREFIX + spec)
    if plugin is None or plugin.model is None:  # plugin not (yet) set up on this worker: load it here, once
        from index.embedders import make_embedder

        plugin = EmbedderPlugin(spec)
        plugin.model = make_embedder(spec)
        get_worker().plugins[plugin.name] = plugin
    return np.asarray(plugin.model.encode_passages(texts), dtype=np.float32)


def connect(address: str, timeout: float = 10.0):
    """A Dask client for `address` (tcp://HOST:PORT), with an error naming the address when it is unreachable."""
    from distributed import Client

    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"--cluster {address}: cannot reach a Dask scheduler there ({exc})") from None


def worker_threads(client) -> int:
    """Total worker threads the scheduler knows of (0 when no worker has joined)."""
    return sum(w.get("nthreads", 1) for w in client.scheduler_info(n_workers=-1).get("workers", {}).values())


def cluster_runner(client, spec: str, wait_workers: float = 60.0):
    """A runner for embedding_job.embed_index that sends batches to the cluster's workers."""
    from distributed import as_completed

    registered = False

    def run(batches: Sequence[list[tuple[str, str]]]) -> Iterator[tuple[int, np.ndarray]]:
        nonlocal registered
        if not batches:
            return
        if not registered:  # once per runner: re-registering would reload the model on every worker
            client.wait_for_workers(1, timeout=wait_workers)
            client.register_plugin(EmbedderPlugin(spec), name=PLUGIN_PREFIX + spec)
            registered = True
        limit = max(1, worker_threads(client)) * IN_FLIGHT_PER_THREAD
        pending = iter(range(len(batches)))
        number: dict[str, int] = {}

        def submit(i: int):
            texts = [t for _, t in batches[i]]
            key = f"policykb-embed-{i}-{hashlib.sha256(''.join(h for h, _ in batches[i]).encode()).hexdigest()[:16]}"
            future = client.submit(embed_batch, spec, texts, key=key, retries=RETRIES, pure=False)
            number[future.key] = i
            return future

        queue = as_completed([submit(i) for _, i in zip(range(limit), pending)])
        for future in queue:
            i = number.pop(future.key)
            vectors = future.result()
            future.release()
            nxt = next(pending, None)
            if nxt is not None:
                queue.add(submit(nxt))
            yield i, vectors

    return run


def _dask(command: str, *args: str) -> list[str]:
    """The `dask scheduler` / `dask worker` command lines, run by this interpreter (the same venv)."""
    return [sys.executable, "-m", f"distributed.cli.dask_{command}", *args]


@contextmanager
def local_cluster(workers: int = 2, threads_per_worker: int = 1, pythonpath: Path | None = None,
                  timeout: float = 180.0):
    """A real Dask scheduler and `workers` worker processes on 127.0.0.1 (tests and benchmarks): yields
    (client, worker processes). Workers run without a nanny, so a killed worker stays dead; each uses
    `threads_per_worker` threads (OMP_NUM_THREADS), as one machine's share would."""
    from distributed import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, OMP_NUM_THREADS=str(threads_per_worker), MKL_NUM_THREADS=str(threads_per_worker))
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    quiet = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
    procs = [subprocess.Popen(_dask("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"),
                              **quiet)]
    client = None
    try:
        for i in range(workers):
            procs.append(subprocess.Popen(
                _dask("worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny", "--no-dashboard",
                      "--name", f"w{i}"), **quiet))
        client = Client(address, timeout=timeout)
        client.wait_for_workers(workers, timeout=timeout)
        yield client, procs[1:]
    finally:
        if client is not None:
            client.close()
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=30)
