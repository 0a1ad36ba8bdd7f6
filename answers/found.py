"""The calibrated "found" decision of the answer card: a logistic model over ranking features predicting whether the
card's items (the best three clauses of the learned ranking) hold a clause that answers the question.

The lexical share of question words a clause holds (answers/terms.py support) is one feature among the score margins
of the learned ranker, the dense similarity of the best clause and whether it is of the kind the question asks for (a
responsible unit for "who", a figure of the asked unit for "number"). The coefficients, the probability cut and the
precision/coverage they were chosen for are fitted by `python -m evaluation.calibrate_found` (answers/data/found.json:
a public reply must not claim an answer it does not have, so a wrong "found" costs more than a decline).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from answers.terms import alternatives, clause_support, content_terms
from index.hit import Hit
from index.ranking.query import QUESTION_TYPES, analyze

FOUND_FILE = Path(__file__).resolve().parent / "data" / "found.json"
ITEMS = 3  # the card's items: the best clauses of the ranking
CLIP = 3.0  # standardised features are clipped to ±3 (the range the model was fitted on)
FEATURES = ("score1", "margin", "p1", "p3", "support1", "support3", "dense1", "has_dense", "bm25_rank1",
            "type_match") + tuple(f"q_{t}" for t in QUESTION_TYPES)


def type_match(analysis, hits: list[Hit]) -> float:
    """1 when one of the card's clauses is of the kind asked (the reranking signals of index/ranking/rerank.py): a
    unit with a duty for "who", a figure for "number"; always 1 for other questions."""
    from index.ranking.rerank import features

    if analysis.qtype not in ("who", "number"):
        return 1.0
    return float(any(features(analysis, h, 0.0, set())[analysis.qtype] for h in hits[:ITEMS]))


def found_features(query: str, hits: list[Hit], tokenizer=None) -> dict[str, float]:
    """The decision's features for a query and its ranked hits (best first, scores from the learned ranker)."""
    analysis = analyze(query)
    qtype = analysis.qtype
    scores = np.asarray([h.score for h in hits[:10]], dtype=np.float64)
    feats = {f: 0.0 for f in FEATURES}
    feats[f"q_{qtype}"] = 1.0
    if not len(scores):
        return feats
    terms = content_terms(query, tokenizer)
    alts = alternatives(terms, tokenizer)
    sups = [clause_support(terms, h, alts) for h in hits[:ITEMS]]
    soft = np.exp(scores - scores.max())
    soft /= soft.sum()
    dense = (hits[0].scores or {}).get("dense")
    feats.update({
        "score1": float(scores[0]),
        "margin": float(scores[0] - scores[1]) if len(scores) > 1 else 1.0,
        "p1": float(soft[0]), "p3": float(soft[:ITEMS].sum()),
        "support1": sups[0], "support3": max(sups),
        "dense1": float(dense) if dense is not None else 0.0, "has_dense": float(dense is not None),
        "bm25_rank1": math.log1p((hits[0].ranks or {}).get("bm25", 200)),
        "type_match": type_match(analysis, hits),
    })
    return feats


@dataclass
class FoundModel:
    """Logistic model P(card right | features) with the cut chosen for public replies."""

    coef: dict[str, float]
    intercept: float
    mean: dict[str, float]
    scale: dict[str, float]
    threshold: float  # found when P >= threshold
    meta: dict

    def probability(self, feats: dict[str, float]) -> float:
        """P(card right); each standardised feature is clipped to ±CLIP so a value far outside the training range
        (a margin of 7 on a tiny index) does not extrapolate the linear model."""
        z = self.intercept + sum(c * max(-CLIP, min(CLIP, (feats.get(f, 0.0) - self.mean[f]) / (self.scale[f] or 1.0)))
                                 for f, c in self.coef.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict:
        return {"coef": self.coef, "intercept": self.intercept, "mean": self.mean, "scale": self.scale,
                "threshold": self.threshold, "meta": self.meta}


def load_found(path: Path | str = FOUND_FILE) -> FoundModel | None:
    """The fitted decision, or None when it has not been calibrated (the card falls back to the support cut)."""
    path = Path(path)
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    unknown = [f for f in data["coef"] if f not in FEATURES]
    if unknown:
        raise ValueError(f"{path}: features this code does not compute: {unknown}; rerun evaluation.calibrate_found")
    return FoundModel(data["coef"], data["intercept"], data["mean"], data["scale"], data["threshold"],
                      data.get("meta", {}))
