"""文件管理 (editors): upload documents, replace one with a new version, remove one; jobs; the audit log (admins).

Pages: /manage (upload form, documents with replace/remove, recent jobs with progress bars), /manage/audit.
API: POST /api/documents (multipart `file`, repeatable), PUT /api/documents/<id> (multipart `file`),
DELETE /api/documents/<id>, GET /api/jobs, GET /api/jobs/<id>, GET /api/audit. Changes answer 202 with the job.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from search_app import userdb
from search_app.accounts import require_role, who
from search_app.errors import ApiError
from search_app.jobs import get_jobs, safe_filename
from search_app.kb import get_kb
from search_app.params import check_text, int_param

bp = Blueprint("manage", __name__)

FORMATS = (".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf")
MAX_FILES = 50
MAX_DOC_ID_CHARS = 300


def _cfg():
    return current_app.config["POLICYKB"]


def _stage(job_id: str, uploads) -> tuple[list[dict], list[dict]]:
    """Write the uploaded files to the job's staging folder; (staged files, rejected files with reasons)."""
    jobs = get_jobs(current_app)
    staged, rejected, names = [], [], set()
    if len(uploads) > MAX_FILES:
        raise ApiError(400, f"一次最多上传 {MAX_FILES} 个文件，收到 {len(uploads)} 个", "too_many_files")
    for up in uploads:
        shown = (up.filename or "")[:200]
        name = safe_filename(up.filename or "")
        if not name:
            rejected.append({"name": shown or "(无名文件)", "reason": "文件名为空或无效"})
            continue
        if Path(name).suffix.lower() not in FORMATS:
            rejected.append({"name": name, "reason": f"不支持的格式（可上传 {' '.join(FORMATS)}）"})
            continue
        if name.lower() in ("readme.md", "readme.txt"):
            rejected.append({"name": name, "reason": "README 文件名留给文件夹说明、不会被收录，请改名后上传"})
            continue
        if name in names:
            rejected.append({"name": name, "reason": "同一次上传中文件名重复"})
            continue
        data = up.read()
        if not data:
            rejected.append({"name": name, "reason": "文件为空"})
            continue
        folder = jobs.staging(job_id)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        names.add(name)
        staged.append({"name": name, "staged": str(folder / name), "sha256": hashlib.sha256(data).hexdigest(),
                       "bytes": len(data)})
    return staged, rejected


def _managed_file(doc_id: str) -> tuple[str, str]:
    """(document title, its file name in the managed corpus); 404 unknown id, 409 when it did not come from an
    upload (documents from corpus/ or POLICYKB_CORPUS are changed there, then `policykb ingest`)."""
    doc_id = check_text(doc_id, "id", max_chars=MAX_DOC_ID_CHARS)
    doc = get_kb().document(doc_id, clauses=False)
    if doc is None:
        raise ApiError(404, f"没有编号为“{doc_id}”的文件")
    managed = Path(_cfg().managed_path).resolve()
    source = Path(doc.source_path).resolve()
    if source.parent != managed:
        raise ApiError(409, f"《{doc.title}》不是通过文件管理上传的（来自命令行语料 corpus/ 或 POLICYKB_CORPUS），"
                            "请在原文件夹中修改后重新运行 policykb ingest", "not_managed")
    return doc.title, source.name


def _submit(kind: str, uploads, doc_id: str | None = None) -> dict:
    cfg, jobs = _cfg(), get_jobs(current_app)
    spec: dict = {}
    if doc_id is not None:
        title, old_file = _managed_file(doc_id)
        spec.update(doc_id=doc_id, old_file=old_file, title=title)
    job_id = jobs.new_id()
    staged, rejected = _stage(job_id, uploads) if kind != "delete" else ([], [])
    if kind != "delete" and not staged:
        detail = "；".join(f"{r['name']}：{r['reason']}" for r in rejected) or "请求中没有 file 字段"
        raise ApiError(400, f"没有可收录的文件：{detail}", "no_acceptable_file")
    if kind == "replace" and len(staged) != 1:
        raise ApiError(400, "替换时请只上传一个新版本文件", "invalid_parameter")
    spec["files"] = staged
    job = jobs.submit(job_id, kind, who(), spec, rejected)
    for f in staged:
        userdb.audit(cfg.users_path, who(), kind, f["name"], sha256=f["sha256"], job=job_id,
                     detail=f"replaces {doc_id}" if doc_id else "")
    if kind == "delete":
        userdb.audit(cfg.users_path, who(), "delete", doc_id, job=job_id, detail=spec["old_file"])
    return job


