"""Similar questions already answered: which articles a lawyer cited for the training questions nearest a new one.

Real questions recur (彩礼 returned after a break-up, wages owed by a firm that closed): in real_dev's training
folds 44 % of one fold's questions share a gold article with the other folds, and a neighbour's gold is a strong
hint when the neighbour is close. The store holds, for each real_dev training question, its query vector (the
plain vector the ranker's `plain` cosine uses, from the index's embedder), its gold articles and documents and its
CV fold; evaluation/mine_prior.py --index writes it. Vectors of one embedding model only: an index embedded by
another model gets no neighbour features. The trainer gives each question only the other folds' neighbours
(`without_fold`), as it does the gold prior.

Two uses: features of every candidate (`features`), and candidates of their own (`nearest_golds`): the articles the
nearest questions' golds name join the pool when the first stage missed them (index/ranking/rerank.py), since a
fifth of real questions' golds are not among the first stage's hundred passages.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from index.embedders import model_family
from index.ranking.prior import title_key
from ingest.numerals import cn_to_int

NEIGHBOURS_FILE = Path(__file__).resolve().parent / "data" / "neighbours.npz"  # evaluation/mine_prior.py writes it
K = 10  # neighbours read per question
INJECT = 10  # at most this many of their gold articles join a question's candidates

_ARTICLE = re.compile(r"第([零〇一二两三四五六七八九十百千0-9]+)条(之[一二三四五六七八九十]+)?")


def article_key(title: str, locator: str | Sequence[str]) -> str | None:
    """'title|number' of the article a locator names (第一千零八十四条 -> 民法典|1084, 第二百八十七条之二 ->
    刑法|287之二), so a gold's article meets a candidate's; None when it names no numbered article."""
    parts = (locator,) if isinstance(locator, str) else locator
    for part in parts:
        m = _ARTICLE.search(part or "")
        if m:
            try:
                return f"{title_key(title)}|{cn_to_int(m.group(1))}{m.group(2) or ''}"
            except ValueError:
                return None
    return None


@dataclass(frozen=True)
class Neighbours:
    """Training questions' vectors (unit rows) with their gold articles and documents and CV folds."""

    vectors: np.ndarray  # (n, dim) float32
    golds: tuple[tuple[tuple[str, str], ...], ...]  # per question: (document title, 第X条) as the gold names them
    folds: np.ndarray  # (n,) int
    model: str  # index.embedders.model_family of the embedder the vectors come from
    excluded: int | None = None
    meta: Mapping[str, object] = field(default_factory=dict, compare=False)
    articles: tuple[frozenset[str], ...] = field(init=False, repr=False, compare=False)  # article_key per question
    docs: tuple[frozenset[str], ...] = field(init=False, repr=False, compare=False)  # title_key per question

    def __post_init__(self) -> None:
        keys = tuple(frozenset(k for d, a in g if (k := article_key(d, a))) for g in self.golds)
        object.__setattr__(self, "articles", keys)
        object.__setattr__(self, "docs", tuple(frozenset(title_key(d) for d, _ in g) for g in self.golds))

    def without_fold(self, fold: int) -> "Neighbours":
        """The same store without one fold's questions: the neighbours a question of that fold may see."""
        return Neighbours(self.vectors, self.golds, self.folds, self.model, fold, self.meta)

    def _nearest(self, query: np.ndarray) -> tuple[np.ndarray, list[int]]:
        """(cosines of every stored question, the K nearest of the folds counted, nearest first)."""
        q = np.asarray(query, dtype=np.float32)
        sims = self.vectors @ (q / (np.linalg.norm(q) or 1.0))
        if self.excluded is not None:
            sims = np.where(self.folds == self.excluded, -np.inf, sims)
        return sims, [int(j) for j in np.argsort(-sims)[:K] if np.isfinite(sims[j])]

    def nearest_golds(self, query: np.ndarray, limit: int = INJECT) -> list[tuple[str, str]]:
        """The (document, article) golds of the K nearest questions, nearest question first, each once."""
        if not len(self.vectors):
            return []
        out: dict[tuple[str, str], None] = {}
        for j in self._nearest(query)[1]:
            for gold in self.golds[j]:
                out.setdefault(gold)
        return list(out)[:limit]

    def features(self, query: np.ndarray, titles: Sequence[str],
                 locators: Sequence[Sequence[str]]) -> list[tuple[float, float]]:
        """(knn_article, knn_doc) per candidate: the cosine of the nearest of the K nearest questions whose gold is
        the candidate's article (0: none), and the similarity-weighted share of the K whose gold is in its
        document."""
        n = len(titles)
        if not len(self.vectors):
            return [(0.0, 0.0)] * n
        sims, top = self._nearest(query)
        weight = sum(max(float(sims[j]), 0.0) for j in top) or 1.0
        out = []
        for title, locator in zip(titles, locators):
            art, doc = article_key(title, locator), title_key(title)
            near = max((float(sims[j]) for j in top if art and art in self.articles[j]), default=0.0)
            share = sum(max(float(sims[j]), 0.0) for j in top if doc in self.docs[j]) / weight
            out.append((near, share))
        return out


def save_neighbours(path: Path, vectors: np.ndarray, golds: Sequence[Sequence[tuple[str, str]]],
                    folds: Sequence[int], embedder: str, meta: Mapping[str, object]) -> None:
    """Write the store atomically, with the model its vectors come from."""
    vectors = np.asarray(vectors, dtype=np.float32)
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    info = json.dumps({**meta, "model": model_family(embedder), "embedder": embedder,
                       "golds": [[list(g) for g in gs] for gs in golds]}, ensure_ascii=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, vectors=vectors, folds=np.asarray(folds, dtype=np.int32), info=np.array(info))
    tmp.replace(path)


def load_neighbours(embedder: str, path: Path | str = NEIGHBOURS_FILE) -> Neighbours | None:
    """The store when its vectors come from the model of `embedder` (the index's), else None."""
    path = Path(path)
    if not embedder or not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        info = json.loads(str(data["info"]))
        if info.get("model") != model_family(embedder):
            return None
        vectors, folds = data["vectors"].astype(np.float32), data["folds"].astype(np.int64)
    meta = {k: v for k, v in info.items() if k != "golds"}
    golds = tuple(tuple((d, a) for d, a in gs) for gs in info["golds"])
    return Neighbours(vectors, golds, folds, info["model"], None, meta)

