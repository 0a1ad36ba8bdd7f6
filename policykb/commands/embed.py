"""`policykb embed --index DIR`: add vectors to a BM25-only index (phase two of a build), resumably, here or on a
Dask cluster; the new vectors are swapped in atomically and a running server picks them up by itself."""
from __future__ import annotations

import argparse
import sys
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
                   help="Dask scheduler address, e.g. tcp://10.0.0.5:8786: batches go to its workers "
                        f"(default {config.cluster or 'none: embed in this process'})")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (for logs and scripts)")
    p.set_defaults(run=run)


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
    client = None
    try:
        runner, workers = None, 1
        if cfg.cluster:
            from index.embed_cluster import cluster_runner, connect, worker_threads

            client = connect(cfg.cluster)
            runner, workers = cluster_runner(client, spec), max(1, worker_threads(client))
        report = embed_index(cfg.index_dir, spec, cache_dir=cfg.cache_dir, batch_size=cfg.embed_batch_size,
                             runner=runner, workers=workers, progress=not args.no_progress)
    except (EmbedderError, KBIndexError, ValueError, OSError) as exc:
        print(f"policykb embed: error: --index {cfg.index_dir}: {exc}", file=sys.stderr)
        return 2
    finally:
        if client is not None:
            client.close()
    print(report.summary(), file=sys.stderr)
    return 0
