"""`policykb reply`: draft a reply to a public inquiry from a built index (text, JSON, or .docx/.txt files)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policykb.config import Config


def register(subparsers, config: Config) -> None:
    p = subparsers.add_parser(
        "reply",
        help="draft a reply to a public inquiry, quoting the clauses it rests on",
        description="Draft a reply (答复草稿): salutation, quoted clauses with citations, responsible units, "
                    "contact channels found in the corpus, closing. Prints the draft; optionally writes .docx/.txt.",
    )
    p.add_argument("inquiry", help="the inquiry as the member of the public wrote it")
    p.add_argument("--index", default=None, help=f"index folder (default {config.index_dir})")
    p.add_argument("--clause", action="append", default=None, metavar="CLAUSE_ID",
                   help="quote this clause (repeatable; default: the candidates that clear the threshold)")
    p.add_argument("--docx", metavar="OUT.docx", help="also write the draft as a .docx file")
    p.add_argument("--txt", metavar="OUT.txt", help="also write the draft with its citation list as plain text")
    p.add_argument("--json", action="store_true", help="print the draft, citations, units and candidates as JSON")
    p.add_argument("--cache-dir", default=None, help=f"query-vector cache (default {config.cache_dir})")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, config: Config) -> int:
    from index.errors import PolicyKBError
    from index.kb import KnowledgeBase
    from index.ranking.ranker import Ranker
    from answers.reply import ReplyInputError, UnknownClauseError, compose_reply, plain_text
    from answers.reply_docx import reply_docx

    try:
        kb = KnowledgeBase.open(args.index or str(config.index_dir), cache_dir=args.cache_dir or config.cache_dir)
        reply = compose_reply(Ranker.from_config(kb, config), args.inquiry, args.clause)
    except (PolicyKBError, ReplyInputError, UnknownClauseError) as exc:
        print(f"policykb reply: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(reply.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(plain_text(reply), end="")
        print("\n候选条款（--clause 指定引用）：")
        for c in reply.candidates:
            print(f"  [{'x' if c.selected else ' '}] {c.clause_id}  {c.citation}  相关度 {c.support:.2f}")
    try:
        if args.docx:
            Path(args.docx).write_bytes(reply_docx(reply))
            print(f"wrote {args.docx}", file=sys.stderr)
        if args.txt:
            Path(args.txt).write_text(plain_text(reply), encoding="utf-8")
            print(f"wrote {args.txt}", file=sys.stderr)
    except OSError as exc:
        print(f"policykb reply: error: cannot write output: {exc}", file=sys.stderr)
        return 2
    return 0 if reply.found else 1
