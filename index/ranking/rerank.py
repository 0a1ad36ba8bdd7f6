"""The "best" search pipeline: query analysis -> candidates from the texts binding the user -> one result per
article -> rerank.

Candidates come only from the jurisdictions that bind the user: their region (上海), the region the question names,
and national law — other provinces' copies of the same rules no longer crowd out the clause to cite. Indexes without
vectors take a deeper BM25 pool whose ranking is re-fused with a dense rescoring of the candidates
(index/ranking/rescore.py). The reranker adds general signals to the fused retrieval score: how much of the question the
article covers (character bigrams, robust to word-splitting errors), a clause naming a responsible unit for "who"
questions, a figure for "number" questions, the document title echoed in the question, the authority of the text (a
law or policy rather than a case report), and the query's dense similarity. WEIGHTS are fitted on the dev set by
evaluation/fit_rerank.py; every improvement can be switched off (PipelineOptions) for the ablation table of
`policykb eval`.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

from index.fusion import FusionConfig, rrf
from index.hit import Filters, Hit
from ingest.model import NATIONAL
from index.ranking.query import QueryAnalysis, analyze, merged_synonyms
from index.ranking.rescore import normalised

SIGNALS = ("coverage", "who", "number", "title", "authority", "dense")
SWITCHES = ("strip", "synonyms", "group_articles", "jurisdiction")  # query/candidate improvements (not signals)
LEARNED = "learned"  # Hit.ranks key of the learned ranker's position: its scores are the model's (answers/found.py)

# Fitted on the dev questions only (../shared/eval/dev.jsonl) by `python -m evaluation.fit_rerank --rescore --index
# A B`, jointly over two corpus settings: workplan + related (hybrid, bundled embedder) and + all laws as
# distractors (BM25 only, candidates embedded by the rescorer).
WEIGHTS: dict[str, float] = {
    "base": 1.0,  # the fused retrieval score, normalised by the best candidate's
    "coverage": 2.0,
    "who": 0.0,  # fitted to 0 on dev (kept as a signal: a refit may use it)
    "number": 0.2,
    "title": 0.2,
    "authority": 0.0,  # likewise fitted to 0 on dev
    "dense": 0.5,  # the dense retriever's score, or the rescorer's for indexes without vectors (index/ranking/rescore.py)
}

_UNIT = re.compile(
    r"(部门|机关|人民政府|委员会|办事处|人民法院|人民检察院|公安|民政|教育|卫生健康|网信|市场监管|工作站|机构|"
    r"儿童主任|妇女联合会|共产主义青年团|残疾人联合会)"
)
_DUTY = re.compile(r"负责|应当|会同|指导|监督|确定|制定|组织|协调|查询|审批|配合|开展|建立")
_CN_NUM = "零〇一二两三四五六七八九十百千万"
_FIGURE = re.compile(
    rf"([0-9０-９]+|[{_CN_NUM}]+)\s*(周岁|岁|个月|月|日|天|工作日|小时|课时|学时|年|次|名|人|个|间|所|家|%|％|元)"
    r"|百分之|[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日"
)


@dataclass(frozen=True)
class PipelineOptions:
    """Switches of the best pipeline; each improvement can be turned off alone for the ablation."""

    strip: bool = False  # search with the question scaffolding removed (off: once each query word weighs one word,
    #                      stripping 请问/哪个部门 lost in the dev ablation)
    synonyms: bool = True  # add legal terms for the colloquial words of the query
    group_articles: bool = True  # one result per article (the unit a citation quotes)
    signals: tuple[str, ...] = SIGNALS  # reranking signals in use; () = fused retrieval order only
    depth: int = 50  # candidates taken from hybrid retrieval
    rescore_depth: int = 200  # ... from BM25 alone when a rescorer supplies the dense half (lexical recall is weaker)
    jurisdiction: bool = True  # draw candidates only from texts binding the user (their region + national law)
    region: str = ""  # the user's region (Config.region; the Ranker fills it in)
    mode: str = "hybrid"  # first-stage retrieval
    weights: Mapping[str, float] = field(default_factory=lambda: dict(WEIGHTS))
    rescorer: object | None = field(default=None, compare=False)  # index.ranking.rescore.CandidateRescorer: dense signal
    mined: bool = True  # add the mined colloquial -> legal terms (evaluation/mine_terms.py) to the hand synonyms
    mined_terms: Mapping[str, tuple[str, ...]] | None = field(default=None, compare=False)  # the Ranker loads them
    learned: bool = True  # order candidates by the learned ranker (index/ranking/ltr.py) when a model is given
    model: object | None = field(default=None, compare=False)  # index.ranking.ltr.LearnedModel (the Ranker loads it)
    ltr_depth: int = 100  # candidates the learned ranker orders: the fused union of BM25's and the dense top lists
    ltr_lexical_depth: int = 300  # ... over an index without vectors: BM25 alone needs a deeper pool for recall
    adapted: bool = True  # map the query vector with the learned query adapter (index/ranking/adapter.py) if given
    adapter: object | None = field(default=None, compare=False)  # index.ranking.adapter.QueryAdapter (the Ranker's)
    prior: object | None = field(default=None, compare=False)  # index.ranking.prior.GoldPrior (the Ranker loads it)
    neighbours: object | None = field(default=None, compare=False)  # index.ranking.neighbours.Neighbours: candidates
    #                                                  and features from similar training questions (the Ranker's)

    def without(self, name: str) -> "PipelineOptions":
        """These options with one improvement switched off (a signal name, strip, synonyms or group_articles)."""
        if name in SIGNALS:
            return replace(self, signals=tuple(s for s in self.signals if s != name))
        if name == "rerank":
            return replace(self, signals=())
        if name in SWITCHES:
            return replace(self, **{name: False})
        if name in ("learned", "mined", "adapted"):
            return replace(self, **{name: False})
        known = SIGNALS + ("rerank", "learned", "mined", "adapted") + SWITCHES
        raise ValueError(f"unknown pipeline improvement {name!r}: use one of {known}")


def bigrams(text: str) -> set[str]:
    """The CJK character bigrams (and ASCII/digit runs) of a text."""
    out = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            out.add(run)
    out.update(re.findall(r"[0-9a-zA-Z]+", text))
    return out


def coverage(query_grams: set[str], text: str) -> float:
    """Share of the query's bigrams that occur in text."""
    if not query_grams:
        return 0.0
    return len(present(query_grams, text)) / len(query_grams)


