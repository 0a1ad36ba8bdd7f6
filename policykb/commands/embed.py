"""`policykb embed --index DIR`: add vectors to a BM25-only index (phase two of a build), resumably, here or on a
Dask cluster; the new vectors are swapped in atomically and a running server picks them up by itself."""
from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path

from policykb.config import Config


def register(subparsers, config: Config) -> None:
    p = subparsers.add_parser(
        "embed",
        help="add vectors to a built index (after `ingest --embedder none`), resumably, optionally on a cluster",
        description="Embed every passage of the index that the embedding cache lacks, in checkpointed batches "
                    "(a killed job resumes where it stopped), then swap the vectors in atomically; BM25 stays "
                    "searchable throughout. Progress is shown here and on the server's /healthz.",
    )
    p.add_argument("--index", type=Path, default=None, metavar="DIR", help=f"index folder (default {config.index_dir})")
    p.add_argument("--embedder", default=None, metavar="SPEC",
                   help=f"bundled | st:MODEL (default {config.embedder if config.embedder != 'none' else 'bundled'})")
    p.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                   help=f"embedding cache, where finished batches are kept (default {config.cache_dir})")
    p.add_argument("--batch-size", type=int, default=None, metavar="N",
                   help=f"texts per checkpointed batch (default {config.embed_batch_size})")
    p.add_argument("--cluster", default=None, metavar="ADDRESS",
                   help="Dask scheduler address, e.g. tcp://10.0.0.5:8786: batches go to its workers; local:N starts N "
                        "single-threaded workers on this machine (no thread barriers: steadier on a busy machine) "
                        f"(default {config.cluster or 'none: embed in this process'})")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (for logs and scripts)")
    p.set_defaults(run=run)


def local_workers(cluster: str) -> int:
    """N for `local:N` (start N single-threaded worker processes on this machine), 0 for a scheduler address."""
    if not cluster.startswith("local:"):
        return 0
    count = cluster[len("local:"):]
    if not count.isdigit() or int(count) < 1:
        raise ValueError("local:N needs a worker count of at least 1, e.g. local:2")
    return int(count)


def run(args: argparse.Namespace, config: Config) -> int:
    """Run the embedding job and print what it did."""
    from index.embedders import EmbedderError
    from index.embedding_job import embed_index
    from index.errors import KBIndexError

    cfg = config.with_overrides(index_dir=args.index, embedder=args.embedder, cache_dir=args.cache_dir,
                                embed_batch_size=args.batch_size, cluster=args.cluster)
    spec = cfg.embedder if cfg.embedder != "none" else "bundled"  # BM25-only config: phase two uses the default
    if cfg.embed_batch_size < 1:
        print(f"policykb embed: error: --batch-size must be at least 1, got {cfg.embed_batch_size}", file=sys.stderr)
        return 2
    try:
        local = local_workers(cfg.cluster)
    except ValueError as exc:
        print(f"policykb embed: error: --cluster {cfg.cluster!r}: {exc}", file=sys.stderr)
        return 2
    try:
        with ExitStack() as stack:
            runner, workers = None, 1
            if cfg.cluster:
                from index.embed_cluster import cluster_runner, connect, local_cluster, worker_threads

                if local:
                    client, _ = stack.enter_context(local_cluster(local, threads_per_worker=1))
                else:
                    client = connect(cfg.cluster)
                    stack.callback(client.close)
                runner, workers = cluster_runner(client, spec), max(1, worker_threads(client))
            report = embed_index(cfg.index_dir, spec, cache_dir=cfg.cache_dir, batch_size=cfg.embed_batch_size,
                                 runner=runner, workers=workers, progress=not args.no_progress,
                                 embed_superseded=cfg.embed_superseded, embed_form=cfg.embed_text)
    except (EmbedderError, KBIndexError, ValueError, OSError) as exc:
        print(f"policykb embed: error: --index {cfg.index_dir}: {exc}", file=sys.stderr)
        return 2
    print(report.summary(), file=sys.stderr)
    return 0
