"""What pages and API share: calls into the KnowledgeBase and the shaping of their results for display/JSON."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import PurePath

from flask import current_app

from answers.card import CONFIDENCE_THRESHOLD, Answer, build_answer
from answers.mandates import mandating_sentences
from answers.terms import supports
from index.compare import summary as compare_summary
from index.hit import Filters, Hit
from index.records import CitedClause
from ingest.model import LEVELS, Clause, Document
from ingest.validity import version_label
from search_app.errors import ApiError, scrub_paths
from search_app.kb import generation_cache, get_kb, get_ranker
from search_app.listing import BASIS_SORTS, SEARCH_SORTS, ResultPage, newest_first, page_of, sort_hits
from search_app.render import clause_url, hit_json, level_rank, linked, status_label



@dataclass
class AskResult:
    """The /ask page and /api/ask: the answer card and the hits it was built from."""

    query: str
    answer: Answer
    hits: list[Hit]


@dataclass
class BasisGroup:
    """One document answering "which document mandates…", with its best clauses and mandating sentences."""

    doc_id: str
    title: str
    level: str
    issuer: str
    date: str | None
    status: str
    score: float
    hits: list[Hit]
    sentences: list[CitedClause] = field(default_factory=list)  # text: a sentence of the clause that mandates
    support: float = 0.0  # best clause's support for the query (answers.terms.clause_support)

    @property
    def supported(self) -> bool:
        """Whether the document clearly addresses the query (same threshold as the answer card)."""
        return self.support >= CONFIDENCE_THRESHOLD


INLINE_KINDS = ("sentence",)  # clauses shown inside their parent's paragraph rather than as blocks


@dataclass
class TreeNode:
    """A clause on the document page with its children in body order."""

    clause: Clause
    children: list["TreeNode"] = field(default_factory=list)

    @property
    def inline(self) -> bool:
        return self.clause.kind in INLINE_KINDS

    def runs(self) -> list[tuple[bool, list["TreeNode"]]]:
        """The children as runs: (True, sentences to show in one paragraph) or (False, block clauses)."""
        out: list[tuple[bool, list[TreeNode]]] = []
        for child in self.children:
            if out and out[-1][0] == child.inline:
                out[-1][1].append(child)
            else:
                out.append((child.inline, [child]))
        return out


@dataclass
class TocEntry:
    """One line of a document's table of contents: a chapter/part heading (depth 1) or an article (depth 2)."""

    depth: int
    label: str  # 第三章 学校保护 / 第十二条 / 一是
    snippet: str  # the first words of an article, after its number
    clause_id: str


TOC_SNIPPET_CHARS = 16


def toc(tree: list[TreeNode]) -> list[TocEntry]:
    """The table of contents of a clause tree: headings, and the articles (or, in texts without 条, the numbered
    paragraphs such as 一是) under them, in body order."""
    out: list[TocEntry] = []

    def walk(nodes: list[TreeNode], under_heading: bool) -> None:
        for n in nodes:
            c = n.clause
            if c.kind == "heading":
                out.append(TocEntry(1, c.text.strip(), "", c.id))
                walk(n.children, True)
            elif c.kind == "article" or (c.kind == "paragraph" and under_heading and c.parent_id and c.article_id == c.id):
                label = c.locator[-1] if c.locator else c.citation
                body = c.text.strip()
                if body.startswith(label):
                    body = body[len(label):].lstrip(" 　、.．")
                out.append(TocEntry(2, label, body[:TOC_SNIPPET_CHARS], c.id))
            elif not n.inline:
                walk(n.children, under_heading)

    walk(tree, False)
    return out


def search(q: str, k: int, filters: Filters, mode: str) -> list[Hit]:
    """The k best clauses; a query the index rejects (e.g. dense mode on a BM25-only index) is a 400."""
    return get_ranker().search(q, k=k, filters=filters, mode=mode)


def result_pool() -> int:
    """How many results one query is ranked into (Config.result_pool): the total and all pages come from them."""
    return current_app.config["POLICYKB"].result_pool


def search_page(q: str, k: int, filters: Filters, mode: str, offset: int = 0, sort: str = "relevance") -> ResultPage:
    """One page of the query's ranked clauses (all of them up to the pool), sorted by relevance, date or level."""
    pool = max(result_pool(), k)
    hits = search(q, pool, filters, mode)
    return page_of(hits, offset, k, sort, SEARCH_SORTS, pool, sort_hits)


def ask(q: str, k: int, filters: Filters, mode: str) -> AskResult:
    """Retrieve, then build the answer card from the best hits (never an answer without its clause)."""
    hits = search(q, k, filters, mode)
    kb = get_kb()
    answer = build_answer(q, hits, tokenizer=kb.tokenizer, duties=kb.duties([h.clause_id for h in hits]))
    return AskResult(query=q, answer=answer, hits=hits)