def present(query_grams: set[str], text: str) -> set[str]:
    """The query's bigrams that occur in text."""
    return {g for g in query_grams if g in text}


@lru_cache(maxsize=4096)
def longest_common_substring(a: str, b: str) -> int:
    """Length of the longest common substring (short strings: titles and questions). Memoised: a query's hundred
    candidates share a few document titles."""
    best = 0
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0] * (len(b) + 1)
        for j, bj in enumerate(b, 1):
            if ch == bj:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def features(analysis: QueryAnalysis, hit: Hit, base: float, query_grams: set[str]) -> dict[str, float]:
    """The reranking features of one candidate (all in 0..1): the SIGNALS, plus the coverage of the article alone
    (coverage_text) and of the title alone (title_cov) that the learned ranker also reads. Each bigram is looked up
    once in the article and once in the title: no bigram holds a space, so the title-and-article coverage is the
    share found in either."""
    text = hit.article_text or hit.text
    n = len(query_grams) or 1
    in_text, in_title = present(query_grams, text), present(query_grams, hit.doc_title)
    feats = {"base": base, "coverage": len(in_text | in_title) / n, "coverage_text": len(in_text) / n,
             "title_cov": len(in_title) / n}
    feats["who"] = float(analysis.qtype == "who" and bool(_UNIT.search(text)) and bool(_DUTY.search(text)))
    feats["number"] = float(analysis.qtype == "number" and bool(_FIGURE.search(text)))
    feats["authority"] = float(hit.level != "其他")  # a legal/policy text, not a case report or a guide
    title = re.sub(r"[《》\s]", "", hit.doc_title).replace("中华人民共和国", "")
    lcs = longest_common_substring(title, analysis.original)
    feats["title"] = min(1.0, lcs / max(4, min(len(title), 8))) if lcs >= 4 else 0.0
    return feats


