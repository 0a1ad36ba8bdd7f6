"""Presentation helpers shared by pages and API: safe highlighting, clause anchors and links, citation text.

Highlighting escapes the text first and only then inserts <mark>, so document text can never become markup.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlencode

from flask import Flask, current_app, g, has_request_context, request, url_for
from markupsafe import Markup, escape

from ingest.citation import book_title
from ingest.model import LEVELS
from ingest.validity import version_label

MAX_HIGHLIGHT_TERMS = 40
_QUERY_SAFE, _FRAGMENT_SAFE = "!$'()*,/:;?@", "!#$&'()*+,/:;=?@"  # what the router leaves unquoted
# Navigation bar shared by every page (endpoint, label); pages of other blueprints are listed by endpoint
# name and shown once that endpoint is registered.
NAV: tuple[tuple[str, str], ...] = (
    ("views.search", "检索"),
    ("views.ask", "问答"),
    ("views.basis", "依据"),
    ("views.documents", "文件"),
    ("reply_views.units", "部门职责"),
    ("reply_views.reply", "答复草稿"),
    ("manage.manage", "文件管理"),  # editors only (nav_items)
)
EDITOR_PAGES = {"manage.manage"}
FEW_DOCUMENTS = 5  # a knowledge base with at most this many documents tells readers what it lacks
STATUS_LABELS = {"current": "现行", "superseded": "已修订"}


def _is_markable(term: str) -> bool:
    """Skip empty terms and terms made only of punctuation or spaces."""
    return bool(term) and any(unicodedata.category(ch)[0] in "LN" for ch in term)


def highlight(text: str, terms) -> Markup:
    """Escape `text` and wrap every occurrence of the given terms (longest first) in <mark>."""
    text = text or ""
    uniq = sorted({t.strip() for t in (terms or ()) if isinstance(t, str) and _is_markable(t.strip())}, key=len, reverse=True)
    uniq = uniq[:MAX_HIGHLIGHT_TERMS]
    if not uniq:
        return Markup(escape(text))
    pattern = re.compile("|".join(re.escape(t) for t in uniq), re.IGNORECASE)
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        out.append(str(escape(text[pos : m.start()])))
        out.append("<mark>" + str(escape(m.group(0))) + "</mark>")
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def anchor(clause_id: str, doc_id: str | None = None) -> str:
    """The HTML id of a clause on its document page: the part of the clause id after '<doc_id>#'."""
    local = clause_id
    if doc_id and clause_id.startswith(doc_id + "#"):
        local = clause_id[len(doc_id) + 1 :]
    elif "#" in clause_id:
        local = clause_id.split("#", 1)[1]
    return "c-" + re.sub(r"\s+", "_", local)


def clause_url(doc_id: str, clause_id: str | None = None, external: bool = False) -> str:
    """Link to a document page, opened at the clause when one is given. The document's own URL is built by the
    router once per app and script root (a search links ten clauses, a document page thousands), the clause's query
    and anchor are appended to it."""
    if external:
        base = url_for("views.document", doc_id=doc_id, _external=True)
    else:
        memo = current_app.extensions.setdefault("policykb.document_urls", {})
        key = (request.script_root if has_request_context() else "", doc_id)
        base = memo.get(key)
        if base is None:
            if len(memo) >= 100_000:
                memo.clear()
            # relative even outside a request (where url_for would default to an absolute URL)
            base = memo[key] = url_for("views.document", doc_id=doc_id, _external=False)
    if not clause_id:
        return base
    query = urlencode({"clause": clause_id}, safe=_QUERY_SAFE)
    return f"{base}?{query}#{quote(anchor(clause_id, doc_id), safe=_FRAGMENT_SAFE)}"


def copy_text(citation: str, text: str) -> str:
    """What the "复制引用" button copies: 《标题》第X条：“…”."""
    return f"{citation}：“{(text or '').strip()}”"


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def level_rank(level: str) -> int:
    """Authority order (法律 before 地方性法规 … before 工作要点); unknown levels last."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def hit_json(hit) -> dict:
    """A Hit as the API returns it: all its fields plus the document link and the copyable citation."""
    data = hit.to_dict()
    data["url"] = clause_url(hit.doc_id, hit.clause_id)
    data["copy"] = copy_text(hit.citation, hit.text)
    data["status_label"] = status_label(hit.status)
    return data


