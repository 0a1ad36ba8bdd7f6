"""Dense search at full-laws scale: FAISS exact vs HNSW parameters, recall@10 against exact, query latency, memory.

    .venv/bin/python -m evaluation.bench_faiss                                  # 340k random unit vectors
    .venv/bin/python -m evaluation.bench_faiss --index /work/data/idx_b          # the real vectors of a built index
    .venv/bin/python -m evaluation.bench_faiss --cache /work/data/cache --model onnx:multilingual-e5-small-int8/v2
    .venv/bin/python -m evaluation.bench_faiss --index DIR --questions ../shared/eval/real_dev.jsonl  # as searched

Random normalised 384-d vectors are the hard case for a graph index (no cluster structure); real e5 vectors are
easier. Queries are 1,000 held-out vectors of the same set, searched one at a time (as the server does) on the
thread count given. With --questions (and --index), the queries are those questions embedded as queries, and each is
searched as the product searches: restricted to the texts binding the user (current versions of national law and
the region's rules, a FAISS bitmap selector), recall against exact search under the same restriction. Prints
Markdown tables; the machine is shared, so latencies are upper bounds.
"""
from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from evaluation.bench_engine import table
from evaluation.scoring import percentile


def load_vectors(args) -> tuple[np.ndarray, str]:
    """The database+query vectors: from a built index, an embedding cache, or random (normalised)."""
    if args.index:
        from index.retrievers import DenseRetriever

        vecs = DenseRetriever.load(Path(args.index)).vectors()
        return vecs, f"real vectors of {args.index}"
    if args.cache:
        db = sqlite3.connect(Path(args.cache) / "embeddings.sqlite")
        blobs = [b for (b,) in db.execute("SELECT vec FROM vectors WHERE model=? LIMIT ?", (args.model, args.n))]
        db.close()
        if not blobs:
            raise SystemExit(f"no vectors of {args.model!r} in {args.cache}")
        return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1), \
            f"real vectors ({args.model}) from {args.cache}"
    rng = np.random.default_rng(12)
    v = rng.standard_normal((args.n, 384), dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True), "random normalised 384-d vectors"


def question_queries(args) -> tuple[np.ndarray, np.ndarray, str]:
    """(query vectors, allowed-row mask, what) for --questions: each question embedded by the index's embedder,
    and the rows the product would search for a user of Config.region (ranking.rerank.binding_filters)."""
    from evaluation.scoring import read_jsonl
    from index.kb import KnowledgeBase
    from index.ranking.rerank import binding_filters
    from policykb.config import Config

    config = Config.from_env()
    kb = KnowledgeBase.open(args.index, cache_dir=config.cache_dir)
    questions = [q["question"] for q in read_jsonl(args.questions)][: args.queries]
    vectors = np.stack([kb.query_vector(q) for q in questions]).astype(np.float32)
    mask = kb.row_mask(binding_filters(None, None, config.region))
    rows = kb.dense.rows()  # the passage row of each stored vector, in the order vectors() returns them
    allowed = np.ones(len(rows), dtype=bool) if mask is None else mask[rows]
    return vectors, allowed, Path(args.questions).name


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def timed_search(index, queries: np.ndarray, k: int, params=None) -> tuple[np.ndarray, list[float]]:
    ids, times = [], []
    for q in queries:
        t = time.perf_counter()
        _, i = index.search(q[None], k, params=params)
        times.append((time.perf_counter() - t) * 1000)
        ids.append(i[0])
    return np.array(ids), times


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth)]))


def main(argv: list[str] | None = None) -> int:
    import faiss

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=341_000, help="vectors (random or from the cache)")
    p.add_argument("--index", help="take the vectors of this built index")
    p.add_argument("--cache", help="take the vectors of this embedding cache folder")
    p.add_argument("--model", default="onnx:multilingual-e5-small-int8/v2", help="embedder name in the cache")
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--m", default="32", help="HNSW graph degrees to build (comma-separated)")
    p.add_argument("--ef-construction", type=int, default=40)
    p.add_argument("--ef-search", default="64,128,256,512")
    p.add_argument("--questions", help="query with these questions (JSONL), as the product searches (needs --index)")
    p.add_argument("--threads", type=int, default=1, help="FAISS threads at query time (the server: 1 per request)")
    args = p.parse_args(argv)

    vecs, what = load_vectors(args)
    allowed = None
    if args.questions:
        if not args.index:
            raise SystemExit("bench_faiss: --questions needs --index (the index embeds them and knows the texts)")
        queries, allowed, asked = question_queries(args)
        base = np.ascontiguousarray(vecs)
        what += f", queries: {len(queries)} questions of {asked}, binding texts only ({int(allowed.sum()):,} rows)"
        nq = len(queries)
    else:
        nq = min(args.queries, vecs.shape[0] // 10)
        queries, base = vecs[:nq].copy(), np.ascontiguousarray(vecs[nq:])
    n, dim = base.shape
    bits = np.packbits(allowed, bitorder="little") if allowed is not None else None  # as DenseRetriever.search
    sel = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits)) if allowed is not None else None
    kind = "" if allowed is not None else "held-out "
    print(f"{n:,} {what} (dim {dim}), {nq} {kind}queries, k=10, {args.threads} query thread(s), "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")
    flat = faiss.IndexFlatIP(dim)
    flat.add(base)
    faiss.omp_set_num_threads(os.cpu_count())
    _, truth = flat.search(queries, 10, params=faiss.SearchParameters(sel=sel) if sel is not None else None)
    faiss.omp_set_num_threads(args.threads)
    headers = ["index", "efConstruction", "efSearch", "build s", "recall@10", "p50 ms", "p95 ms", "memory MB", "load s"]
    print(table(headers, []), flush=True)
    rows = []
    _, times = timed_search(flat, queries[:200], 10, faiss.SearchParameters(sel=sel) if sel is not None else None)
    rows.append(["flat (exact)", "–", "–", "–", "1.000", f"{np.median(times):.1f}", f"{percentile(times, 0.95):.1f}",
                 f"{n * dim * 4 / 2**20:.0f}", "–"])
    print(table(headers, rows[-1:]).splitlines()[-1], flush=True)
    del flat
    work = Path(tempfile.mkdtemp(prefix="bench-faiss-"))
    for m in (int(x) for x in args.m.split(",")):
        before = rss_mb()
        index = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = args.ef_construction
        faiss.omp_set_num_threads(os.cpu_count())
        t = time.perf_counter()
        index.add(base)
        build_s = time.perf_counter() - t
        faiss.omp_set_num_threads(args.threads)
        mem = rss_mb() - before
        path = work / f"hnsw{m}.faiss"
        faiss.write_index(index, str(path))
        t = time.perf_counter()
        loaded = faiss.read_index(str(path))
        load_s = time.perf_counter() - t
        for ef in (int(x) for x in args.ef_search.split(",")):
            params = faiss.SearchParametersHNSW(efSearch=ef)
            if sel is not None:
                params.sel = sel
            found, times = timed_search(loaded, queries, 10, params)
            rows.append([f"HNSW M={m}", args.ef_construction, ef, f"{build_s:.0f}", f"{recall(found, truth):.3f}",
                         f"{np.median(times):.2f}", f"{percentile(times, 0.95):.2f}",
                         f"{path.stat().st_size / 2**20:.0f} file, {mem:.0f} RSS", f"{load_s:.1f}"])
            print(table(headers, rows[-1:]).splitlines()[-1], flush=True)
        del index, loaded
        path.unlink()
    print(f"\npeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
