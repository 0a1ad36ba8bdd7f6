"""Choose how the learned ranker is trained, by cross-validation over both kinds of questions it must serve.

usage: python -m evaluation.select_ranker --work DIR [--only DATA]

The learned ranker beat the linear rerank on real_dev (national-law questions, 88k of 105k training rows) but lost
to it on child-protection questions. This compares general remedies on non-blind data only — dev, held-out 1–5
(over corpus A and B) and real_dev's training folds (over B); real_dev's blind split, held-out 6 and real_own are
not read:
- training data: child-protection pools over A only (as before) or over A and B;
- balance: every question weighs 1, each question set weighs the same, or each kind (child-protection, real_dev)
  weighs the same (train_ranker.set_weights);
- regularisation: the previous parameters or fewer, larger leaves and fewer rounds;
- blend: the learned order fused by RRF with the linear rerank's (weight 0 … 1; index.ranking.ltr.blend).
Objective (fixed before any blind figure): 0.5 × mean MRR@10 over held-out 1–5 on A and on B (dev left out: the
linear weights were fitted on it) + 0.5 × real_dev training folds' MRR@10, all 5-fold out of fold. Needs the
feature caches of train_ranker (--work; the B child-protection pools included). Writes
evaluation/results/ltr_select.md; results are kept in --work/select.json so a rerun resumes.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from evaluation.train_ranker import (PARAMS, POOLS_FILE, ROUNDS, SETS, blended, cv_predictions, last_pools, metrics,
                                     objective, set_weights)
from index.ranking.ltr import FEATURES

REGULARISATION = {  # relative to train_ranker.PARAMS (the regularised trees since the out-of-fold selection)
    "previous": ({"num_leaves": 15, "min_data_in_leaf": 20, "lambda_l2": 0.0}, 150),
    "regularised": ({}, ROUNDS),
}
BLENDS = (0.0, 0.25, 0.5, 0.75, 1.0)
DATA = {"A+real": ("A",), "A+B+real": ("A", "B")}


def load(work: Path) -> dict[str, dict]:
    """The cached candidate features of every non-blind set of train_ranker's last run in `work`."""
    pools = last_pools(work)
    names = [f"{name}@{corpus}" for corpus in ("A", "B") for name in SETS] + ["real_dev-train@B"]
    missing = [n for n in names if n not in pools]
    if missing:
        raise FileNotFoundError(f"{work}: train_ranker's last run has no feature cache for {missing}")
    return {n: dict(np.load(pools[n], allow_pickle=False)) for n in names}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", type=Path, required=True, help="train_ranker's feature cache")
    p.add_argument("--only", choices=sorted(DATA), help="run one training-data option (two processes in parallel)")
    args = p.parse_args(argv)
    sets = load(args.work)
    run_key = hashlib.sha256((args.work / POOLS_FILE).read_bytes()).hexdigest()[:12]
    store = args.work / (f"select_{args.only}.json" if args.only else "select.json")
    done = json.loads(store.read_text()) if store.is_file() else {}
    for data, corpora in DATA.items():
        if args.only and data != args.only:
            continue
        train_on = tuple(n for n in sets if n.startswith("real_dev") or n.rsplit("@", 1)[1] in corpora)
        for balance in ("none", "kind", "set"):
            for reg, (extra, rounds) in REGULARISATION.items():
                key = f"{run_key}|{data}|{balance}|{reg}"  # results of another train_ranker run never count
                if key in done:
                    continue
                weighted = set_weights({n: sets[n] for n in train_on}, balance)
                run = {n: weighted.get(n, sets[n]) for n in sets}
                preds = cv_predictions(run, FEATURES, {**PARAMS, **extra}, rounds, train_on=train_on)
                done[key] = {str(w): {n: metrics(blended(preds[n], d, w), d["y"], d["qid"]) for n, d in sets.items()}
                             for w in BLENDS}
                store.write_text(json.dumps(done))
                print(key, {w: round(objective(r)[0], 4) for w, r in done[key].items()}, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
