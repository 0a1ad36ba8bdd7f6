"""HTML pages: 检索 (/, /search), 问答 (/ask), 文件 (/documents/<id>), 依据 (/basis), 文件列表 (/documents).

Their parameters are validated by the same models as the API (search_app.schemas); the pages are not part of the
OpenAPI document.
"""
from __future__ import annotations

from flask import render_template, request
from flask_openapi3 import APIBlueprint

from index.ranking.ranker import MODES
from search_app import service
from search_app.listing import DOCUMENT_SORTS, SORT_LABELS
from search_app.params import filters_to_args
from search_app.schemas import (
    BasisPageQuery,
    CompareQuery,
    DocPath,
    DocumentsPageQuery,
    PageQuery,
    SearchPageQuery,
)

bp = APIBlueprint("views", __name__, doc_ui=False)

PAGE_SIZE = 30


def _form_state(query: PageQuery) -> dict:
    """The query, mode, k and filters of the current request, for re-filling the form; `asked` is True when the
    form was sent (a q= parameter is present), so an empty query gets a message rather than a blank page."""
    filters = query.filters()
    return {
        "q": query.q,
        "asked": "q" in request.args,
        "mode": query.mode,
        "k": query.top_k(),
        "filters": filters,
        "filter_args": filters_to_args(filters),
        "modes": MODES,
        "sort_labels": SORT_LABELS,
    }


def _list_args(state: dict, sort: str) -> dict:
    """The query-string arguments that reproduce this list (for the pager and the sort links)."""
    args = dict(state["filter_args"], q=state["q"], k=state["k"], sort=sort)
    if state["mode"] != MODES[0]:
        args["mode"] = state["mode"]
    return args


@bp.get("/")
@bp.get("/search")
def search(query: SearchPageQuery):
    state = _form_state(query)
    results = (service.search_page(state["q"], state["k"], state["filters"], state["mode"], query.offset, query.sort)
               if state["q"] else None)
    return render_template("search.html", page="search", results=results, hits=results.items if results else [],
                           sort=query.sort, list_args=_list_args(state, query.sort), facets=service.facets(), **state)


@bp.get("/ask")
def ask(query: PageQuery):
    state = _form_state(query)
    result = service.ask(state["q"], state["k"], state["filters"], state["mode"]) if state["q"] else None
    return render_template("ask.html", page="ask", result=result, facets=service.facets(), **state)


@bp.get("/basis")
def basis(query: BasisPageQuery):
    state = _form_state(query)
    results = (service.basis_page(state["q"], state["k"], state["filters"], query.offset, query.sort)
               if state["q"] else None)
    return render_template("basis.html", page="basis", results=results, groups=results.items if results else [],
                           sort=query.sort, list_args=_list_args(state, query.sort), facets=service.facets(), **state)


@bp.get("/documents")
def documents(query: DocumentsPageQuery):
    filters = query.filters()
    sort = query.sort
    listing = service.list_documents(filters, (query.page - 1) * PAGE_SIZE, PAGE_SIZE, sort)
    return render_template(
        "documents.html",
        page="documents",
        listing=listing,
        page_no=query.page,
        page_size=PAGE_SIZE,
        sort=sort,
        sorts=DOCUMENT_SORTS,
        sort_labels=SORT_LABELS,
        filters=filters,
        filter_args=dict(filters_to_args(filters), sort=sort),
        facets=service.facets(),
    )


@bp.get("/documents/<path:doc_id>/compare")
def compare(path: DocPath, query: CompareQuery):
    detail = service.compare_detail(path.doc_id, query.other)
    return render_template("compare.html", page="documents", **detail)


@bp.get("/documents/<path:doc_id>")
def document(path: DocPath):
    detail = service.document_detail(path.doc_id)
    target = (request.args.get("clause") or "")[:300]
    known = bool(target) and any(c.id == target for c in detail["doc"].clauses)
    return render_template("document.html", page="documents", target=target, target_known=known, **detail)
