"""How good are the reply drafts? Each question of a set is sent as an inquiry; for answerable questions: is a draft
written (a clause cleared the threshold) and does it quote a gold clause (the shared hit rule on the quoted text);
for `none` questions: does the draft say that no clear basis was found. Retrievers compared side by side.

    .venv/bin/python evaluation/reply_eval.py --index DIR [--cache-dir data/test-cache] [--sets dev,held-out]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from evaluation.scoring import QUESTION_SETS, is_hit, read_jsonl
from answers.reply import compose_reply


def judge(ranker, questions: list[dict], mode: str = "hybrid", threshold: float | None = None) -> dict:
    """Counts for one question set with one retriever."""
    out = {"answerable": 0, "drafted": 0, "gold_quoted": 0, "none": 0, "declined": 0, "quotes": 0, "seconds": 0.0}
    t0 = time.perf_counter()
    for q in questions:
        r = compose_reply(ranker, q["question"], mode=mode,
                          **({} if threshold is None else {"threshold": threshold}))
        if not q["answers"]:
            out["none"] += 1
            out["declined"] += not r.found
            continue
        out["answerable"] += 1
        if r.found:
            out["drafted"] += 1
            quoted = [c for c in r.citations if c not in r.channels]
            out["quotes"] += len(quoted)
            titles = {c.clause_id: c.doc_title for c in r.candidates}
            out["gold_quoted"] += any(
                is_hit({"doc_title": titles.get(c.clause_id, c.citation), "text": c.text}, g)
                for c in quoted for g in q["answers"])
    out["seconds"] = time.perf_counter() - t0
    return out


def main(argv: list[str] | None = None) -> int:
    from index.kb import KnowledgeBase
    from index.ranking.ranker import Ranker
    from policykb.config import Config

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--cache-dir", type=Path, default=None)
    p.add_argument("--sets", default="dev,held-out", help="comma-separated: dev, held-out")
    p.add_argument("--thresholds", default="", help="also sweep these thresholds with the default retriever, e.g. 0.6,0.7")
    args = p.parse_args(argv)
    kb = KnowledgeBase.open(args.index, cache_dir=args.cache_dir)
    ranker = Ranker.from_config(kb, Config.from_env())
    retrievers = {
        "hybrid (default)": "hybrid",
        "best pipeline": "best",
    }
    print("| set | retriever (threshold) | answerable | drafted | quotes a gold clause | quotes/draft | none | says no basis | s/q |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in args.sets.split(","):
        path = QUESTION_SETS.get(name.strip())
        if path is None or not path.exists():
            print(f"reply_eval: no question set {name!r} at {path}", file=sys.stderr)
            return 2
        questions = read_jsonl(path)
        runs = [(label, search, None) for label, search in retrievers.items()]
        runs += [(f"hybrid ({t})", None, float(t)) for t in args.thresholds.split(",") if t.strip()]
        for label, search, threshold in runs:
            r = judge(ranker, questions, search, threshold)
            n = len(questions)
            print(f"| {name} | {label} | {r['answerable']} | {r['drafted']} | {r['gold_quoted']} "
                  f"({r['gold_quoted'] / max(r['answerable'], 1):.0%}) | {r['quotes'] / max(r['drafted'], 1):.1f} "
                  f"| {r['none']} | {r['declined']} | {r['seconds'] / n:.2f} |")
    kb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
