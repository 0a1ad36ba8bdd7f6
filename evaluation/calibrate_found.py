"""Fit and calibrate the answer card's "found" decision (answers/found.py) and choose its operating point.

usage: python -m evaluation.calibrate_found --index-a DIR [--work data/ltr_work] [--cost 2]

Data: the training questions of evaluation/train_ranker.py, each ranked out of fold (by the fold model that never saw
it, from --work/folds), so the score margins are those of unseen questions; plus the `none` questions of the
training sets (evaluation.scoring.TRAINING_SETS), ranked over corpus A by the final model (no `none` question is
ever a ranking example). A card is right when one of its items (the best three clauses) hits a gold answer; on a
`none` question any "found" is wrong.

The logistic model is cross-validated (5 folds by question); its out-of-fold probabilities give the reliability plot
(evaluation/results/found_reliability.png) and table. The cut maximises right − cost × wrong over the training
questions (a wrong "found" in a public reply costs `cost` declines); precision and coverage at the cut are reported.
Writes answers/data/found.json and evaluation/results/found_calibration.md.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from answers.found import FEATURES, FOUND_FILE, FoundModel, found_features
from evaluation.scoring import REPO, TRAINING_SETS, read_jsonl
from evaluation.train_ranker import FOLDS, bucket, groups_of, last_pools, row_folds
from index.ranking.ltr import FEATURES as RANK_FEATURES
from index.ranking.query import QUESTION_TYPES

OUT = REPO / "evaluation" / "results"
NONE_PREFIX = "none/"


def from_pool(x: np.ndarray, y: np.ndarray, support: np.ndarray, scores: np.ndarray) -> tuple[dict, int]:
    """The decision's features and label for one question's candidate pool ordered by out-of-fold scores (the same
    quantities answers.found.found_features reads off the hits)."""
    col = {f: i for i, f in enumerate(RANK_FEATURES)}
    order = np.argsort(-scores, kind="stable")[:10]
    s = scores[order].astype(np.float64)
    soft = np.exp(s - s.max())
    soft /= soft.sum()
    top = order[:3]
    qtype = QUESTION_TYPES[int(x[0, col["qtype"]])]
    dense = float(x[order[0], col["dense"]])
    rank = float(x[order[0], col["bm25_rank"]])
    feats = {f: 0.0 for f in FEATURES}
    feats.update({
        "score1": float(s[0]), "margin": float(s[0] - s[1]) if len(s) > 1 else 1.0,
        "p1": float(soft[0]), "p3": float(soft[:3].sum()),
        "support1": float(support[order[0]]), "support3": float(support[top].max()),
        "dense1": 0.0 if math.isnan(dense) else dense, "has_dense": float(not math.isnan(dense)),
        "bm25_rank1": math.log1p(200 if math.isnan(rank) else rank),
        "type_match": float(x[top, col[qtype]].max()) if qtype in ("who", "number") else 1.0,
        f"q_{qtype}": 1.0,
    })
    return feats, int(y[top].max())


def pool_examples(work: Path) -> list[tuple[str, dict, int]]:
    """(question id, features, label) for every training question, ranked out of fold."""
    import lightgbm

    folds = [lightgbm.Booster(model_str=(work / "folds" / f"fold{f}.txt").read_text(encoding="utf-8"))
             for f in range(FOLDS)]
    out = []
    for name, path in sorted(last_pools(work).items()):
        if name.startswith("real_dev-blind"):
            continue  # the blind split is never used for a choice
        data = dict(np.load(path, allow_pickle=False))
        fold = row_folds(data)
        start = 0
        for size in groups_of(data["qid"]):
            sl = slice(start, start + size)
            start += size
            qid = str(data["qid"][sl][0])
            scores = folds[int(fold[sl][0])].predict(data["x"][sl])  # the fold model that never saw it
            feats, label = from_pool(data["x"][sl], data["y"][sl], data["support"][sl], scores)
            out.append((f"{path.stem}:{int(fold[sl][0])}:{qid}", feats, label))  # id: pool, fold, question
    return out


def none_examples(ranker) -> list[tuple[str, dict, int]]:
    """(id, features, 0) for the `none` questions of the training sets (scoring.TRAINING_SETS) over corpus A."""
    out = []
    for path in TRAINING_SETS.values():
        for q in read_jsonl(path):
            if q.get("answers"):
                continue
            hits = ranker.search(q["question"], k=10)
            out.append((f"{NONE_PREFIX}{path.stem}:{q['id']}", found_features(q["question"], hits, ranker.kb.tokenizer), 0))
    return out


# The direction each evidence feature may push the decision: a wider margin, a more probable or better-supported top
# clause, a higher cosine or a clause of the asked kind never makes an answer less likely to be right, and a worse
# BM25 rank never more. Unconstrained, correlated features took opposite signs (margin −0.36 beside p1 +0.78), and a
# clear answer on a small index — a margin far above the training range — was declined.
SIGNS = {"margin": 1, "p1": 1, "p3": 1, "support1": 1, "support3": 1, "dense1": 1, "type_match": 1, "bm25_rank1": -1}


@dataclass
class SignedLogistic:
    """A logistic regression whose coefficients keep the signs of SIGNS (L2-penalised, fitted with L-BFGS-B)."""

    coef_: np.ndarray
    intercept_: np.ndarray

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ self.coef_[0] + self.intercept_[0], -30, 30)))
        return np.column_stack([1 - p, p])


def fit(examples: list[tuple[str, dict, int]], c: float = 1.0):
    """A standardised, sign-constrained logistic regression over FEATURES (penalty 1 / (2c) ||w||^2, as sklearn's C)."""
    from scipy.optimize import minimize

    x = np.asarray([[f[n] for n in FEATURES] for _, f, _ in examples])
    y = np.asarray([lab for _, _, lab in examples], dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.column_stack([(x - mean) / scale, np.ones(len(x))])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        margin = z @ w
        p = 1.0 / (1.0 + np.exp(-np.clip(margin, -30, 30)))
        value = np.sum(np.logaddexp(0.0, margin) - y * margin) + 0.5 / c * np.sum(w[:-1] ** 2)
        grad = z.T @ (p - y)
        grad[:-1] += w[:-1] / c
        return value, grad

    bounds = [((0, None) if SIGNS.get(f) == 1 else (None, 0) if SIGNS.get(f) == -1 else (None, None))
              for f in FEATURES] + [(None, None)]
    w = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B", bounds=bounds).x
    return SignedLogistic(w[None, :-1], w[-1:]), mean, scale


def example_fold(eid: str) -> int:
    """An example's CV fold: the one its pool recorded (pool examples: "pool:fold:question"), else by question id
    (the `none` questions: "none:set:question")."""
    if eid.startswith(NONE_PREFIX):
        return bucket(eid.rsplit(":", 1)[1])
    return int(eid.split(":")[1])


def out_of_fold(examples: list[tuple[str, dict, int]]) -> np.ndarray:
    """Each example's probability from a model fitted without its fold (the ranker's folds: found is judged on
    questions whose ranking model never saw them)."""
    probs = np.zeros(len(examples))
    fold = np.asarray([example_fold(eid) for eid, _, _ in examples])
    x = np.asarray([[f[n] for n in FEATURES] for _, f, _ in examples])
    for k in range(FOLDS):
        train = [e for e, fk in zip(examples, fold) if fk != k]
        model, mean, scale = fit(train)
        mask = fold == k
        probs[mask] = model.predict_proba((x[mask] - mean) / scale)[:, 1]
    return probs


def operating_point(probs: np.ndarray, labels: np.ndarray, cost: float) -> float:
    """The cut maximising right − cost × wrong among the cards shown (ties: the higher cut)."""
    best, cut = -1e9, 1.0
    for t in np.unique(np.round(probs, 3)):
        shown = probs >= t
        utility = labels[shown].sum() - cost * (1 - labels[shown]).sum()
        if utility >= best:
            best, cut = utility, float(t)
    return cut


def main(argv: list[str] | None = None) -> int:
    from index.kb import KnowledgeBase
    from index.ranking.ranker import Ranker
    from policykb.config import Config

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index-a", type=Path, required=True)
    p.add_argument("--cache-dir", type=Path, default=REPO / "data" / "cache")
    p.add_argument("--work", type=Path, default=REPO / "data" / "ltr_work")
    p.add_argument("--cost", type=float, default=2.0, help="a wrong found counts as this many declines")
    args = p.parse_args(argv)
    kb = KnowledgeBase.open(args.index_a, cache_dir=args.cache_dir)
    ranker = Ranker.from_config(kb, Config.from_env())
    if ranker.model is None:
        print("calibrate_found: no learned ranker (run python -m evaluation.train_ranker first)", file=sys.stderr)
        return 1
    examples = pool_examples(args.work) + none_examples(ranker)
    labels = np.asarray([lab for _, _, lab in examples])
    none_mask = np.asarray([eid.startswith(NONE_PREFIX) for eid, _, _ in examples])
    probs = out_of_fold(examples)
    cut = operating_point(probs, labels, args.cost)
    lines = ["# The answer card's found decision: calibration (python -m evaluation.calibrate_found)", "",
             f"{len(examples)} questions ({int((~none_mask).sum())} answerable, ranked out of fold; "
             f"{int(none_mask.sum())} `none`). Label: one of the card's three clauses hits a gold answer. "
             f"Out-of-fold probabilities of a 5-fold sign-constrained logistic model.", "",
             "| predicted P(right) | questions | observed right |", "|---|---|---|"]
    bins = np.linspace(0, 1, 11)
    centers, observed, counts = [], [], []
    for lo, hi in zip(bins[:-1], bins[1:]):
        m = (probs >= lo) & ((probs < hi) | (hi == 1.0))
        if m.sum():
            centers.append(float(probs[m].mean()))
            observed.append(float(labels[m].mean()))
            counts.append(int(m.sum()))
            lines.append(f"| {lo:.1f}–{hi:.1f} (mean {probs[m].mean():.2f}) | {int(m.sum())} | {labels[m].mean():.2f} |")
    brier = float(np.mean((probs - labels) ** 2))
    lines += ["", f"Brier score {brier:.3f} (always the base rate: {float(np.mean((labels.mean() - labels) ** 2)):.3f}).", ""]
    lines += ["| cut | found (answerable) | precision | coverage (right / answerable) | `none` declined |",
              "|---|---|---|---|---|"]
    ans = ~none_mask
    for t in sorted({0.3, 0.4, 0.5, 0.6, 0.7, 0.8, round(cut, 3)}):
        shown = probs >= t
        prec = labels[shown].mean() if shown.any() else float("nan")
        lines.append(f"| {t:.3f}{' (chosen)' if abs(t - cut) < 1e-9 else ''} | {int((shown & ans).sum())}/{int(ans.sum())} "
                     f"| {prec:.3f} | {int((shown & ans & (labels == 1)).sum())}/{int(ans.sum())} = "
                     f"{(shown & ans & (labels == 1)).sum() / max(1, ans.sum()):.3f} "
                     f"| {int((~shown & none_mask).sum())}/{int(none_mask.sum())} |")
    model, mean, scale = fit(examples)
    coef = {f: round(float(c), 5) for f, c in zip(FEATURES, model.coef_[0])}
    found = FoundModel(coef, round(float(model.intercept_[0]), 5), {f: round(float(v), 6) for f, v in zip(FEATURES, mean)},
                       {f: round(float(v), 6) for f, v in zip(FEATURES, scale)}, round(cut, 4),
                       {"cost": args.cost, "brier_oof": round(brier, 4), "examples": len(examples),
                        "ranker": ranker.model.fingerprint})
    FOUND_FILE.parent.mkdir(parents=True, exist_ok=True)
    FOUND_FILE.write_text(json.dumps(found.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    lines += ["", f"Chosen cut {cut:.3f} (cost of a wrong found = {args.cost} declines). Coefficients (standardised): "
              + ", ".join(f"{k} {v:+.2f}" for k, v in coef.items()), ""]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "found_calibration.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.plot(centers, observed, "o-", label="out-of-fold")
    for cx, oy, n in zip(centers, observed, counts):
        ax.annotate(str(n), (cx, oy), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.axvline(cut, color="red", lw=0.8, label=f"cut {cut:.2f}")
    ax.set_xlabel("predicted P(card right)")
    ax.set_ylabel("observed share right")
    ax.set_title("Answer card found decision")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "found_reliability.png", dpi=120)
    print(f"wrote {FOUND_FILE}, {OUT / 'found_reliability.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
