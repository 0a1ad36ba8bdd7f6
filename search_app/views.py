"""HTML pages: 检索 (/, /search), 问答 (/ask), 文件 (/documents/<id>), 依据 (/basis), 文件列表 (/documents)."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from search_app import service
from search_app.listing import BASIS_SORTS, DOCUMENT_SORTS, SEARCH_SORTS, SORT_LABELS
from search_app.params import (
    MODES,
    filters_param,
    filters_to_args,
    int_param,
    mode_param,
    offset_param,
    query_param,
    sort_param,
    top_k_param,
)

bp = Blueprint("views", __name__)

PAGE_SIZE = 30


def _form_state() -> dict:
    """The query, mode, k and filters of the current request, for re-filling the form; `asked` is True when the
    form was sent (a q= parameter is present), so an empty query gets a message rather than a blank page."""
    filters = filters_param()
    return {
        "q": query_param(required=False),
        "asked": "q" in request.args,
        "mode": mode_param(),
        "k": top_k_param(),
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
def search():
    state = _form_state()
    sort, offset = sort_param(SEARCH_SORTS), offset_param(service.result_pool())
    results = (service.search_page(state["q"], state["k"], state["filters"], state["mode"], offset, sort)
               if state["q"] else None)
    return render_template("search.html", page="search", results=results, hits=results.items if results else [],
                           sort=sort, list_args=_list_args(state, sort), facets=service.facets(), **state)


@bp.get("/ask")
def ask():
    state = _form_state()
    result = service.ask(state["q"], state["k"], state["filters"], state["mode"]) if state["q"] else None
    return render_template("ask.html", page="ask", result=result, facets=service.facets(), **state)


@bp.get("/basis")
def basis():
    state = _form_state()
    sort, offset = sort_param(BASIS_SORTS), offset_param(service.result_pool())
    results = service.basis_page(state["q"], state["k"], state["filters"], offset, sort) if state["q"] else None
    return render_template("basis.html", page="basis", results=results, groups=results.items if results else [],
                           sort=sort, list_args=_list_args(state, sort), facets=service.facets(), **state)


@bp.get("/documents")
def documents():
    filters = filters_param()
    page_no = int_param("page", 1, 1, 100_000)
    sort = sort_param(DOCUMENT_SORTS)
    listing = service.list_documents(filters, (page_no - 1) * PAGE_SIZE, PAGE_SIZE, sort)
    return render_template(
        "documents.html",
        page="documents",
        listing=listing,
        page_no=page_no,
        page_size=PAGE_SIZE,
        sort=sort,
        sorts=DOCUMENT_SORTS,
        sort_labels=SORT_LABELS,
        filters=filters,
        filter_args=dict(filters_to_args(filters), sort=sort),
        facets=service.facets(),
    )


@bp.get("/documents/<path:doc_id>/compare")
def compare(doc_id: str):
    detail = service.compare_detail(doc_id, (request.args.get("with") or "").strip())
    return render_template("compare.html", page="documents", **detail)


@bp.get("/documents/<path:doc_id>")
def document(doc_id: str):
    detail = service.document_detail(doc_id)
    target = (request.args.get("clause") or "")[:300]
    known = bool(target) and any(c.id == target for c in detail["doc"].clauses)
    return render_template("document.html", page="documents", target=target, target_known=known, **detail)
