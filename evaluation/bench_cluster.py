"""Cluster benchmark: the same texts embedded by `policykb embed --cluster` with 1 and with 2 local Dask workers.

    .venv/bin/python evaluation/bench_cluster.py                      # 400 real clauses, bundled engine
    .venv/bin/python evaluation/bench_cluster.py --texts 200 --embedder st:PATH --rounds 2

Each worker is a real `dask worker` process with one thread (OMP_NUM_THREADS=1), i.e. one core's share. The
runs alternate (1, 2, 1, 2 ...) so a noisy machine hits both alike; each run gets a fresh embedding cache. Prints a
Markdown table: seconds, texts/s, texts/s per worker, and the scaling efficiency (rate with 2 / (2 x rate with 1)),
and the expected wall time for the full laws corpus on N workers from the measured per-worker rate. On one 2-core
machine two workers share its cores with everything else running, so the efficiency is a floor for separate
machines. Reads ../shared/corpus/related (skips when it is absent); writes only under --work.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_RELATED = REPO.parent / "shared" / "corpus" / "related"
LAWS_TEXTS = 358_111  # passages of ../shared/corpus/laws + related (the full-laws BM25 build, README)


def _index_with(texts: int, work: Path) -> Path:
    """A BM25-only index whose first `texts` passages are the benchmark's texts (a trimmed copy of the index)."""
    from index.build import build_index

    index_dir = work / "kb-bench"
    build_index([SHARED_RELATED], index_dir, embedder="none")
    return index_dir


def _run(index_dir: Path, spec: str, workers: int, texts: int, batch: int, work: Path) -> float:
    """Seconds to embed the plan's first `texts` distinct texts on `workers` local workers (model load excluded:
    a warm-up batch runs first on every worker)."""
    from index.embed_cluster import cluster_runner, local_cluster
    from index.embedding_job import batches_of, plan_vectors

    plan = plan_vectors(index_dir.resolve())
    plan.texts = dict(list(plan.texts.items())[:texts])
    batches = batches_of(plan, set(), batch)
    with local_cluster(workers, pythonpath=REPO) as (client, _):
        run = cluster_runner(client, spec)
        list(run([[("warm-up", "预热")]]))  # the plugin loads the model on every worker before the clock starts
        started = time.perf_counter()
        got = sum(len(batches[i]) for i, _ in run(batches))
        seconds = time.perf_counter() - started
    assert got == len(plan.texts), (got, len(plan.texts))
    return seconds


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--texts", type=int, default=400)
    p.add_argument("--embedder", default="bundled")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--rounds", type=int, default=1, help="alternating 1-worker/2-worker rounds (median is shown)")
    p.add_argument("--work", type=Path, default=None)
    args = p.parse_args(argv)
    if not SHARED_RELATED.is_dir():
        print(f"skipped: {SHARED_RELATED} is absent (the benchmark embeds real clauses from it)")
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    try:
        index_dir = _index_with(args.texts, work)
        times: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.rounds):
            for workers in (1, 2):
                times[workers].append(_run(index_dir, args.embedder, workers, args.texts, args.batch_size, work))
        t1, t2 = statistics.median(times[1]), statistics.median(times[2])
        r1, r2 = args.texts / t1, args.texts / t2
        eff = r2 / (2 * r1)
        print(f"\n{args.texts} texts, embedder {args.embedder.split('/')[-1]}, batch {args.batch_size}, "
              f"{args.rounds} round(s), 1 thread per worker\n")
        print("| workers | seconds | texts/s | texts/s per worker |\n|---|---|---|---|")
        for w, t, r in ((1, t1, r1), (2, t2, r2)):
            print(f"| {w} | {t:.1f} | {r:.2f} | {r / w:.2f} |")
        print(f"\nscaling efficiency 2 workers: {eff:.2f} (speed-up {t1 / t2:.2f}x)")
        print(f"\nexpected wall time for {LAWS_TEXTS:,} texts at {r1:.2f} texts/s per worker "
              f"(efficiency {eff:.2f} assumed beyond 2 workers):\n")
        print("| workers | hours |\n|---|---|")
        for n in (1, 2, 4, 8, 16):
            rate = r1 * (1 if n == 1 else n * eff)
            print(f"| {n} | {LAWS_TEXTS / rate / 3600:.2f} |")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
