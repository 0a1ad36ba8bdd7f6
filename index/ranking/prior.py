"""How often lawyers cite a law and an article for a real question: a learned prior of the ranker.

Real people's questions go to a few laws and, within them, to a few articles again and again (custody, wages owed,
a loan's interest): in real_dev's training folds 民法典 alone holds half the golds, and 44 % of the questions of one
fold share a gold article with the other folds. The counts come from those (question, gold article) pairs only, by
evaluation/mine_prior.py, and are kept per CV fold, so that the trainer can give each training question the prior
of the other folds (`without_fold`): a question's own gold never raises its own candidates. Our written
child-protection sets are left out: they are written to avoid the articles earlier sets cite, so their golds say
nothing about what people ask.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

PRIOR_FILE = Path(__file__).resolve().parent / "data" / "gold_prior.json"  # evaluation/mine_prior.py writes it


def title_key(title: str) -> str:
    """A document title as the prior keys it: without 《》, white space and 中华人民共和国 (golds say 民法典, the
    corpus 中华人民共和国民法典)."""
    return re.sub(r"[《》\s]", "", title or "").replace("中华人民共和国", "")


@dataclass(frozen=True)
class GoldPrior:
    """Questions citing each document (title_key) as gold, counted per training fold."""

    docs: Mapping[str, Mapping[int, int]] = field(default_factory=dict)
    questions: Mapping[int, int] = field(default_factory=dict)  # questions counted, per fold
    excluded: int | None = None  # the fold left out (the trainer's view of one fold's questions)
    meta: Mapping[str, object] = field(default_factory=dict, compare=False)

    def without_fold(self, fold: int) -> "GoldPrior":
        """The same counts without one fold's questions: the prior a question of that fold may see."""
        return GoldPrior(self.docs, self.questions, fold, self.meta)

    def feature(self, title: str) -> float:
        """log1p of the questions citing the document, in the folds counted, scaled to all folds' questions (a fold
        left out leaves the prior on the scale it is served at)."""
        by_fold = self.docs.get(title_key(title), {})
        total = sum(self.questions.values())
        kept = total - self.questions.get(self.excluded, 0) if self.excluded is not None else total
        n = sum(c for f, c in by_fold.items() if f != self.excluded)
        return math.log1p(n * total / kept if kept else 0.0)


def load_prior(path: Path | str = PRIOR_FILE) -> GoldPrior | None:
    """The mined prior (evaluation/mine_prior.py), or None when none was mined: the feature is then NaN, which the
    trained model, having never seen it missing, reads as 0 (a law nobody asked about)."""
    path = Path(path)
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    docs = {k: {int(f): int(n) for f, n in v.items()} for k, v in data["docs"].items()}
    questions = {int(f): int(n) for f, n in data["questions"].items()}
    return GoldPrior(docs, questions, None, data.get("meta", {}))