def group_by_article(hits: Iterable[Hit]) -> list[Hit]:
    """Keep the best hit of each article (hits arrive best first)."""
    seen, out = set(), []
    for hit in hits:
        key = hit.article_id or hit.clause_id
        if key in seen:
            continue
        seen.add(key)
        out.append(hit)
    return out


def asked_text(analysis: QueryAnalysis, options: PipelineOptions) -> str:
    """The question as these options search it, before synonyms are added: stripped of scaffolding or as typed."""
    return analysis.core if options.strip else analysis.original


def query_text(analysis: QueryAnalysis, options: PipelineOptions) -> str:
    """The text sent to the retrievers under these options."""
    text = asked_text(analysis, options)
    if options.synonyms:
        extra = " ".join(t for t in analysis.expansions if t not in text)
        text = f"{text} {extra}".strip()
    return text


def rescoring(kb, options: PipelineOptions) -> bool:
    """Whether the rescorer supplies the dense half of retrieval: one is set, the dense signal is on, and the index
    has no vectors of its own."""
    return options.rescorer is not None and "dense" in options.signals and not kb.has_vectors


def dense_scores(analysis: QueryAnalysis, hits: list[Hit], options: PipelineOptions, kb=None) -> list[float]:
    """Each candidate's raw query similarity: from the rescorer when it is rescoring, else the dense retriever's
    own score (candidates it did not return get its lowest score)."""
    if rescoring(kb, options):
        return options.rescorer.similarities(kb, query_text(analysis, options), hits)
    present = [h.scores["dense"] for h in hits if "dense" in (h.scores or {})]
    if not present:
        return [0.0] * len(hits)
    floor = min(present)
    return [(h.scores or {}).get("dense", floor) for h in hits]


def rescored_base(hits: list[Hit], sims: list[float], fusion: FusionConfig | None) -> list[float]:
    """The first-stage score of BM25-only candidates re-fused with the rescorer's ranking, as hybrid search fuses
    BM25 with dense retrieval, scaled by the best candidate's: the dense half of hybrid for indexes without vectors."""
    fusion = fusion or FusionConfig()
    by_sim = sorted(range(len(hits)), key=lambda i: -sims[i])
    lists = {"bm25": [(i, 0.0) for i in range(len(hits))], "dense": [(i, 0.0) for i in by_sim]}
    scores = dict(rrf(lists, fusion.rrf_k, fusion.weights))
    top = max(scores.values()) or 1.0
    return [scores[i] / top for i in range(len(hits))]


def candidate_features(analysis: QueryAnalysis, hits: list[Hit], options: PipelineOptions) -> list[dict[str, float]]:
    """features() of each candidate, with base = its first-stage score over the best candidate's; coverage counts
    the bigrams of the question as asked (asked_text), not of the added synonyms."""
    top = max((h.score for h in hits), default=0.0) or 1.0
    grams = bigrams(asked_text(analysis, options))
    return [features(analysis, h, h.score / top, grams) for h in hits]


def score_candidates(analysis: QueryAnalysis, hits: list[Hit], options: PipelineOptions,
                     kb=None, feats: list[dict[str, float]] | None = None) -> list[tuple[float, dict, Hit]]:
    """(score, features, hit) for each candidate, best first; `feats` = candidate_features(...) when the caller
    has them already."""
    if not hits:
        return []
    feats = feats if feats is not None else candidate_features(analysis, hits, options)
    base = [f["base"] for f in feats]
    dense = [0.0] * len(hits)
    if "dense" in options.signals:
        sims = dense_scores(analysis, hits, options, kb)
        dense = normalised(sims)
        if rescoring(kb, options):  # BM25-only candidates: fuse the rescorer's ranking in
            base = rescored_base(hits, sims, kb.fusion)
    scored = []
    for hit, f, b, sim in zip(hits, feats, base, dense):
        f = {**f, "base": b, "dense": sim}
        total = options.weights.get("base", 1.0) * f["base"]
        total += sum(options.weights.get(s, 0.0) * f[s] for s in options.signals)
        scored.append((total, f, hit))
    scored.sort(key=lambda t: -t[0])
    return scored


