"""real_dev figures split into the ranker's training folds and its blind split, from a `policykb eval --json` file.

    python -m evaluation.split_metrics evaluation/results/ltr_real_dev_B.json

real_dev's blind split (evaluation/train_ranker.py: sha1(id) % 5 == 0, 108 questions) is never fitted on, so only
its figures measure the learned ranker; the training folds' figures are in-sample.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from evaluation.train_ranker import BLIND_BUCKETS, bucket


def split_rows(payload: dict) -> list[str]:
    """Markdown rows: config × (blind, train) with R@1, R@5, R@10, MRR@10 from each question's first-hit rank."""
    lines = ["| config | split | questions | R@1 | R@5 | R@10 | MRR@10 |", "|---|---|---|---|---|---|---|"]
    for row in payload["rows"]:
        ranks = row["first_hit_rank"]
        for split in ("blind", "train"):
            ids = [q for q in ranks if (bucket(q) in BLIND_BUCKETS) == (split == "blind")]
            n = len(ids) or 1
            firsts = [ranks[q] for q in ids]
            r = {k: sum(f is not None and f < k for f in firsts) / n for k in (1, 5, 10)}
            mrr = sum(1 / (f + 1) for f in firsts if f is not None) / n
            lines.append(f"| {row['config']} | {split} | {len(ids)} | {r[1]:.3f} | {r[5]:.3f} | {r[10]:.3f} | {mrr:.3f} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or not Path(argv[0]).is_file():
        print("usage: python -m evaluation.split_metrics RESULTS.json (from policykb eval --json)", file=sys.stderr)
        return 2
    print("\n".join(split_rows(json.loads(Path(argv[0]).read_text(encoding="utf-8")))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
