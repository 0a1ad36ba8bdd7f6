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


def connect(address: str, timeout: float = 30.0):
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

    def run(batches: Sequence[list[tuple[str, str]]]) -> Iterator[tuple[int, np.ndarray]]:
        if not batches:
            return
        client.wait_for_workers(1, timeout=wait_workers)
        client.register_plugin(EmbedderPlugin(spec), name=PLUGIN_PREFIX + spec)
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