def candidates(kb, query: str, filters: Filters | None, options: PipelineOptions,
               k: int = 0) -> tuple[QueryAnalysis, list[Hit]]:
    """Analyse the query and fetch the first-stage candidates: max(depth, k) passages, grouped by article if asked.
    `kb` is an index.ranking.ranker.Retrieval (the KnowledgeBase)."""
    synonyms = None
    if options.synonyms:
        synonyms = merged_synonyms(kb.tokenizer.synonyms, options.mined_terms if options.mined else None)
    analysis = analyze(query, synonyms, kb.places)
    mode = "bm25" if options.mode == "hybrid" and not kb.has_vectors else options.mode
    text = query_text(analysis, options)
    depth = max(learned_depth(kb, options) if learning(options) else
                options.rescore_depth if rescoring(kb, options) else options.depth, k)
    if options.jurisdiction:
        filters = binding_filters(filters, analysis.region, options.region)
    transform = options.adapter.apply if options.adapted and options.adapter is not None else None
    hits = kb.search(text, k=depth, filters=filters, mode=mode, query_transform=transform)
    if options.group_articles:
        hits = group_by_article(hits)
        if options.neighbours is not None and kb.has_vectors:
            hits += neighbour_candidates(kb, analysis, hits, filters, options)
    return analysis, hits


def neighbour_candidates(kb, analysis: QueryAnalysis, hits: list[Hit], filters: Filters | None,
                         options: PipelineOptions) -> list[Hit]:
    """The articles the nearest training questions' golds name (index/ranking/neighbours.py) that the first stage
    missed, from the texts the filters allow, after its candidates (they carry no retriever score)."""
    query = plain_query(kb, analysis, options)
    have = {h.article_id or h.clause_id for h in hits}
    out = []
    for doc, article in options.neighbours.nearest_golds(query):
        hit = kb.article_hit(doc, article, filters, query)
        if hit is not None and (hit.article_id or hit.clause_id) not in have:
            have.add(hit.article_id or hit.clause_id)
            out.append(hit)
    return out


def binding_filters(filters: Filters | None, asked: str | None, user_region: str) -> Filters:
    """The filters narrowed to the texts that matter to the user: the region the query names, the user's own region
    and national law. Unchanged when the caller already chose regions (their choice stands)."""
    filters = filters or Filters()
    if filters.regions:
        return filters
    return replace(filters, regions=tuple(dict.fromkeys(r for r in (asked, user_region, NATIONAL) if r)))


def learned_depth(kb, options: PipelineOptions) -> int:
    """How many first-stage passages the learned ranker orders on this index."""
    return options.ltr_depth if kb.has_vectors else options.ltr_lexical_depth


def learning(options: PipelineOptions) -> bool:
    """Whether the learned ranker orders the candidates (switched on and a model given)."""
    return options.learned and options.model is not None


def reads(options: PipelineOptions, *features: str) -> bool:
    """Whether the candidate matrix needs these features: the model reads one of them, or no model is given (the
    trainer collects every feature). The costlier ones are computed only then."""
    return options.model is None or any(f in options.model.features for f in features)


def plain_query(kb, analysis: QueryAnalysis, options: PipelineOptions) -> np.ndarray:
    """The plain (unadapted) vector of the query as these options search it (the knowledge base caches it)."""
    return np.asarray(kb.query_vector(query_text(analysis, options)), dtype=np.float32)


def plain_cosines(kb, query: np.ndarray, hits: list[Hit]) -> list[float]:
    """Each candidate's cosine with the plain (unadapted) query vector (plain_query), from the stored vectors, so
    candidates BM25 alone found get one too (NaN for a candidate without a vector)."""
    return [float(x) for x in kb.clause_vectors([h.clause_id for h in hits], query) @ query]


