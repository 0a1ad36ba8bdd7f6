"""答复草稿 and 部门职责: draft replies to public inquiries and the responsibility map, as pages and JSON API.

Pages: /reply (editable draft, candidate clauses as checkboxes re-rendered through the API by static/reply.js,
.docx and plain-text export), /units and /units/<name>. API: POST /api/reply, POST /api/reply.docx,
GET /api/units, GET /api/units/<name>. Inputs are validated by the models in search_app.schemas.
"""
from __future__ import annotations

from dataclasses import asdict
from urllib.parse import quote

from flask import Response, jsonify, render_template, request
from flask_openapi3 import APIBlueprint, Tag

from index.errors import NotFoundError
from search_app.errors import ApiError
from search_app.kb import get_kb, get_map, get_ranker
from search_app.params import require_json
from search_app.render import linked
from search_app.schemas import (
    MAX_TOPIC_CHARS,
    ErrorEnvelope,
    ReplyBody,
    ReplyDocxBody,
    ReplyOut,
    ReplyPageQuery,
    UnitOut,
    UnitPageQuery,
    UnitPath,
    UnitQuery,
    UnitsOut,
    UnitsQuery,
)

REPLY = Tag(name="答复草稿", description="为群众来信生成只由原文引用构成的答复草稿")
UNITS = Tag(name="部门职责", description="各部门的法定职责及其条款出处")
bp = APIBlueprint("reply_views", __name__)
BODY_ERRORS = {404: ErrorEnvelope, 413: ErrorEnvelope, 415: ErrorEnvelope, 429: ErrorEnvelope}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_UNIT_DUTIES = 2000  # duties read to group one unit's page (the largest unit has a few hundred)


class UnknownUnitError(NotFoundError):
    """The responsibility map names no such department."""


def _compose(inquiry: str, ids: list[str] | None):
    from answers.reply import compose_reply

    return compose_reply(get_ranker(), inquiry, ids)


def reply_json(reply) -> dict:
    """The API shape of a draft: the CLI's `policykb reply --json` shape, each cited clause with its link."""
    return linked(reply.to_dict())


def _unit_or_404(name: str):
    """The duty map and the department a name from the URL resolves to; 404 when the map has no such unit."""
    rmap = get_map()
    unit = rmap.resolve(name)
    if unit is None:
        raise UnknownUnitError(f"部门职责表中没有单位“{name}”", "name")
    return rmap, unit


# ---- pages ------------------------------------------------------------------------------------------------------

@bp.get("/reply", doc_ui=False)
def reply(query: ReplyPageQuery):
    from answers.reply import MAX_INQUIRY_CHARS, check_inquiry

    q = check_inquiry(query.q) if query.q else ""
    result = _compose(q, None) if q else None
    return render_template("reply.html", q=q, result=result, max_chars=MAX_INQUIRY_CHARS, page="reply",
                           asked="q" in request.args)


@bp.get("/units", doc_ui=False)
def units(query: UnitsQuery):
    rmap = get_map()
    listing = rmap.units(include_superseded=query.superseded)
    matches = _topic_matches(rmap, query.topic, query.superseded) if query.topic else []
    return render_template("units.html", units=listing, topic=query.topic, matches=matches, unit=None, page="units",
                           max_topic=MAX_TOPIC_CHARS, asked="topic" in request.args)


def _topic_matches(rmap, topic: str, superseded: bool) -> list[dict]:
    """Units whose duties match the topic, as a phrase before its parts."""
    from index.responsibilities import topic_phrases

    return rmap.units_for_topic(get_kb().query_terms(topic), include_superseded=superseded,
                                phrases=topic_phrases(topic))


def _grouped(rmap, unit: str, superseded: bool = False):
    """The unit's duties without repeats, by role and document (index.responsibilities.grouped)."""
    from index.responsibilities import grouped

    return grouped(rmap.duties_of(unit, limit=MAX_UNIT_DUTIES, include_superseded=superseded))


@bp.get("/units/<path:name>", doc_ui=False)
def unit_page(path: UnitPath, query: UnitPageQuery):
    rmap, unit = _unit_or_404(path.name)
    groups = _grouped(rmap, unit)
    return render_template("units.html", units=None, topic="", matches=[], unit=unit, groups=groups,
                           total=sum(g.count for g in groups), page="units")


# ---- API --------------------------------------------------------------------------------------------------------

bp.before_request(require_json)


@bp.post("/api/reply", summary="生成答复草稿", tags=[REPLY], responses={200: ReplyOut, **BODY_ERRORS})
def api_reply(body: ReplyBody):
    """Quotes the clauses that clear the threshold (or those named in clause_ids), the departments they make
    responsible, and the hotlines the corpus names."""
    return jsonify(reply_json(_compose(body.inquiry, body.clause_ids)))



@bp.post("/api/reply.docx", summary="答复草稿导出为 Word 文件", tags=[REPLY],
         responses={200: {"description": "Word 文件（.docx）", "content": {DOCX: {"schema": {"type": "string", "format": "binary"}}}},
                    **BODY_ERRORS})
def api_reply_docx(body: ReplyDocxBody):
    """The draft (as edited: `draft`, at most 20,000 characters, else 413 draft_too_long) as a .docx."""
    from answers.reply_docx import MAX_DRAFT_CHARS, reply_docx

    if body.draft is not None and len(body.draft) > MAX_DRAFT_CHARS:
        raise ApiError(413, f"参数 draft 过长：{len(body.draft)} 字，上限 {MAX_DRAFT_CHARS} 字", "draft_too_long")
    data = reply_docx(_compose(body.inquiry, body.clause_ids), body.draft or None)
    name = quote("答复草稿.docx")
    return Response(data, mimetype=DOCX,
                    headers={"Content-Disposition": f"attachment; filename=reply.docx; filename*=UTF-8''{name}"})


@bp.get("/api/units", summary="部门列表（可按职责主题查找）", tags=[UNITS], responses={200: UnitsOut})
def api_units(query: UnitsQuery):
    rmap = get_map()
    out: dict = {"units": rmap.units(include_superseded=query.superseded)}  # fresh dicts, already in API shape
    if query.topic:
        out["topic"] = query.topic
        out["matches"] = [
            {"name": m["name"], "category": m["category"], "score": m["score"],
             "duties": [asdict(d) for d in m["duties"]]}
            for m in _topic_matches(rmap, query.topic, query.superseded)
        ]
    return jsonify(linked(out))


@bp.get("/api/units/<path:name>", summary="一个部门的职责及其条款", tags=[UNITS],
        responses={200: UnitOut, 404: ErrorEnvelope})
def api_unit(path: UnitPath, query: UnitQuery):
    rmap, unit = _unit_or_404(path.name)
    duties = rmap.duties_of(unit, limit=query.limit, offset=query.offset, include_superseded=query.superseded)
    groups = _grouped(rmap, unit, query.superseded)
    return jsonify(linked({"name": unit, "query": path.name,
                           "total": rmap.count_of(unit, include_superseded=query.superseded),
                           "offset": query.offset, "limit": query.limit, "duties": [asdict(d) for d in duties],
                           "distinct": sum(g.count for g in groups),
                           "roles": [{"role": g.role, "count": g.count,
                                      "documents": [{"doc_id": d.doc_id, "doc_title": d.doc_title,
                                                     "duties": [asdict(r) for r in d.duties]} for d in g.documents]}
                                     for g in groups]}))
