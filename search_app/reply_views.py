"""答复草稿 and 部门职责: draft replies to public inquiries and the responsibility map, as pages and JSON API.

Pages: /reply (editable draft, candidate clauses as checkboxes re-rendered through the API by static/reply.js,
.docx and plain-text export), /units and /units/<name>. API: POST /api/reply, POST /api/reply.docx,
GET /api/units, GET /api/units/<name>. Errors use the app's one envelope; inputs are bounded in params.py style.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, jsonify, render_template, request

from search_app.errors import ApiError
from search_app.kb import get_kb, get_map, get_ranker
from search_app.params import MAX_JSON_BYTES, bool_param, check_text, int_param, json_body

bp = Blueprint("reply_views", __name__)

MAX_CLAUSE_IDS = 16
MAX_CLAUSE_ID_CHARS = 300
MAX_UNIT_NAME_CHARS = 40
MAX_TOPIC_CHARS = 100
MAX_DUTIES_PAGE = 200
MAX_UNIT_DUTIES = 2000  # duties read to group one unit's page (the largest unit has a few hundred)


def _inquiry_and_ids(data: dict) -> tuple[str, list[str] | None]:
    from answers.reply import MAX_INQUIRY_CHARS

    inquiry = check_text(data.get("inquiry"), "inquiry", max_chars=MAX_INQUIRY_CHARS)
    ids = data.get("clause_ids")
    if ids is None:
        return inquiry, None
    if not isinstance(ids, list) or len(ids) > MAX_CLAUSE_IDS:
        raise ApiError(400, f"参数 clause_ids 应为不超过 {MAX_CLAUSE_IDS} 个条款编号的列表", "invalid_parameter")
    for cid in ids:
        if not isinstance(cid, str) or not cid.strip() or len(cid) > MAX_CLAUSE_ID_CHARS:
            raise ApiError(400, "参数 clause_ids 中的条款编号应为非空字符串", "invalid_parameter")
    return inquiry, [c.strip() for c in ids]


def _compose(inquiry: str, ids: list[str] | None):
    from answers.reply import compose_reply

    return compose_reply(get_ranker(), inquiry, ids)


def reply_json(reply) -> dict:
    """The API shape of a draft: draft, citations, units (names), unit details, channels, candidates."""
    return {
        "inquiry": reply.inquiry,
        "found": reply.found,
        "title": reply.title,
        "draft": reply.draft,
        "citations": reply.citations,
        "units": list(dict.fromkeys(u.name for u in reply.units)),
        "unit_details": [vars(u) for u in reply.units],
        "channels": reply.channels,
        "candidates": [vars(c) for c in reply.candidates],
        "threshold": reply.threshold,
    }


def _duty_json(rec) -> dict:
    from search_app.render import clause_url

    d = rec.to_dict()
    d["url"] = clause_url(rec.doc_id, rec.clause_id)
    return d


def _unit_or_404(name: str):
    """The duty map, the checked name from the URL and the unit it resolves to; 404 when the map has no such unit."""
    rmap = get_map()
    name = check_text(name, "name", max_chars=MAX_UNIT_NAME_CHARS)
    unit = rmap.resolve(name)
    if unit is None:
        raise ApiError(404, f"部门职责表中没有单位“{name}”")
    return rmap, name, unit


# ---- pages ------------------------------------------------------------------------------------------------------

@bp.get("/reply")
def reply():
    from answers.reply import MAX_INQUIRY_CHARS

    q = check_text(request.args.get("q"), "q", max_chars=MAX_INQUIRY_CHARS, required=False)
    result = _compose(q, None) if q else None
    return render_template("reply.html", q=q, result=result, max_chars=MAX_INQUIRY_CHARS, page="reply",
                           asked="q" in request.args)


@bp.get("/units")
def units():
    rmap = get_map()
    topic = check_text(request.args.get("topic"), "topic", max_chars=MAX_TOPIC_CHARS, required=False)
    superseded = bool_param("superseded")
    listing = rmap.units(include_superseded=superseded)
    matches = _topic_matches(rmap, topic, superseded) if topic else []
    return render_template("units.html", units=listing, topic=topic, matches=matches, unit=None, page="units",
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


@bp.get("/units/<path:name>")
def unit_page(name: str):
    rmap, name, unit = _unit_or_404(name)
    groups = _grouped(rmap, unit)
    return render_template("units.html", units=None, topic="", matches=[], unit=unit, groups=groups,
                           total=sum(g.count for g in groups), page="units")


# ---- API --------------------------------------------------------------------------------------------------------

@bp.post("/api/reply")
def api_reply():
    inquiry, ids = _inquiry_and_ids(json_body(MAX_JSON_BYTES))
    return jsonify(reply_json(_compose(inquiry, ids)))


@bp.post("/api/reply.docx")
def api_reply_docx():
    from answers.reply_docx import MAX_DRAFT_CHARS, reply_docx

    data = json_body(MAX_JSON_BYTES)
    inquiry, ids = _inquiry_and_ids(data)
    draft = data.get("draft")
    if draft is not None:
        if isinstance(draft, str) and len(draft) > MAX_DRAFT_CHARS:
            raise ApiError(413, f"参数 draft 过长：{len(draft)} 字，上限 {MAX_DRAFT_CHARS} 字", "draft_too_long")
        draft = check_text(draft, "draft", max_chars=MAX_DRAFT_CHARS)
    body = reply_docx(_compose(inquiry, ids), draft)
    name = quote("答复草稿.docx")
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    headers={"Content-Disposition": f"attachment; filename=reply.docx; filename*=UTF-8''{name}"})


@bp.get("/api/units")
def api_units():
    rmap = get_map()
    superseded = bool_param("superseded")
    topic = check_text(request.args.get("topic"), "topic", max_chars=MAX_TOPIC_CHARS, required=False)
    out = {"units": rmap.units(include_superseded=superseded)}  # fresh dicts, already in API shape
    if topic:
        out["topic"] = topic
        out["matches"] = [
            {"name": m["name"], "category": m["category"], "score": m["score"],
             "duties": [_duty_json(d) for d in m["duties"]]}
            for m in _topic_matches(rmap, topic, superseded)
        ]
    return jsonify(out)


@bp.get("/api/units/<path:name>")
def api_unit(name: str):
    rmap, name, unit = _unit_or_404(name)
    limit = int_param("limit", 50, 1, MAX_DUTIES_PAGE)
    offset = int_param("offset", 0, 0, 1_000_000)
    superseded = bool_param("superseded")
    duties = rmap.duties_of(unit, limit=limit, offset=offset, include_superseded=superseded)
    groups = _grouped(rmap, unit, superseded)
    return jsonify({"name": unit, "query": name, "total": rmap.count_of(unit, include_superseded=superseded),
                    "offset": offset, "limit": limit, "duties": [_duty_json(d) for d in duties],
                    "distinct": sum(g.count for g in groups),
                    "roles": [{"role": g.role, "count": g.count,
                               "documents": [{"doc_id": d.doc_id, "doc_title": d.doc_title,
                                              "duties": [_duty_json(r) for r in d.duties]} for d in g.documents]}
                              for g in groups]})
