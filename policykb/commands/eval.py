"""`policykb eval`: retrieval quality of several search configurations side by side (Markdown table + JSON)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policykb.config import Config

DEFAULT_QUESTIONS = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "dev.jsonl"


def register(subparsers, config: Config) -> None:
    p = subparsers.add_parser(
        "eval",
        help="measure retrieval quality (R@k, MRR, coverage, R@5 by type, latency) of several configurations",
        description="Run bm25, dense, hybrid and the best pipeline (with each improvement switched off and on "
                    "alone) over a question set and print one Markdown table.",
    )
    p.add_argument("--questions", type=Path, default=None,
                   help=f"question JSONL in the ../shared/eval format (default: {DEFAULT_QUESTIONS})")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--index", type=Path, default=None, help=f"built index folder (default: {config.index_dir})")
    where.add_argument("--corpus", nargs="+", default=None, metavar="PATH",
                       help="build an index of these folders/files first (into --build-dir) and evaluate it")
    p.add_argument("--build-dir", type=Path, default=None,
                   help="where --corpus builds its index (default: data/eval-index)")
    p.add_argument("--embedder", default=None, help=f"embedder for --corpus builds (default: {config.embedder})")
    p.add_argument("--configs", default=None,
                   help="comma-separated configuration names (default: all; e.g. bm25,hybrid,best,'best -title')")
    p.add_argument("--rescore", action="store_true",
                   help="add the dense signal to the best pipeline: embed each query's candidates with the bundled "
                        "embedder (cached in the cache dir) — for indexes built with --embedder none")
    p.add_argument("--top-k", type=int, default=10, help="results per question (the hit rule counts 10)")
    p.add_argument("--json", type=Path, default=None, help="also write the table and per-question ranks as JSON")
    p.add_argument("--runs", type=Path, default=None, help="write one run JSONL per configuration into this folder")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Open (or build) the index, run every configuration, print the table."""
    from evaluation.harness import configurations, evaluate, markdown_table, write_json, write_runs
    from evaluation.scoring import read_jsonl
    from index.kb import KnowledgeBase
    from index.ranking.ranker import Ranker

    questions_path = args.questions or DEFAULT_QUESTIONS
    if not questions_path.is_file():
        print(f"policykb eval: error: questions file {questions_path} not found (use --questions)", file=sys.stderr)
        return 2
    if args.top_k < 1:
        print(f"policykb eval: error: --top-k must be at least 1, got {args.top_k}", file=sys.stderr)
        return 2
    try:
        questions = read_jsonl(questions_path)
    except ValueError as exc:
        print(f"policykb eval: error: {exc}", file=sys.stderr)
        return 2
    cfg = config.with_overrides(embedder=args.embedder)
    index_dir = args.index or cfg.index_dir
    if args.corpus:
        from index.build import build_index

        index_dir = args.build_dir or Path("data/eval-index")
        missing = [c for c in args.corpus if not Path(c).exists()]
        if missing:
            print(f"policykb eval: error: --corpus path(s) not found: {missing}", file=sys.stderr)
            return 2
        report = build_index(args.corpus, index_dir, embedder=cfg.embedder, cache_dir=cfg.cache_dir,
                             progress=True, config=cfg)
        print(report.summary(), file=sys.stderr)
    try:
        kb = KnowledgeBase.open(index_dir, cache_dir=cfg.cache_dir)
    except Exception as exc:
        print(f"policykb eval: error: cannot open the index: {exc}", file=sys.stderr)
        return 1
    names = [n.strip() for n in args.configs.split(",") if n.strip()] if args.configs else None
    try:
        rescorer = None
        if args.rescore:
            from index.ranking.rescore import CandidateRescorer

            rescorer = CandidateRescorer("bundled", cfg.cache_dir)
        configs = configurations(names, dense=kb.has_vectors, rescorer=rescorer)
    except ValueError as exc:
        print(f"policykb eval: error: {exc}", file=sys.stderr)
        return 2
    print(f"{len(questions)} questions from {questions_path}; index {index_dir} "
          f"(embedder {kb.manifest.get('embedder')}); {len(configs)} configurations", file=sys.stderr)
    rows = evaluate(Ranker.from_config(kb, cfg), questions, configs, k=args.top_k,
                    progress=lambda r: print(f"  {r.config}: R@5 {r.metrics.recall[5]:.3f}", file=sys.stderr))
    print(markdown_table(rows))
    for row in rows:
        if row.none_found:
            print(f"\n{row.config}: answer card found=True for {row.none_found.get('answerable', 0):.0%} of "
                  f"answerable and {row.none_found.get('none', 0):.0%} of `none` questions")
    if args.json:
        write_json(args.json, {"questions": str(questions_path), "index": str(index_dir),
                               "embedder": kb.manifest.get("embedder"), "rows": [r.as_dict() for r in rows]})
    if args.runs:
        write_runs(args.runs, rows)
    return 0
