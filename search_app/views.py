"""HTML pages: 检索 (/, /search), 问答 (/ask), 文件 (/documents/<id>), 依据 (/basis), 文件列表 (/documents).

Their parameters are validated by the same models as the API (search_app.schemas); the pages are not part of the
OpenAPI document.
"""
from __future__ import annotations

from flask import render_template, request
from flask_openapi3 import APIBlueprint

from index.ranking.ranker import MODES
from search_app import service
from search_app.params import filters_to_args
from search_app.schemas import CompareQuery, DocPath, DocumentsPageQuery, PageQuery

bp = APIBlueprint("views", __name__, doc_ui=False)

PAGE_SIZE = 30


def _form_state(query: PageQuery) -> dict:
    """The query, mode, k and filters of the current request, for re-filling the form."""
    filters = query.filters()
    return {
        "q": query.q,
        "mode": query.mode,
        "k": query.top_k(),
        "filters": filters,
        "filter_args": filters_to_args(filters),
        "modes": MODES,
    }


@bp.get("/")
@bp.get("/search")
def search(query: PageQuery):
    state = _form_state(query)
    hits = service.search(state["q"], state["k"], state["filters"], state["mode"]) if state["q"] else []
    return render_template("search.html", page="search", hits=hits, facets=service.facets(), **state)


@bp.get("/ask")
def ask(query: PageQuery):
    state = _form_state(query)
    result = service.ask(state["q"], state["k"], state["filters"], state["mode"]) if state["q"] else None
    return render_template("ask.html", page="ask", result=result, facets=service.facets(), **state)


@bp.get("/basis")
def basis(query: PageQuery):
    state = _form_state(query)
    groups = service.basis(state["q"], state["k"], state["filters"]) if state["q"] else []
    return render_template("basis.html", page="basis", groups=groups, facets=service.facets(), **state)


@bp.get("/documents")
def documents(query: DocumentsPageQuery):
    filters = query.filters()
    listing = service.list_documents(filters, (query.page - 1) * PAGE_SIZE, PAGE_SIZE)
    return render_template(
        "documents.html",
        page="documents",
        listing=listing,
        page_no=query.page,
        page_size=PAGE_SIZE,
        filters=filters,
        filter_args=filters_to_args(filters),
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
    return render_template("document.html", page="documents", target=target, **detail)