def candidate_matrix(kb, analysis: QueryAnalysis, hits: list[Hit], options: PipelineOptions,
                     feats: list[dict[str, float]] | None = None):
    """The learning-to-rank feature matrix of the candidates (index.ranking.ltr.FEATURES rows); `feats` as in
    score_candidates."""
    from index.ranking.ltr import feature_matrix

    plain = None
    query = plain_query(kb, analysis, options) if kb.has_vectors else None
    if rescoring(kb, options):
        dense = options.rescorer.similarities(kb, query_text(analysis, options), hits)
    elif kb.has_vectors and "dense" in options.signals:
        dense = [float((h.scores or {}).get("dense", float("nan"))) for h in hits]
        if reads(options, "plain"):
            plain = plain_cosines(kb, query, hits)
    else:
        dense = None
    cited = [kb.citation_count(h.doc_id) for h in hits]
    article_cited = [kb.article_citation_count(h.article_id) for h in hits]
    feats = feats if feats is not None else candidate_features(analysis, hits, options)
    links = None
    if reads(options, "pool_cited", "pool_cites"):
        links = kb.article_links([h.article_id or h.clause_id for h in hits])
    prior = None
    if options.prior is not None and reads(options, "prior_doc"):
        prior = [options.prior.feature(h.doc_title) for h in hits]
    knn = None
    if options.neighbours is not None and kb.has_vectors and reads(options, "knn_article", "knn_doc"):
        knn = options.neighbours.features(query, [h.doc_title for h in hits], [h.locator for h in hits])
    return feature_matrix(analysis, hits, dense, options.region, cited, feats, article_cited, plain, links, prior,
                          knn)


def learned_order(kb, analysis: QueryAnalysis, hits: list[Hit], options: PipelineOptions) -> list[tuple[float, Hit]]:
    """(score, hit) best first, as the learned ranker orders the candidates."""
    if not hits:
        return []
    feats = candidate_features(analysis, hits, options)  # one pass serves both the model and the blend
    scores = options.model.predict(candidate_matrix(kb, analysis, hits, options, feats))
    if options.model.blend_weight > 0:  # the linear rerank's order mixed in (ltr.json "blend")
        from index.ranking.ltr import blend

        linear = {id(h): total for total, _, h in score_candidates(analysis, hits, options, kb, feats)}
        scores = blend(scores, np.array([linear[id(h)] for h in hits]), options.model.blend_weight)
    order = sorted(range(len(hits)), key=lambda i: (-scores[i], i))
    return [(float(scores[i]), hits[i]) for i in order]


def ranked_candidates(kb, query: str, filters: Filters | None, options: PipelineOptions,
                      k: int = 0) -> tuple[QueryAnalysis, list[tuple[float, Hit]]]:
    """The analysed query and its candidates as (score, hit), best first: learned or linear rerank."""
    analysis, hits = candidates(kb, query, filters, options, k)
    if learning(options):
        return analysis, learned_order(kb, analysis, hits, options)
    return analysis, [(total, hit) for total, _, hit in score_candidates(analysis, hits, options, kb)]


def search_best(kb, query: str, k: int = 10, filters: Filters | None = None,
                options: PipelineOptions | None = None) -> list[Hit]:
    """Search with the best pipeline: analysed query, candidates from the binding jurisdictions (options.region and
    national law), one per article, ordered by the learned ranker (or the linear rerank). Callers go through
    index.ranking.ranker.Ranker, which checks the query, sets the region and gives the model."""
    options = options or PipelineOptions()
    _, ranked = ranked_candidates(kb, query, filters, options, k)
    out = []
    for position, (total, hit) in enumerate(ranked[:k], 1):
        ranks = {**hit.ranks, LEARNED: position} if learning(options) else hit.ranks
        out.append(replace(hit, score=round(total, 6), ranks=ranks))
    return out

