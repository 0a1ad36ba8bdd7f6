"""Learning to rank: the features of each first-stage candidate and the LightGBM lambdarank model that orders them.

The hand-weighted sum of index/ranking/rerank.py was fitted on 49 dev questions. This stage learns the order from
real questions (dev, the real_dev training folds and our own written sets; evaluation/train_ranker.py) over general
signals: the BM25 and dense scores and ranks, how much of the question the article covers, title match, the
document's level and jurisdiction, how often other documents cite it (a citation-graph prior), the article's
position in its law (general provisions come first), the question type. A missing signal (no vectors and no
rescorer: no dense score) is NaN, which the trees route on their own.

The model file (index/ranking/data/ltr.txt + ltr.json: feature names, training fingerprint, cross-validated
figures) is package data, rebuilt by `python -m evaluation.train_ranker`; a second model (ltr_lexical.*) serves
indexes without vectors, on which the first, trained where every candidate has a dense score, ranks worse than the
hand-weighted rerank.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.hit import Hit
from index.ranking.query import QUESTION_TYPES, QueryAnalysis
from ingest.model import LEVELS, NATIONAL
from ingest.numerals import cn_to_int

DATA = Path(__file__).resolve().parent / "data"
MODEL_FILE = DATA / "ltr.txt"  # trained on candidate pools of indexes with vectors (dense features present)
META_FILE = DATA / "ltr.json"
# trained on BM25-only pools of corpus B (dense features missing): for an index built with --embedder none, or one
# still in phase one of a two-phase build (`python -m evaluation.train_ranker --lexical`)
LEXICAL_MODEL_FILE = DATA / "ltr_lexical.txt"
LEXICAL_META_FILE = DATA / "ltr_lexical.json"

# Feature groups (the ablation of evaluation/train_ranker.py drops one group at a time).
GROUPS: dict[str, tuple[str, ...]] = {
    "first_stage": ("fused_rel", "fused_rank"),
    "bm25": ("bm25", "bm25_rel", "bm25_rank"),
    "dense": ("dense", "dense_gap", "dense_rank"),
    # the same three for the plain (unadapted) query vector, for every candidate: the adapter moves questions like
    # the training ones; the plain cosine keeps what the zero-shot model sees in a question of a new kind
    "plain": ("plain", "plain_gap", "plain_rank"),
    "coverage": ("coverage", "coverage_text", "matched"),
    "title": ("title", "title_cov"),
    "qtype": ("qtype", "who", "number"),
    "level": ("level",),
    "jurisdiction": ("local", "national", "asked"),
    "citations": ("cited", "article_cited"),
    # the citation graph within the candidates: the first-stage scores of the candidates citing this article, and
    # of those it cites (a penalty clause 违反本法第十一条第二款… points at the duty it enforces)
    "pool_links": ("pool_cited", "pool_cites"),
    "generality": ("article_no", "article_len"),
    "doc_support": ("doc_share",),
    # how often lawyers cite the document for real questions (index/ranking/prior.py)
    "gold_prior": ("prior_doc",),
    # the training questions nearest this one and the articles / documents their golds are in
    # (index/ranking/neighbours.py)
    "neighbours": ("knn_article", "knn_doc"),
}
FEATURES: tuple[str, ...] = tuple(f for group in GROUPS.values() for f in group)


def features_without(group: str) -> tuple[str, ...]:
    """FEATURES with one group left out (the ablations of evaluation/train_ranker.py and compare_pools.py)."""
    return tuple(f for f in FEATURES if f not in GROUPS[group])


_ARTICLE = re.compile(r"第([零〇一二两三四五六七八九十百千0-9]+)条")


def article_number(hit: Hit) -> float:
    """The article's number in its law (第十一条 -> 11); NaN for work-plan paragraphs and unnumbered text."""
    for part in hit.locator:
        m = _ARTICLE.fullmatch(part) or _ARTICLE.match(part)
        if m:
            try:
                return float(cn_to_int(m.group(1)))
            except ValueError:
                return math.nan
    return math.nan


def _rel(values: list[float]) -> list[float]:
    """Each value over the largest (NaN stays NaN)."""
    finite = [v for v in values if not math.isnan(v)]
    top = max(finite, default=0.0) or 1.0
    return [v / top if not math.isnan(v) else math.nan for v in values]


def _gap_and_rank(values: list[float]) -> tuple[list[float], list[float]]:
    """Each value minus the largest, and its rank among the values (1 = largest; NaN stays NaN)."""
    n = len(values)
    finite = [v for v in values if not math.isnan(v)]
    top = max(finite, default=math.nan)
    order = sorted((i for i in range(n) if not math.isnan(values[i])), key=lambda i: -values[i])
    rank = [math.nan] * n
    for r, i in enumerate(order, 1):
        rank[i] = float(r)
    return [v - top for v in values], rank