def linked(data):
    """`data` (JSON-shaped) with a `url` added to every record that names a clause: the one place cited clauses
    of answers, replies and duties get their link to the document page."""
    if isinstance(data, list):
        return [linked(x) for x in data]
    if not isinstance(data, dict):
        return data
    out = {k: linked(v) for k, v in data.items()}
    clause_id = out.get("clause_id")
    if isinstance(clause_id, str) and "url" not in out:
        doc_id = out.get("doc_id") or clause_id.rsplit("#", 1)[0]
        out["url"] = clause_url(doc_id, clause_id)
    return out


def unit_rows(items) -> list[dict]:
    """Answer units for display: units sharing one clause and one duty on one line (公安机关、教育部门 — 按照各自职责…)."""
    rows: list[dict] = []
    for it in items:
        last = rows[-1] if rows else None
        if last and last["clause_id"] == it.clause_id and last["duty"] == it.duty:
            last["units"].append(it.unit)
            continue
        rows.append({"units": [it.unit], "duty": it.duty, "citation": it.citation, "clause_id": it.clause_id,
                     "doc_id": it.doc_id, "text": it.text})
    return rows


def nav_items() -> list[tuple[str, str]]:
    """The navigation entries whose page exists in this app."""
    from search_app.accounts import template_user

    editor = template_user().get("role") in ("editor", "admin")
    return [(ep, label) for ep, label in NAV if ep in current_app.view_functions and (editor or ep not in EDITOR_PAGES)]


def kb_notice() -> dict | None:
    """For a knowledge base holding few documents: how many, their titles (shown on every page, with how to add
    the regulations). None when it holds enough, or cannot be opened (the page says that itself)."""
    from search_app.kb import get_kb

    try:
        kb = get_kb()
        if kb.manifest.get("counts", {}).get("documents", 0) > FEW_DOCUMENTS:
            return None
        docs = kb.sources()
    except Exception:
        return None
    return {"total": len(docs), "titles": list(dict.fromkeys(d["title"] for d in docs))}


def semantic_badge() -> dict | None:
    """The header badge saying how far the semantic index is ("语义索引 43%"), None when vectors are in use.

    Only for a page that already reads the index (an error page about a missing index shows none)."""
    from search_app.kb import semantic_status

    if g.get("policykb_generation") is None:
        return None
    s = semantic_status()
    if s["state"] == "ready":
        return None
    if s["state"] == "none":
        return {"text": "仅关键词检索", "state": "none",
                "title": "本知识库尚无语义向量，目前按关键词检索；管理员运行 policykb embed 即可生成"}
    pct = f"{s['percent']:.0f}%"
    if s["state"] == "building":
        eta = s.get("eta_seconds")
        left = f"，预计还需约 {max(1, round(eta / 60))} 分钟" if isinstance(eta, (int, float)) else ""
        return {"text": f"语义索引 {pct}", "state": "building",
                "title": f"正在生成语义向量（已完成 {s.get('done') or 0}/{s.get('total') or 0}{left}）；"
                         "完成后自动启用，期间照常检索"}
    return {"text": f"语义索引 {pct}（已暂停）", "state": "stopped",
            "title": "语义向量生成已中断；管理员重新运行 policykb embed 会从断点继续"}


def register_template_helpers(app: Flask) -> None:
    """Expose the helpers to every template."""
    from search_app.accounts import template_user

    app.jinja_env.globals.update(
        nav_items=nav_items,
        kb_notice=kb_notice,
        account=template_user,
        semantic_badge=semantic_badge,
        unit_rows=unit_rows,
        highlight=highlight,
        anchor=anchor,
        clause_url=clause_url,
        copy_text=copy_text,
        status_label=status_label,
        book_title=book_title,
        version_label=version_label,
        levels=LEVELS,
    )
