"""The one search entry point above the knowledge base: the app, the CLI and the evaluation harness all rank through
a Ranker, so a query is checked once (on what the user typed) and the best pipeline is chosen in one place."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Mapping, Protocol

import numpy as np

from index.errors import QueryError, QueryTooLongError
from index.fusion import FusionConfig
from index.hit import Filters, Hit
from index.ranking.adapter import QueryAdapter, load_adapter
from index.ranking.ltr import LEXICAL_META_FILE, LEXICAL_MODEL_FILE, LearnedModel, load_model
from index.ranking.neighbours import Neighbours, load_neighbours
from index.ranking.prior import GoldPrior, load_prior
from index.ranking.query import check_region, load_mined
from index.ranking.rerank import PipelineOptions, reads, search_best

MODES: tuple[str, ...] = ("best", "hybrid", "bm25", "dense")  # best = query analysis + binding texts + rerank
PLAIN_MODES: tuple[str, ...] = ("hybrid", "bm25", "dense")  # plain retrieval by the knowledge base


class Retrieval(Protocol):
    """What ranking needs of a knowledge base (index.kb.KnowledgeBase is one)."""

    tokenizer: object  # ingest.tokenize.Tokenizer: search tokens and the colloquial -> official synonyms
    places: Mapping[str, str]  # place name -> region, for questions naming a city (杭州 -> 浙江)
    fusion: FusionConfig

    @property
    def has_vectors(self) -> bool: ...

    manifest: dict  # the index's build facts: the embedder its vectors come from

    def search(self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid",
               query_transform: Callable[[np.ndarray], np.ndarray] | None = None) -> list[Hit]: ...

    def clause(self, clause_id: str): ...

    def duties(self, clause_ids: list[str]) -> dict[str, list]: ...
    def citation_count(self, doc_id: str) -> int: ...

    def article_citation_count(self, article_id: str | None) -> int: ...

    def query_vector(self, query: str) -> np.ndarray: ...

    def clause_vectors(self, clause_ids: list[str], query: np.ndarray | None = None) -> np.ndarray: ...

    def article_links(self, article_ids: list[str]) -> set[tuple[str, str]]: ...

    def article_hit(self, doc_title: str, article: str, filters: Filters | None = None,
                    query: np.ndarray | None = None) -> Hit | None: ...


@dataclass
class DocGroup:
    """One document's best clauses for a query ("which document mandates…")."""

    doc_id: str
    title: str
    score: float  # the best hit's score
    hits: list[Hit] = field(default_factory=list)


@dataclass
class Ranker:
    """Ranks clauses for a query over one knowledge base, for users in `region` (Config.region)."""

    kb: Retrieval
    region: str
    max_query_chars: int
    options: PipelineOptions = field(default_factory=PipelineOptions)
    model: LearnedModel | None = field(default=None, compare=False)  # default: the trained model (package data)
    lexical_model: LearnedModel | None = field(default=None, compare=False)  # default: the one for BM25-only indexes
    mined_terms: dict | None = field(default=None, compare=False)  # default: the mined terms (package data)
    adapter: QueryAdapter | None = field(default=None, compare=False)  # default: the packaged one, if fitted for
    #                                                                   the index's embedder (else none)
    prior: GoldPrior | None = field(default=None, compare=False)  # default: the mined gold prior (package data)
    neighbours: Neighbours | None = field(default=None, compare=False)  # default: the packaged store, if its vectors
    #                                                                     are of the index's model (else none)

    def __post_init__(self) -> None:
        check_region(self.region)
        if self.model is None:
            self.model = load_model()
        if self.lexical_model is None:
            self.lexical_model = load_model(LEXICAL_MODEL_FILE, LEXICAL_META_FILE)
        if self.mined_terms is None:
            self.mined_terms = {w: tuple(ts) for w, ts in load_mined().items()}
        if self.adapter is None:
            self.adapter = load_adapter(self.kb.manifest.get("embedder", ""))
        if self.prior is None:
            self.prior = load_prior()
        if self.neighbours is None:
            self.neighbours = load_neighbours(self.kb.manifest.get("embedder", ""))

    @classmethod
    def from_config(cls, kb: Retrieval, config, options: PipelineOptions | None = None) -> "Ranker":
        """The ranker the settings describe (policykb.config.Config: region, max_query_chars)."""
        return cls(kb, config.region, config.max_query_chars, options or PipelineOptions())

    def check(self, query) -> str:
        """The query as the user typed it, stripped; QueryError (in Chinese) when empty or too long."""
        if not isinstance(query, str) or not query.strip():
            raise QueryError("请输入问题或关键词（参数 q）")
        query = query.strip()
        if len(query) > self.max_query_chars:
            raise QueryTooLongError(f"问题过长：{len(query)} 个字，最多 {self.max_query_chars} 个字（参数 q）")
        return query

    def search(self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "best",
               options: PipelineOptions | None = None) -> list[Hit]:
        """The k best clauses: `best` (one per article, from the texts binding the user, reranked) or a plain
        retrieval mode of the knowledge base."""
        query = self.check(query)
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise QueryError(f"k={k!r}：必须是正整数", "k")
        if mode not in MODES:
            raise QueryError(f"检索方式 {mode!r} 无效，可选：{'、'.join(MODES)}", "mode")
        if mode == "best":
            return search_best(self.kb, query, k=k, filters=filters, options=self.pipeline(options))
        return self.kb.search(query, k=k, filters=filters, mode=mode)

    def pipeline(self, options: PipelineOptions | None = None) -> PipelineOptions:
        """The best pipeline's options with this ranker's region (unless the options name one)."""
        options = options or self.options
        if not options.region:
            options = replace(options, region=self.region)
        model = self.model if self.kb.has_vectors else self.lexical_model  # dense features exist only with vectors
        if options.learned and options.model is None and model is not None:
            options = replace(options, model=model)
        if options.mined and options.mined_terms is None:
            options = replace(options, mined_terms=self.mined_terms)
        if options.adapted and options.adapter is None and self.adapter is not None:
            options = replace(options, adapter=self.adapter)
        if options.prior is None and self.prior is not None:
            options = replace(options, prior=self.prior)
        if (options.neighbours is None and self.neighbours is not None and options.learned
                and options.model is not None and reads(options, "knn_article", "knn_doc")):
            options = replace(options, neighbours=self.neighbours)  # its candidates serve the model that reads them
        return options

    def search_documents(self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "best",
                         per_doc: int = 3) -> list[DocGroup]:
        """Documents ranked by their best clause, each with up to `per_doc` best hits."""
        hits = self.search(query, k=max(50, k * 10), filters=filters, mode=mode)
        groups: dict[str, DocGroup] = {}
        for h in hits:
            g = groups.get(h.doc_id)
            if g is None:
                if len(groups) >= k:
                    continue
                g = groups[h.doc_id] = DocGroup(h.doc_id, h.doc_title, h.score)
            if len(g.hits) < per_doc:
                g.hits.append(h)
        return list(groups.values())