def feature_matrix(analysis: QueryAnalysis, hits: list[Hit], dense: list[float] | None, region: str,
                   cited: list[int], signals: list[dict[str, float]], article_cited: list[int] | None = None,
                   plain: list[float] | None = None, links: set[tuple[str, str]] | None = None,
                   prior: list[float] | None = None,
                   knn: list[tuple[float, float]] | None = None) -> np.ndarray:
    """One row of FEATURES per candidate (hits in first-stage order). `dense`: each candidate's query cosine
    (None: no dense signal), `plain`: its cosine with the unadapted query vector (None: none;
    index.ranking.rerank.plain_cosines), `links`: (citing, cited) article pairs among the candidates
    (KnowledgeBase.article_links), `prior`: each candidate's GoldPrior.feature (None: no prior), `knn`: its
    Neighbours.features (None: no store for this index's model), `cited`: how many documents cite each candidate's
    document, `article_cited`: how many clauses of other documents cite its article, `signals`: each candidate's
    rerank features
    (index.ranking.rerank.candidate_features: base, coverage of title + article, of the article, of the title…)."""
    n = len(hits)
    article_cited = article_cited if article_cited is not None else [0] * n
    if not n:
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    nan = math.nan
    bm25 = [float((h.scores or {}).get("bm25", nan)) for h in hits]
    bm25_rel = _rel(bm25)
    dense = list(dense) if dense is not None else [nan] * n
    dense_gap, dense_rank = _gap_and_rank(dense)
    plain = list(plain) if plain is not None else [nan] * n
    plain_gap, plain_rank = _gap_and_rank(plain)
    prior = list(prior) if prior is not None else [nan] * n
    knn = list(knn) if knn is not None else [(nan, nan)] * n
    keys = [h.article_id or h.clause_id for h in hits]
    base = [sig["base"] for sig in signals]
    pool_cited, pool_cites = [0.0] * n, [0.0] * n
    if links:
        at = {key: i for i, key in reversed(list(enumerate(keys)))}
        for src, dst in links:
            if src in at and dst in at:
                pool_cited[at[dst]] += base[at[src]]
                pool_cites[at[src]] += base[at[dst]]
    per_doc: dict[str, int] = {}
    for h in hits:
        per_doc[h.doc_id] = per_doc.get(h.doc_id, 0) + 1
    level_of = {lv: i for i, lv in enumerate(LEVELS)}
    qtype = float(QUESTION_TYPES.index(analysis.qtype)) if analysis.qtype in QUESTION_TYPES else nan
    rows = []
    for i, h in enumerate(hits):
        text = h.article_text or h.text
        sig = signals[i]
        rows.append([
            sig["base"], float(i),
            bm25[i], bm25_rel[i], float(h.ranks.get("bm25", nan)) if h.ranks else nan,
            dense[i], dense_gap[i], dense_rank[i],
            plain[i], plain_gap[i], plain_rank[i],
            sig["coverage"], sig["coverage_text"], float(len(h.matched_terms)),
            sig["title"], sig["title_cov"],
            qtype, sig["who"], sig["number"],
            float(level_of.get(h.level, len(LEVELS))),
            float(h.region == region), float(h.region == NATIONAL), float(bool(analysis.region) and h.region == analysis.region),
            math.log1p(cited[i]), math.log1p(article_cited[i]),
            pool_cited[i], pool_cites[i],
            article_number(h), math.log1p(len(text)),
            per_doc[h.doc_id] / n,
            prior[i],
            knn[i][0], knn[i][1],
        ])
    return np.asarray(rows, dtype=np.float32)


def blend(learned: np.ndarray, linear: np.ndarray, weight: float, k: int = 60) -> np.ndarray:
    """Reciprocal-rank fusion of the learned and the linear rerank's orders of one question's candidates:
    (1 - weight) / (k + learned rank) + weight / (k + linear rank); weight 0 is the learned order alone. The linear
    order is the hand-weighted rerank's, fitted on child-protection questions: mixing it in keeps the ranker from
    following one training set's habits (evaluation/select_ranker.py chooses the weight by cross-validation)."""
    n = len(learned)
    out = np.zeros(n)
    for scores, w in ((learned, 1.0 - weight), (linear, weight)):
        if w <= 0:
            continue
        order = np.lexsort((np.arange(n), -np.asarray(scores, dtype=np.float64)))
        ranks = np.empty(n)
        ranks[order] = np.arange(1, n + 1)
        out += w / (k + ranks)
    return out


@dataclass
class LearnedModel:
    """A trained LightGBM ranker with the feature names it was trained on and its provenance."""

    booster: object  # lightgbm.Booster
    features: tuple[str, ...]
    meta: dict

    @property
    def blend_weight(self) -> float:
        """The linear rerank's share in the final order (ltr.json "blend"; 0: the learned order alone)."""
        return float(self.meta.get("blend", 0.0))

    @property
    def fingerprint(self) -> str:
        return self.meta.get("fingerprint", "")

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """Relevance scores for the rows of a FEATURES matrix (higher is better)."""
        if matrix.shape[0] == 0:
            return np.zeros(0)
        cols = [FEATURES.index(f) for f in self.features]
        return self.booster.predict(matrix[:, cols], num_threads=1)


def load_model(model_file: Path | str = MODEL_FILE, meta_file: Path | str = META_FILE) -> LearnedModel | None:
    """The trained ranker, or None when no model has been trained (the pipeline then uses the linear rerank)."""
    model_file, meta_file = Path(model_file), Path(meta_file)
    if not model_file.is_file() or not meta_file.is_file():
        return None
    import lightgbm

    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    unknown = [f for f in meta.get("features", []) if f not in FEATURES]
    if unknown:
        raise ValueError(f"{meta_file}: model uses features this code does not compute: {unknown}; "
                         "retrain with python -m evaluation.train_ranker")
    booster = lightgbm.Booster(model_str=model_file.read_text(encoding="utf-8"))
    return LearnedModel(booster, tuple(meta["features"]), meta)
