"""The JSON API: /api/search, /api/ask, /api/basis, /api/documents[/<id>[/compare]], /api/clauses/<id>, /healthz.

Every error answers with the one envelope from errors.py; every parameter is checked in params.py.
"""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify, request

from search_app import service
from search_app.kb import get_kb, holder, semantic_status
from search_app.listing import BASIS_SORTS, DOCUMENT_SORTS, SEARCH_SORTS
from search_app.params import (
    MAX_PAGE_SIZE,
    filters_param,
    int_param,
    mode_param,
    offset_param,
    query_param,
    sort_param,
    top_k_param,
)
from search_app.render import hit_json

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():
    kb = get_kb()
    return jsonify({"status": "ok", "documents": service.total_documents(), "index": holder().status(),
                    "semantic": semantic_status(), "manifest": service.manifest_summary(kb)})


@bp.get("/api/search")
def api_search():
    q, k, mode, filters = query_param(), top_k_param(), mode_param(), filters_param()
    sort, offset = sort_param(SEARCH_SORTS), offset_param(service.result_pool())
    page = service.search_page(q, k, filters, mode, offset, sort)
    return jsonify({"query": q, "mode": mode, "k": k, "filters": asdict(filters), "sort": sort, "offset": offset,
                    "total": page.total, "total_capped": page.capped, "results": [hit_json(h) for h in page.items]})


@bp.get("/api/ask")
def api_ask():
    q, k, mode, filters = query_param(), top_k_param(), mode_param(), filters_param()
    result = service.ask(q, k, filters, mode)
    return jsonify(service.ask_json(result))


@bp.get("/api/basis")
def api_basis():
    q, k, filters = query_param(), top_k_param(), filters_param()
    sort, offset = sort_param(BASIS_SORTS), offset_param(service.result_pool())
    page = service.basis_page(q, k, filters, offset, sort)
    return jsonify({"query": q, "k": k, "sort": sort, "offset": offset, "total": page.total,
                    "total_capped": page.capped, "documents": [service.group_json(g) for g in page.items]})


@bp.get("/api/documents")
def api_documents():
    filters = filters_param()
    offset = int_param("offset", 0, 0, 10_000_000)
    limit = int_param("limit", 50, 1, MAX_PAGE_SIZE)
    sort = sort_param(DOCUMENT_SORTS)
    listing = service.list_documents(filters, offset, limit, sort)
    return jsonify(
        {
            "total": listing["total"],
            "offset": offset,
            "limit": limit,
            "sort": sort,
            "documents": [service.doc_summary(d) for d in listing["documents"]],
        }
    )


@bp.get("/api/documents/<path:doc_id>")
def api_document(doc_id: str):
    return jsonify(service.document_json(service.document_detail(doc_id)))


@bp.get("/api/documents/<path:doc_id>/compare")
def api_compare(doc_id: str):
    return jsonify(service.compare_json(service.compare_detail(doc_id, (request.args.get("with") or "").strip())))


@bp.get("/api/clauses/<path:clause_id>")
def api_clause(clause_id: str):
    return jsonify(service.clause_json(clause_id))
