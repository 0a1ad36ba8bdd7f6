"""HTML pages: 检索 (/, /search), 问答 (/ask), 文件 (/documents/<id>), 依据 (/basis), 文件列表 (/documents)."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from search_app import service
from search_app.params import (
    MODES,
    filters_param,
    filters_to_args,
    int_param,
    mode_param,
    query_param,
    top_k_param,
)

bp = Blueprint("views", __name__)

PAGE_SIZE = 30


def _form_state() -> dict:
    """The query, mode, k and filters of the current request, for re-filling the form."""
    filters = filters_param()
    return {
        "q": query_param(required=False),
        "mode": mode_param(),
        "k": top_k_param(),
        "filters": filters,
        "filter_args": filters_to_args(filters),
        "modes": MODES,
    }


@bp.get("/")
@bp.get("/search")
def search():
    state = _form_state()
    hits = service.search(state["q"], state["k"], state["filters"], state["mode"]) if state["q"] else []
    return render_template("search.html", page="search", hits=hits, facets=service.facets(), **state)


@bp.get("/ask")
def ask():
    state = _form_state()
    result = service.ask(state["q"], state["k"], state["filters"], state["mode"]) if state["q"] else None
    return render_template("ask.html", page="ask", result=result, facets=service.facets(), **state)


@bp.get("/basis")
def basis():
    state = _form_state()
    groups = service.basis(state["q"], state["k"], state["filters"]) if state["q"] else []
    return render_template("basis.html", page="basis", groups=groups, facets=service.facets(), **state)


@bp.get("/documents")
def documents():
    filters = filters_param()
    page_no = int_param("page", 1, 1, 100_000)
    listing = service.list_documents(filters, (page_no - 1) * PAGE_SIZE, PAGE_SIZE)
    return render_template(
        "documents.html",
        page="documents",
        listing=listing,
        page_no=page_no,
        page_size=PAGE_SIZE,
        filters=filters,
        filter_args=filters_to_args(filters),
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
    return render_template("document.html", page="documents", target=target, **detail)
