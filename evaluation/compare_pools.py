"""Which training pools make a ranker that generalises to articles it never saw? Train on the pools of one
train_ranker run, judge on the pools of another, with the judge run's folds.

usage: python -m evaluation.compare_pools --judge WORK [--train LABEL=WORK ...] [--ablation SEEDS]

A train_ranker run draws each training question's candidates with a query adapter fitted without its fold. With
folds by question id (the default) the adapter may have seen other questions on the same article, so the adapted
dense score of a training candidate looks better than it will for a new article; with `--folds gold` it never
has. Our judges ask about articles no training set cites. This script scores every question of the judge run
(`--judge`, normally the gold-fold run) out of fold — by a model trained on the questions of the other folds, taken
from each `--train` run's pools — so the rows compare the training pools on the same, realistic test pools. Prints
train_ranker's objective and per-set MRR@10 / R@5; `--ablation N` leaves out each feature group in turn (mean of N
seeds), which shows the signals that carry over to new articles. Only non-blind sets are read.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from evaluation.select_ranker import load
from evaluation.train_ranker import (BALANCE, FEATURES, FOLDS, GROUPS, PARAMS, metrics, objective, row_folds,
                                     set_weights, train)
from index.ranking.ltr import features_without


def judged(train_sets: dict[str, dict], judge_sets: dict[str, dict], features: tuple[str, ...] = FEATURES,
           seed: int | None = None) -> dict[str, tuple[float, float, int]]:
    """Per set, MRR@10 / R@5 of the judge pools, each fold scored by a model trained on the other folds' questions
    from the train pools (the judge's fold of each question decides, whichever pools it is read from), on
    `features` (LightGBM `seed`: train_ranker's by default)."""
    judge_folds = {n: row_folds(d) for n, d in judge_sets.items()}
    fold_of_q = {str(q): int(f) for n, d in judge_sets.items() for q, f in zip(d["qid"], judge_folds[n])}
    weighted = set_weights(train_sets, BALANCE)
    train_folds = [np.array([fold_of_q.get(str(q), -1) for q in d["qid"]]) for d in weighted.values()]
    params = None if seed is None else {**PARAMS, "seed": seed}
    cols = [FEATURES.index(c) for c in features]
    preds = {n: np.zeros(len(d["y"])) for n, d in judge_sets.items()}
    for f in range(FOLDS):
        parts = [{k: v[folds != f] for k, v in d.items()} for d, folds in zip(weighted.values(), train_folds)]
        data = {k: np.concatenate([p[k] for p in parts]) for k in ("x", "y", "qid", "w")}
        booster = train(data["x"], data["y"], data["qid"], features, params=params, weight=data["w"])
        for n, d in judge_sets.items():
            mask = judge_folds[n] == f
            if mask.any():
                preds[n][mask] = booster.predict(d["x"][mask][:, cols], num_threads=1)
    return {n: metrics(preds[n], d["y"], d["qid"]) for n, d in judge_sets.items()}


def main(argv: list[str] | None = None) -> int:
    """Print the table of training pools (and with --ablation, of feature groups)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--judge", type=Path, required=True, help="train_ranker --work of the pools to score (and folds)")
    p.add_argument("--train", action="append", required=True, metavar="LABEL=WORK",
                   help="train_ranker --work whose pools train the models (repeat to compare)")
    p.add_argument("--ablation", type=int, default=0, metavar="SEEDS",
                   help="also leave out each feature group in turn, training on the first --train run's pools: "
                        "the objective's mean over this many LightGBM seeds, against all features")
    args = p.parse_args(argv)
    judge = load(args.judge)
    lines = ["| training pools | objective | child-protection A MRR | B MRR | real_dev MRR | "
             + " | ".join(f"{n} MRR / R@5" for n in judge) + " |", "|---|---|---|---|---|" + "---|" * len(judge)]
    for spec in args.train:
        label, sep, work = spec.partition("=")
        if not sep:
            p.error(f"--train {spec!r}: expected LABEL=WORK")
        res = judged(load(Path(work)), judge)
        obj = objective(res)
        lines.append(f"| {label} | {obj[0]:.4f} | {obj[1]:.3f} | {obj[2]:.3f} | {obj[3]:.3f} | "
                     + " | ".join(f"{res[n][0]:.3f} / {res[n][1]:.3f}" for n in judge) + " |")
        print(lines[-1], flush=True)
    print("\n".join(lines))
    if args.ablation:
        train_sets = load(Path(args.train[0].partition("=")[2]))
        seeds = [PARAMS["seed"] + i for i in range(args.ablation)]

        def mean_objective(features: tuple[str, ...]) -> tuple[float, float]:
            runs = [objective(judged(train_sets, judge, features, seed))[0] for seed in seeds]
            return float(np.mean(runs)), float(np.std(runs))

        table = ["", f"| features (trained on {args.train[0].partition('=')[0]}) | objective, mean ± sd of "
                 f"{len(seeds)} seeds |", "|---|---|"]
        table.append("| all | %.4f ± %.4f |" % mean_objective(FEATURES))
        print(table[-1], flush=True)
        for group in GROUPS:
            table.append(f"| −{group} | " + "%.4f ± %.4f |" % mean_objective(features_without(group)))
            print(table[-1], flush=True)
        print("\n".join(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
