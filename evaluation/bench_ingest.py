"""Benchmark: parse and segment all of ../shared/corpus/laws (3,475 files) and print Markdown tables.

    .venv/bin/python evaluation/bench_ingest.py [--laws DIR] [--workers 1,2] [--tokenize-docs 300]

Timed part: reading, decoding, metadata, clause tree and version resolution (ingest_paths). jieba tokenisation is
timed separately on a sample of documents (it belongs to index building) and projected to the whole corpus.
Reports wall and CPU seconds (the machine may be shared), documents/s, clauses/s, and every file that could not be
structured or ingested. Target: under 60 s on 2 cores.
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

from ingest.pipeline import ingest_paths  # noqa: E402

DEFAULT_LAWS = REPO.parent / "shared" / "corpus" / "laws"


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (worker processes)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_config(laws: Path, workers: int):
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    result = ingest_paths([laws], workers=workers)
    return result, time.perf_counter() - t0, cpu_seconds() - cpu0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--laws", type=Path, default=DEFAULT_LAWS, help="folder to ingest (default ../shared/corpus/laws)")
    ap.add_argument("--workers", default="1,2", help="comma-separated process counts to compare (default 1,2)")
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
    for w in [int(x) for x in args.workers.split(",") if x.strip()]:
        res, wall, cpu = run_config(args.laws, w)
        result = result or res
        n_docs, n_clauses = len(res.documents), sum(len(d.clauses) for d in res.documents)
        leaves = sum(1 for d in res.documents for c in d.clauses if c.leaf)
        print(f"| parse + segment, {w} process{'es' if w > 1 else ''} | {n_docs} | {n_clauses} | {leaves} | "
              f"{wall:.1f} | {cpu:.1f} | {n_docs / wall:.0f} | {n_clauses / wall:.0f} | "
              f"{'yes' if wall < 60 else 'NO'} |")
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
