"""`policykb search`: query a built index from the command line, one question or a batch file."""
from __future__ import annotations

import argparse
import json
import sys

from policykb.config import Config


def register(subparsers, config: Config) -> None:
    p = subparsers.add_parser(
        "search",
        help="search the knowledge base (one query, or --batch QUESTIONS.jsonl --out RUN.jsonl)",
        description="Search clauses of a built index. Readable output by default: citation, then text.",
    )
    p.add_argument("query", nargs="?", help="the question or keywords (at most max_query_chars characters)")
    p.add_argument("--index", type=str, default=None, help=f"index folder (default {config.index_dir})")
    p.add_argument("--mode", choices=("best", "hybrid", "bm25", "dense"), default="best",
                   help="best (the tuned pipeline, as in the web app; default), or one plain retriever")
    p.add_argument("--top-k", type=int, default=10, help="results to show (default 10)")
    p.add_argument("--json", action="store_true", help="print hits as JSON lines")
    p.add_argument("--by-document", action="store_true", help="group the best clauses per document")
    p.add_argument("--batch", metavar="QUESTIONS.jsonl", help="search every question of a JSONL file")
    p.add_argument("--out", metavar="RUN.jsonl", help="where --batch writes the run (the ../shared/eval format)")
    p.add_argument("--level", action="append", default=[], help="only this level (repeatable), e.g. 地方性法规")
    p.add_argument("--region", action="append", default=[], help="only this region (repeatable), e.g. 上海")
    p.add_argument("--issuer", action="append", default=[], help="issuer contains this text (repeatable)")
    p.add_argument("--date-from", help="version date on or after YYYY-MM-DD")
    p.add_argument("--date-to", help="version date on or before YYYY-MM-DD")
    p.add_argument("--all-versions", action="store_true", help="include superseded versions")
    p.add_argument("--embedder", default=None,
                   help="assert the index was built with this embedder (bundled | onnx | none | st:MODEL)")
    p.add_argument("--cache-dir", default=None, help=f"query-vector cache (default {config.cache_dir})")
    p.set_defaults(run=run)


def _filters(args):
    import re

    from index.hit import Filters

    for name in ("date_from", "date_to"):
        value = getattr(args, name)
        if value and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"--{name.replace('_', '-')} {value!r}: expected YYYY-MM-DD")
    return Filters(levels=tuple(args.level), regions=tuple(args.region), issuers=tuple(args.issuer),
                   date_from=args.date_from, date_to=args.date_to, include_superseded=args.all_versions)


def _print_hit(i: int, hit, out) -> None:
    status = "" if hit.status == "current" else f" [{hit.status}]"
    ranks = " ".join(f"{k}#{v}" for k, v in hit.ranks.items())
    print(f"{i}. {hit.citation}{status}  score {hit.score:.4f}  {ranks}", file=out)
    print(f"   {hit.text}", file=out)


def run(args: argparse.Namespace, config: Config) -> int:
    from evaluation.runs import read_questions, run_batch, write_run
    from index.errors import PolicyKBError
    from index.kb import KnowledgeBase
    from index.ranking.ranker import Ranker

    index_dir = args.index or str(config.index_dir)
    out = sys.stdout
    if args.top_k < 1 or args.top_k > config.max_top_k:
        print(f"policykb search: error: --top-k {args.top_k}: must be 1..{config.max_top_k}", file=sys.stderr)
        return 2
    if bool(args.batch) == bool(args.query):
        print("policykb search: error: give a query, or --batch QUESTIONS.jsonl --out RUN.jsonl", file=sys.stderr)
        return 2
    if args.batch and not args.out:
        print("policykb search: error: --batch needs --out RUN.jsonl", file=sys.stderr)
        return 2
    try:
        filters = _filters(args)
        kb = KnowledgeBase.open(index_dir, cache_dir=args.cache_dir or config.cache_dir, embedder=args.embedder)
        ranker = Ranker.from_config(kb, config)
        if args.batch:
            records = run_batch(read_questions(args.batch),
                                lambda q, n: ranker.search(q, k=n, filters=filters, mode=args.mode), k=args.top_k)
            n = write_run(records, args.out)
            print(f"wrote {n} runs ({args.mode}, top {args.top_k}) to {args.out}", file=out)
            return 0
        if args.by_document:
            groups = ranker.search_documents(args.query, k=args.top_k, filters=filters, mode=args.mode)
            for i, g in enumerate(groups, start=1):
                if args.json:
                    print(json.dumps({"doc_id": g.doc_id, "title": g.title, "score": g.score,
                                      "hits": [h.to_dict() for h in g.hits]}, ensure_ascii=False), file=out)
                else:
                    print(f"{i}. 《{g.title}》 ({g.hits[0].level}, {g.hits[0].date or 'undated'})", file=out)
                    for h in g.hits:
                        print(f"   - {h.citation}: {h.text}", file=out)
            return 0
        hits = ranker.search(args.query, k=args.top_k, filters=filters, mode=args.mode)
        if not hits:
            print("no matching clause found", file=out)
        for i, hit in enumerate(hits, start=1):
            if args.json:
                print(json.dumps(hit.to_dict(), ensure_ascii=False), file=out)
            else:
                _print_hit(i, hit, out)
        return 0
    except (PolicyKBError, ValueError) as exc:  # ValueError: a malformed --batch file
        print(f"policykb search: error: {exc}", file=sys.stderr)
        return 2
