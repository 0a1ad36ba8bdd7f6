"""Count how often lawyers cite each law for real questions: the ranker's gold prior.

usage: python -m evaluation.mine_prior [--out index/ranking/data/gold_prior.json]

Reads the real_dev training folds only (never its blind split, and none of our judges), counts every gold document
once per question, by the question's CV fold (evaluation.train_ranker.fold_of), and writes them with a
fingerprint of the questions read. index/ranking/prior.py explains the use; train_ranker gives each training
question the counts of the other folds.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from evaluation.scoring import read_jsonl
from evaluation.train_ranker import REAL_DEV, fold_of, real_dev_split
from index.ranking.prior import PRIOR_FILE, title_key


def count(questions: list[dict]) -> dict[str, dict[int, int]]:
    """For each gold document (title_key), how many questions of each fold cite it (once a question)."""
    docs: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for q in questions:
        for key in {title_key(g["doc"]) for g in q.get("answers") or [] if g.get("doc")}:
            docs[key][fold_of(q)] += 1
    return {k: dict(sorted(v.items())) for k, v in sorted(docs.items())}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=PRIOR_FILE)
    args = p.parse_args(argv)
    if not REAL_DEV.is_file():
        print(f"mine_prior: {REAL_DEV} is missing (../shared/eval/real_dev.jsonl)", file=sys.stderr)
        return 2
    train, _ = real_dev_split(read_jsonl(REAL_DEV))
    docs = count(train)
    per_fold = dict(sorted(Counter(fold_of(q) for q in train).items()))
    digest = hashlib.sha256("\n".join(sorted(q["id"] + q["question"] for q in train)).encode()).hexdigest()[:16]
    meta = {"questions": len(train), "fingerprint": digest, "source": "real_dev training folds",
            "script": "python -m evaluation.mine_prior"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps({"meta": meta, "questions": per_fold, "docs": docs}, ensure_ascii=False, indent=0)
                   + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out}: {len(docs)} documents cited by {len(train)} questions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