def _documents_view() -> list[dict]:
    """Every document with whether it came from an upload (only those can be replaced or removed here)."""
    managed = Path(_cfg().managed_path).resolve()
    out = []
    for d in get_kb().sources():
        d["managed"] = Path(d.pop("source_path") or "").resolve().parent == managed
        out.append(d)
    return out


# ---- pages --------------------------------------------------------------------------------------------------------
@bp.get("/manage")
@require_role("editor")
def manage():
    jobs = get_jobs(current_app)
    job_id = (request.args.get("job") or "")[:40]
    return render_template("manage.html", page="manage", documents=_documents_view(), jobs=jobs.recent(10),
                           focus=jobs.get(job_id) if job_id else None, formats=" ".join(FORMATS),
                           max_mb=_cfg().max_upload_bytes // (1024 * 1024), managed_name=Path(_cfg().managed_path).name)


@bp.post("/manage/upload")
@require_role("editor")
def manage_upload():
    job = _submit("upload", request.files.getlist("file"))
    return redirect(url_for("manage.manage", job=job["id"]))


@bp.post("/manage/replace")
@require_role("editor")
def manage_replace():
    job = _submit("replace", request.files.getlist("file"), request.form.get("doc_id") or "")
    return redirect(url_for("manage.manage", job=job["id"]))


@bp.post("/manage/delete")
@require_role("editor")
def manage_delete():
    job = _submit("delete", [], request.form.get("doc_id") or "")
    return redirect(url_for("manage.manage", job=job["id"]))


@bp.get("/manage/audit")
@require_role("admin")
def audit_page():
    page_no = int_param("page", 1, 1, 100_000)
    total, rows = userdb.audit_rows(_cfg().users_path, limit=100, offset=(page_no - 1) * 100)
    return render_template("audit.html", page="manage", rows=rows, total=total, page_no=page_no)


# ---- API ----------------------------------------------------------------------------------------------------------
@bp.post("/api/documents")
@require_role("editor")
def api_upload():
    return jsonify(_submit("upload", request.files.getlist("file"))), 202


@bp.put("/api/documents/<path:doc_id>")
@require_role("editor")
def api_replace(doc_id: str):
    return jsonify(_submit("replace", request.files.getlist("file"), doc_id)), 202


@bp.delete("/api/documents/<path:doc_id>")
@require_role("editor")
def api_delete(doc_id: str):
    return jsonify(_submit("delete", [], doc_id)), 202


@bp.get("/api/jobs")
@require_role("editor")
def api_jobs():
    limit = int_param("limit", 20, 1, 100)
    return jsonify({"jobs": get_jobs(current_app).recent(limit)})


@bp.get("/api/jobs/<job_id>")
@require_role("editor")
def api_job(job_id: str):
    job = get_jobs(current_app).get(job_id[:40])
    if job is None:
        raise ApiError(404, f"没有编号为“{job_id[:40]}”的任务")
    return jsonify(job)


@bp.get("/api/audit")
@require_role("admin")
def api_audit():
    limit = int_param("limit", 100, 1, 1000)
    offset = int_param("offset", 0, 0, 10_000_000)
    total, rows = userdb.audit_rows(_cfg().users_path, limit=limit, offset=offset)
    return jsonify({"total": total, "offset": offset, "limit": limit, "entries": rows})
