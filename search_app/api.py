"""The JSON API: /api/search, /api/ask, /api/basis, /api/documents[/<id>[/compare]], /api/clauses/<id>, /healthz.

Parameters are validated against the models in search_app.schemas before a view runs (flask-openapi3); the same
models describe the responses in /openapi.json. Every error answers with the one envelope from errors.py.
"""
from __future__ import annotations

from dataclasses import asdict

from flask import jsonify
from flask_openapi3 import APIBlueprint, Tag

from search_app import service
from search_app.kb import get_kb, holder, semantic_status
from search_app.render import hit_json
from search_app.schemas import (
    AskOut,
    BasisOut,
    BasisQuery,
    ClauseDetailOut,
    ClausePath,
    CompareOut,
    CompareQuery,
    DocPath,
    DocumentOut,
    DocumentsOut,
    DocumentsQuery,
    ErrorEnvelope,
    HealthOut,
    SearchListQuery,
    SearchOut,
    SearchQuery,
)

SEARCH = Tag(name="检索与问答", description="按问题检索条款、生成答案卡片、查找规定依据的文件")
DOCS = Tag(name="文件与条款", description="文件元数据、全文、条款树与版本")
bp = APIBlueprint("api", __name__, abp_tags=[SEARCH])
NOT_FOUND = {404: ErrorEnvelope}


@bp.get("/healthz", summary="健康检查：索引已打开，文件数与构建信息", responses={200: HealthOut})
def healthz():
    kb = get_kb()
    return jsonify({"status": "ok", "documents": service.total_documents(), "index": holder().status(),
                    "semantic": semantic_status(), "manifest": service.manifest_summary(kb)})


@bp.get("/api/search", summary="检索条款", responses={200: SearchOut})
def api_search(query: SearchListQuery):
    """A page of the clauses ranked for q (mode best: query analysis, binding texts, reranking), with the query's
    true total and sorted by relevance, date or level."""
    k, filters = query.top_k(), query.filters()
    page = service.search_page(query.q, k, filters, query.mode, query.offset, query.sort)
    return jsonify({"query": query.q, "mode": query.mode, "k": k, "filters": asdict(filters), "sort": query.sort,
                    "offset": query.offset, "total": page.total, "total_capped": page.capped,
                    "results": [hit_json(h) for h in page.items]})


@bp.get("/api/ask", summary="问答：答案卡片（负责部门、数字、条款）及其依据", responses={200: AskOut})
def api_ask(query: SearchQuery):
    """The answer card built from the best clauses; found=false when no clause supports an answer."""
    result = service.ask(query.q, query.top_k(), query.filters(), query.mode)
    return jsonify(service.ask_json(result))


@bp.get("/api/basis", summary="依据：哪些文件规定了……", responses={200: BasisOut})
def api_basis(query: BasisQuery):
    """Documents holding the best clauses, those clearly addressing the question first, then by authority (the
    strongest mandate first within a level), relevance or date; a page of them with their total."""
    k = query.top_k()
    page = service.basis_page(query.q, k, query.filters(), query.offset, query.sort)
    return jsonify({"query": query.q, "k": k, "sort": query.sort, "offset": query.offset, "total": page.total,
                    "total_capped": page.capped, "documents": [service.group_json(g) for g in page.items]})


@bp.get("/api/documents", summary="文件列表", tags=[DOCS], responses={200: DocumentsOut})
def api_documents(query: DocumentsQuery):
    listing = service.list_documents(query.filters(), query.offset, query.limit, query.sort)
    return jsonify({"total": listing["total"], "offset": query.offset, "limit": query.limit, "sort": query.sort,
                    "documents": [service.doc_summary(d) for d in listing["documents"]]})


@bp.get("/api/documents/<path:doc_id>", summary="一份文件：全文、条款、版本、引用", tags=[DOCS],
        responses={200: DocumentOut, **NOT_FOUND})
def api_document(path: DocPath):
    return jsonify(service.document_json(service.document_detail(path.doc_id)))


@bp.get("/api/clauses/<path:clause_id>", summary="一个条款及其文件", tags=[DOCS],
        responses={200: ClauseDetailOut, **NOT_FOUND})
def api_clause(path: ClausePath):
    return jsonify(service.clause_json(path.clause_id))


@bp.get("/api/documents/<path:doc_id>/compare", summary="条文对照：与另一版本逐条比较", tags=[DOCS],
        responses={200: CompareOut, **NOT_FOUND})
def api_compare(path: DocPath, query: CompareQuery):
    return jsonify(service.compare_json(service.compare_detail(path.doc_id, query.other)))