def ask_json(result: AskResult) -> dict:
    data = {"query": result.query}
    data.update(result.answer.to_dict())
    data["answer"] = linked(data["answer"])
    data["results"] = [hit_json(h) for h in result.hits]
    return data


def basis(q: str, k: int, filters: Filters) -> list[BasisGroup]:
    """The k first documents of basis_page (by authority, the strongest mandate first within each level)."""
    return basis_page(q, k, filters).items


def basis_page(q: str, k: int, filters: Filters, offset: int = 0, sort: str = "level") -> ResultPage:
    """Documents holding the query's best clauses (up to the pool), those clearly addressing it first, then sorted by
    authority (法律 > … > 工作要点, the strongest mandate first within a level), by relevance or by date."""
    pool = max(result_pool(), k)
    groups = _basis_groups(q, pool, filters)
    return page_of(groups, offset, k, sort, BASIS_SORTS, pool, sort_groups)


def sort_groups(groups: list[BasisGroup], sort: str) -> list[BasisGroup]:
    """Basis documents: clearly supported first; then by level (strongest mandate first within it), relevance or
    date (newest first)."""
    def strength(g: BasisGroup) -> tuple:
        return (not g.sentences, -g.support, -g.score)

    if sort == "relevance":
        key = lambda g: (not g.supported, *strength(g))  # noqa: E731
    elif sort == "date":
        key = lambda g: (not g.supported, newest_first(g.date), *strength(g))  # noqa: E731
    else:
        key = lambda g: (not g.supported, level_rank(g.level), *strength(g))  # noqa: E731
    return sorted(groups, key=key)


def _basis_groups(q: str, k: int, filters: Filters) -> list[BasisGroup]:
    """The documents of the query's best clauses that share a content word with it, in retrieval order."""
    groups: list[BasisGroup] = []
    tokenizer = get_kb().tokenizer
    found = get_ranker().search_documents(q, k=k, filters=filters, mode="best")
    for g in found:
        hits = g.hits
        support = max(supports(q, hits, tokenizer), default=0.0)
        if support <= 0:  # shares no content word with the query: retrieval noise, not a basis
            continue
        first = hits[0]
        sentences = []
        for h in hits[:3]:
            for s in mandating_sentences(h.text, q, tokenizer=tokenizer):
                sentences.append(CitedClause(clause_id=h.clause_id, doc_id=h.doc_id, citation=h.citation, text=s))
        groups.append(
            BasisGroup(
                doc_id=first.doc_id,
                title=first.doc_title,
                level=first.level,
                issuer=first.issuer,
                date=first.date,
                status=first.status,
                score=g.score,
                hits=hits,
                sentences=sentences,
                support=support,
            )
        )
    return groups


def group_json(g: BasisGroup) -> dict:
    return {
        "doc_id": g.doc_id,
        "title": g.title,
        "level": g.level,
        "issuer": g.issuer,
        "date": g.date,
        "status": g.status,
        "validity": g.hits[0].validity if g.hits else "",
        "effective_date": g.hits[0].effective_date if g.hits else None,
        "score": g.score,
        "support": round(g.support, 4),
        "supported": g.supported,
        "url": clause_url(g.doc_id),
        "sentences": linked([asdict(s) for s in g.sentences]),
        "results": [hit_json(h) for h in g.hits],
    }


def list_documents(filters: Filters, offset: int, limit: int, sort: str = "level") -> dict:
    """One page of the documents the filters allow, by level (then title), by date (newest first) or by title."""
    kb = get_kb()
    return {"total": kb.count_documents(filters),
            "documents": list(kb.documents(filters, offset=offset, limit=limit, order=sort))}


def total_documents() -> int:
    return get_kb().count_documents(Filters(include_superseded=True))


def manifest_summary(kb) -> dict:
    """The scalar fields of the index manifest (what was built, when, with which embedder), paths cut."""
    return {k: scrub_paths(v) if isinstance(v, str) else v for k, v in kb.manifest.items()
            if isinstance(v, (str, int, float, bool)) or v is None}


def doc_summary(doc: Document) -> dict:
    """The metadata of a document (no body, no clauses) plus its page URL."""
    data = {f.name: getattr(doc, f.name) for f in fields(doc) if f.name not in ("body", "clauses")}
    data["source_path"] = PurePath(doc.source_path).name  # the file's name; server folders stay private
    data["status_label"] = status_label(doc.status)
    data["version_label"] = version_label(doc.version_date)
    data["effective_date"] = doc.effective
    data["url"] = clause_url(doc.id)
    return data


