"""Calibrate the answer card's "no clear basis found" threshold (answers.card.CONFIDENCE_THRESHOLD) on dev.

usage: python -m evaluation.calibrate_none --index DIR [--questions dev.jsonl] [--check heldout.jsonl]
For each threshold: the share of answerable questions the card answers (found=True) and the share of `none`
questions it declines (found=False), on dev plus evaluation/offtopic.jsonl (12 everyday questions outside child
protection, as more `none` cases: dev has only four) and on the held-out set (reported only).
Rule: balanced accuracy (mean of the two rates, so both kinds of error weigh the same) averaged with the grid
neighbours (a handful of `none` questions makes single points noisy); among thresholds within TIE of the best,
the lowest (answer more). History: on dev alone the `none` side is flat below 0.5 (its four questions are declined
by the figure check whatever the threshold), which is why the off-topic probes were added.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evaluation.scoring import DEV_QUESTIONS, HELDOUT_QUESTIONS, read_jsonl
from index.ranking.ranker import Ranker
from policykb.config import Config

REPO = Path(__file__).resolve().parent.parent
GRID = tuple(round(0.10 + 0.05 * i, 2) for i in range(17))  # 0.10 … 0.90


def hits_for(ranker: Ranker, questions: list[dict], k: int = 10) -> list[tuple[dict, list]]:
    """The best pipeline's hits for every question (searched once, reused for every threshold)."""
    return [(q, ranker.search(q["question"], k=k)) for q in questions]


def rates(searched: list[tuple[dict, list]], threshold: float) -> tuple[float, float]:
    """(answerable answered, none declined) at this threshold."""
    from answers.card import build_answer

    ans = [0, 0]
    none = [0, 0]
    for q, hits in searched:
        found = build_answer(q["question"], hits, threshold=threshold).found
        if q.get("answers"):
            ans[0] += found
            ans[1] += 1
        else:
            none[0] += not found
            none[1] += 1
    return ans[0] / (ans[1] or 1), none[0] / (none[1] or 1)


TIE = 0.01


def choose(searched: list[tuple[dict, list]], grid=GRID, tie: float = TIE) -> float:
    """The lowest threshold whose smoothed balanced accuracy is within `tie` of the best."""
    grid = sorted(grid)
    acc = [sum(rates(searched, t)) / 2 for t in grid]
    smooth = [sum(acc[max(0, i - 1): i + 2]) / len(acc[max(0, i - 1): i + 2]) for i in range(len(grid))]
    best = max(smooth)
    return next(t for t, sm in zip(grid, smooth) if sm >= best - tie)


def main(argv: list[str] | None = None) -> int:
    from answers.card import CONFIDENCE_THRESHOLD
    from index.kb import KnowledgeBase

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--cache-dir", type=Path, default=REPO / "data" / "cache")
    p.add_argument("--questions", type=Path, default=DEV_QUESTIONS)
    p.add_argument("--offtopic", type=Path, default=REPO / "evaluation" / "offtopic.jsonl",
                   help="everyday questions outside child protection, added to dev's `none` side for calibration")
    p.add_argument("--check", type=Path, default=HELDOUT_QUESTIONS)
    args = p.parse_args(argv)
    kb = KnowledgeBase.open(args.index, cache_dir=args.cache_dir)
    ranker = Ranker.from_config(kb, Config.from_env())
    dev = hits_for(ranker, read_jsonl(args.questions))
    if args.offtopic and args.offtopic.is_file():
        dev += hits_for(ranker, read_jsonl(args.offtopic))
    held = hits_for(ranker, read_jsonl(args.check)) if args.check and args.check.is_file() else []
    print("| threshold | dev answerable answered | dev none declined | held-out answerable answered | "
          "held-out none declined |\n|---|---|---|---|---|")
    for t in sorted(set(GRID) | {CONFIDENCE_THRESHOLD}):
        d = rates(dev, t)
        h = rates(held, t) if held else (float("nan"), float("nan"))
        mark = " (current)" if t == CONFIDENCE_THRESHOLD else ""
        print(f"| {t:.2f}{mark} | {d[0]:.2f} | {d[1]:.2f} | {h[0]:.2f} | {h[1]:.2f} |")
    print(f"\nchosen on dev: CONFIDENCE_THRESHOLD = {choose(dev):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
