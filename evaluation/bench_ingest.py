"""Benchmark: parse and segment all of ../shared/corpus/laws (3,475 files) and print Markdown tables.

    .venv/bin/python evaluation/bench_ingest.py [--laws DIR] [--configs 0:1,120:1,120:2] [--before REV]
                                                [--tokenize-docs 300]

Timed part: reading, decoding, metadata, clause tree and version resolution (ingest_paths). jieba tokenisation is
timed separately on a sample of documents (it belongs to index building) and projected to the whole corpus.
Reports wall and CPU seconds (the machine may be shared), documents/s, clauses/s, and every file that could not be
structured or ingested. Target: under 60 s on 2 cores. A configuration is TIMEOUT:WORKERS — timeout 0 with one
worker parses in this process (no budget); otherwise files are parsed in WORKERS worker processes, each file within
TIMEOUT seconds. `--before REV` adds a row for the code of git revision REV (run in a child process, its default).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from policykb.config import Config  # noqa: E402
from ingest.pipeline import ingest_paths  # noqa: E402

DEFAULT_LAWS = REPO.parent / "shared" / "corpus" / "laws"


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (worker processes)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_config(laws: Path, timeout: float, workers: int):
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    result = ingest_paths([laws], workers=workers, config=Config(ingest_timeout=timeout))
    return result, time.perf_counter() - t0, cpu_seconds() - cpu0


_BEFORE_CHILD = """
import json, resource, sys, time
from ingest.pipeline import ingest_paths
t = time.perf_counter()
r = ingest_paths([sys.argv[1]])
wall = time.perf_counter() - t
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"documents": len(r.documents), "clauses": sum(len(d.clauses) for d in r.documents),
                  "leaves": sum(1 for d in r.documents for c in d.clauses if c.leaf), "wall": wall,
                  "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime}))
"""


def run_before(laws: Path, rev: str) -> dict:
    """ingest_paths of git revision `rev` (its defaults), in a child process over an archive of that revision."""
    import json
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench-ingest-before-") as tmp:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", rev], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        out = subprocess.run([sys.executable, "-c", _BEFORE_CHILD, str(laws)], capture_output=True, text=True,
                             check=True, cwd=tmp, env={**os.environ, "PYTHONPATH": tmp})
    return json.loads(out.stdout)


def row(label: str, n_docs: int, n_clauses: int, leaves: int, wall: float, cpu: float) -> str:
    return (f"| {label} | {n_docs} | {n_clauses} | {leaves} | {wall:.1f} | {cpu:.1f} | {n_docs / wall:.0f} | "
            f"{n_clauses / wall:.0f} | {'yes' if wall < 60 else 'NO'} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--laws", type=Path, default=DEFAULT_LAWS, help="folder to ingest (default ../shared/corpus/laws)")
    ap.add_argument("--configs", default="0:1,120:1,120:2",
                    help="comma-separated TIMEOUT:WORKERS configurations to compare (default 0:1,120:1,120:2)")
    ap.add_argument("--before", default="", metavar="REV", help="also time the code of this git revision")
    ap.add_argument("--tokenize-docs", type=int, default=300,
                    help="documents whose leaves are tokenised with jieba in the separate timing (0: skip)")
    args = ap.parse_args(argv)
    if not args.laws.is_dir():
        print(f"bench_ingest: {args.laws} not found (the shared law corpus beside the checkout)", file=sys.stderr)
        return 2
    n_files = sum(1 for p in args.laws.rglob("*") if p.is_file())
    print(f"## Ingest benchmark: {args.laws} ({n_files} files, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f})\n")
    print("| configuration | documents | clauses | leaves | wall s | CPU s | docs/s (wall) | clauses/s (wall) | "
          "< 60 s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|:---:|")
    result = None
    if args.before:
        b = run_before(args.laws, args.before)
        print(row(f"before ({args.before}), in-process", b["documents"], b["clauses"], b["leaves"], b["wall"],
                  b["cpu"]), flush=True)
    for config in [c for c in args.configs.split(",") if c.strip()]:
        timeout, workers = float(config.split(":")[0]), int(config.split(":")[1])
        res, wall, cpu = run_config(args.laws, timeout, workers)
        result = result or res
        n_docs, n_clauses = len(res.documents), sum(len(d.clauses) for d in res.documents)
        leaves = sum(1 for d in res.documents for c in d.clauses if c.leaf)
        label = ("in-process, no budget" if timeout == 0 and workers == 1 else
                 f"{workers} worker process{'es' if workers > 1 else ''}, "
                 + (f"{timeout:g} s per file" if timeout else "no budget"))
        print(row(label, n_docs, n_clauses, leaves, wall, cpu), flush=True)
    assert result is not None

    docs = result.documents
    kinds = Counter(c.kind for d in docs for c in d.clauses)
    levels = Counter(d.level for d in docs)
    with_articles = sum(1 for d in docs if any(c.kind == "article" for c in d.clauses))
    print("\n| what | count |\n|---|---:|")
    print(f"| documents with 条 articles | {with_articles} |")
    print(f"| documents structured by 一、/（一）/一是 or headings only | "
          f"{sum(1 for d in docs if not d.notes) - with_articles} |")
    print(f"| superseded versions | {sum(1 for d in docs if d.status == 'superseded')} |")
    for kind, n in kinds.most_common():
        print(f"| clauses of kind {kind} | {n} |")
    for level, n in levels.most_common():
        print(f"| level {level} | {n} |")

    unstructured = [p for p in result.problems if not p.fatal and "no structure" in p.reason]
    failed = [p for p in result.problems if p.fatal]
    skipped = [p for p in result.problems if not p.fatal and p not in unstructured]
    print(f"\n### Files that could not be structured ({len(unstructured)}: ingested as plain paragraphs)\n")
    for p in unstructured:
        print(f"- {Path(p.path).relative_to(args.laws)}")
    print(f"\n### Files not ingested ({len(failed)}) and skipped ({len(skipped)})\n")
    for p in failed + skipped:
        print(f"- {Path(p.path).relative_to(args.laws)}: {p.reason}")

    if args.tokenize_docs > 0:
        from ingest.tokenize import Tokenizer

        t0 = time.perf_counter()
        tk = Tokenizer.default()
        tk.tokens("预热")
        init = time.perf_counter() - t0
        sample = docs[:: max(1, len(docs) // args.tokenize_docs)][: args.tokenize_docs]
        texts = [c.text for d in sample for c in d.clauses if c.leaf]
        t0 = time.perf_counter()
        n_tokens = sum(len(tk.tokens(t)) for t in texts)
        secs = time.perf_counter() - t0
        chars = sum(len(t) for t in texts)
        all_chars = sum(len(c.text) for d in docs for c in d.clauses if c.leaf)
        print("\n### jieba tokenisation (separate from the timed ingest above)\n")
        print("| sample docs | leaves | chars | tokens | seconds | chars/s | projected for all leaves s | "
              "jieba init s |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(f"| {len(sample)} | {len(texts)} | {chars} | {n_tokens} | {secs:.1f} | {chars / secs:.0f} | "
              f"{all_chars / (chars / secs):.0f} | {init:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