def _tree(doc: Document) -> list[TreeNode]:
    nodes = {c.id: TreeNode(c) for c in doc.clauses}
    roots: list[TreeNode] = []
    for c in sorted(doc.clauses, key=lambda c: (c.start, -c.end)):
        parent = nodes.get(c.parent_id) if c.parent_id else None
        (parent.children if parent else roots).append(nodes[c.id])
    return roots


@dataclass
class ArticleLinks:
    """The article-level links of one article: the clauses it cites and the clauses citing it (each a dict with
    clause_id, citation, url, and `other` True when the clause is in another document)."""

    cites: list[dict] = field(default_factory=list)
    cited_by: list[dict] = field(default_factory=list)


def _link(doc_id: str, link: dict) -> dict:
    target_doc = link["clause_id"].split("#", 1)[0]
    return dict(link, url=clause_url(target_doc, link["clause_id"]), other=target_doc != doc_id)


def article_links(doc: Document) -> dict[str, ArticleLinks]:
    """For each article (or work-plan paragraph) of the document that cites or is cited, its links."""
    kb = get_kb()
    out: dict[str, ArticleLinks] = {}
    for c in doc.clauses:
        if c.article_id != c.id:
            continue
        cites = [_link(doc.id, x) for x in kb.clause_cites(c.id)]
        cited_by = [_link(doc.id, x) for x in kb.clause_cited_by(c.id)]
        if cites or cited_by:
            out[c.id] = ArticleLinks(cites, cited_by)
    return out


def document_detail(doc_id: str) -> dict:
    """A document with its clause tree, other versions, and the documents it cites and that cite it (404 when
    there is no such document: the page and the API answer alike)."""
    kb = get_kb()
    doc = kb.document(doc_id)
    if doc is None:
        raise ApiError(404, f"文件 {doc_id[:100]!r} 不存在")
    tree = _tree(doc)
    return {
        "doc": doc,
        "tree": tree,
        "toc": toc(tree),
        "links": article_links(doc),
        "versions": [doc_summary(v) for v in kb.versions(doc_id) if v.id != doc_id],
        "cites": [doc_summary(d) for d in kb.cites(doc_id)],
        "cited_by": [doc_summary(d) for d in kb.cited_by(doc_id)],
    }


def document_json(detail: dict) -> dict:
    doc: Document = detail["doc"]
    data = doc_summary(doc)
    data["body"] = doc.body
    data["clauses"] = [dict(c.to_dict(), url=clause_url(doc.id, c.id)) for c in sorted(doc.clauses, key=lambda c: c.start)]
    data["versions"] = detail["versions"]
    data["article_links"] = {cid: {"cites": links.cites, "cited_by": links.cited_by}
                             for cid, links in detail["links"].items()}
    data["cites"] = detail["cites"]
    data["cited_by"] = detail["cited_by"]
    return data


def clause_json(clause_id: str) -> dict:
    kb = get_kb()
    clause = kb.clause(clause_id)
    if clause is None:
        raise ApiError(404, f"条款 {clause_id[:100]!r} 不存在")
    data = clause.to_dict()
    data["url"] = clause_url(clause.doc_id, clause.id)
    doc = kb.document(clause.doc_id, clauses=False)  # only its metadata is shown
    data["document"] = doc_summary(doc) if doc is not None else None
    data["cites"] = [dict(link, url=clause_url(link["clause_id"].split("#", 1)[0], link["clause_id"]))
                     for link in kb.clause_cites(clause.id)]
    data["cited_by"] = [dict(link, url=clause_url(link["clause_id"].split("#", 1)[0], link["clause_id"]))
                        for link in kb.clause_cited_by(clause.id)]
    return data


def compare_detail(doc_id: str, other_id: str) -> dict:
    """条文对照 of two versions (404 for a missing document, 400 when they are not versions of one document)."""
    older, newer, rows = get_kb().compare(doc_id, other_id)
    return {"older": doc_summary(older), "newer": doc_summary(newer), "rows": rows, "summary": compare_summary(rows)}


def compare_json(detail: dict) -> dict:
    return dict(detail, rows=[r.to_dict() for r in detail["rows"]])


def facets() -> dict:
    """Filter choices offered on the pages: the levels (in authority order) and regions present in the index."""
    store = generation_cache()  # per index: a reloaded index brings its own levels and regions
    cached = store.get("facets")
    if cached is None:
        counts = get_kb().facets()
        levels = [lv for lv in LEVELS if lv in counts.get("levels", {})] or list(LEVELS)
        regions = sorted(counts.get("regions", {}), key=lambda r: (r != "全国", r != "上海", r))
        cached = {"levels": levels, "regions": regions, "issuers": sorted(counts.get("issuers", {}))}
        store["facets"] = cached
    return cached
