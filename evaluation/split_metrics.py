"""A `policykb eval --json` table split in two: real_dev's training folds and blind split, or any set's questions on
articles a training set cites and those on new articles.

    python -m evaluation.split_metrics evaluation/results/ltr_real_dev_B.json
    python -m evaluation.split_metrics --by trained --questions evaluation/heldout10.jsonl RESULTS.json

real_dev's blind split (evaluation/train_ranker.py: sha1(id) % 5 == 0, 108 questions) is never fitted on, so only
its figures measure the learned ranker; the training folds' figures are in-sample. `--by trained`: a question is
"trained" when one of its golds lies in an article (or work-plan paragraph) that a training set
(scoring.TRAINING_SETS, and real_dev's training folds) cites, "new" otherwise; a judge written after the training sets may share articles with
them, and only its "new" part is as blind as it looks.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from evaluation.scoring import TRAINING_SETS, read_jsonl
from evaluation.train_ranker import BLIND_BUCKETS, REAL_DEV, bucket, real_dev_split


def trained_articles() -> set[tuple[str, str]]:
    """(file, article) of every gold of the training sets, real_dev's training folds included (the ranker, the gold
    prior and the similar questions learn from them)."""
    questions = [q for path in TRAINING_SETS.values() for q in read_jsonl(path)]
    if REAL_DEV.is_file():
        questions += real_dev_split(read_jsonl(REAL_DEV))[0]
    return {(a["file"], a["article"]) for q in questions for a in q["answers"]}


def labels(by: str, questions: list[dict] | None = None) -> dict[str, str] | None:
    """Question id -> split for `--by trained` (None for `--by blind`, which splits by the id alone)."""
    if by == "blind":
        return None
    seen = trained_articles()
    return {q["id"]: "trained" if any((a["file"], a["article"]) in seen for a in q["answers"]) else "new"
            for q in questions or []}


def split_rows(payload: dict, by: dict[str, str] | None = None) -> list[str]:
    """Markdown rows: config × split with R@1, R@5, R@10, MRR@10 from each question's first-hit rank; `by`
    (labels()) names each question's split, else real_dev's blind/train."""
    lines = ["| config | split | questions | R@1 | R@5 | R@10 | MRR@10 |", "|---|---|---|---|---|---|---|"]
    splits = ("blind", "train") if by is None else ("new", "trained")
    for row in payload["rows"]:
        ranks = row["first_hit_rank"]
        for split in splits:
            if by is None:
                ids = [q for q in ranks if (bucket(q) in BLIND_BUCKETS) == (split == "blind")]
            else:
                ids = [q for q in ranks if by.get(q) == split]
            n = len(ids) or 1
            firsts = [ranks[q] for q in ids]
            r = {k: sum(f is not None and f < k for f in firsts) / n for k in (1, 5, 10)}
            mrr = sum(1 / (f + 1) for f in firsts if f is not None) / n
            lines.append(f"| {row['config']} | {split} | {len(ids)} | {r[1]:.3f} | {r[5]:.3f} | {r[10]:.3f} | {mrr:.3f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("results", type=Path, help="policykb eval --json output")
    p.add_argument("--by", choices=("blind", "trained"), default="blind")
    p.add_argument("--questions", type=Path, help="the set the results are of (for --by trained)")
    args = p.parse_args(argv)
    if not args.results.is_file():
        p.error(f"{args.results}: no such file (write one with policykb eval --json)")
    if args.by == "trained" and (args.questions is None or not args.questions.is_file()):
        p.error("--by trained needs --questions FILE, the question set the results are of")
    by = labels(args.by, read_jsonl(args.questions) if args.questions else None)
    print("\n".join(split_rows(json.loads(args.results.read_text(encoding="utf-8")), by)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
