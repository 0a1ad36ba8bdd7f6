"""文件管理 (editors): upload documents, replace one with a new version, remove one; jobs; the audit log (admins).

Pages: /manage (upload form, documents with replace/remove, recent jobs with progress bars), /manage/audit.
API: POST /api/documents (multipart `file`, repeatable), PUT /api/documents/<id> (multipart `file`),
DELETE /api/documents/<id>, GET /api/jobs, GET /api/jobs/<id>, GET /api/audit. Changes answer 202 with the job.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_openapi3 import APIBlueprint, Tag

from search_app import userdb
from search_app.accounts import require_role, who
from search_app.errors import ApiError
from search_app.jobs import get_jobs, safe_filename
from search_app.kb import get_kb
from search_app.params import check_text, int_param
from search_app.schemas import AuditOut, AuditQuery, DocPath, ErrorEnvelope, JobOut, JobPath, JobsOut, JobsQuery

MANAGE = Tag(name="文件管理", description="上传、替换、删除文件（编辑），任务进度与审计日志（管理员）")
bp = APIBlueprint("manage", __name__, abp_tags=[MANAGE])
# Writes need a user (401) of the right role (403); a session write also needs its CSRF token (400).
AUTH = {401: ErrorEnvelope, 403: ErrorEnvelope}
UPLOAD = {"requestBody": {"content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}}

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


@bp.before_app_request
def _compare_is_read_only():
    """/api/documents/<id>/compare is GET only: a PUT or DELETE there is 405, not a write to a document "<id>/compare"
    (the path converter of the write routes would otherwise take it)."""
    if request.path.startswith("/api/documents/") and request.path.endswith("/compare"):
        if request.method == "OPTIONS":
            return current_app.response_class(status=200, headers={"Allow": "GET, HEAD, OPTIONS"})
        if request.method in ("PUT", "DELETE"):
            abort(405, valid_methods=["GET", "HEAD", "OPTIONS"])
    return None


# ---- pages --------------------------------------------------------------------------------------------------------
@bp.get("/manage", doc_ui=False)
@require_role("editor")
def manage():
    jobs = get_jobs(current_app)
    job_id = (request.args.get("job") or "")[:40]
    return render_template("manage.html", page="manage", documents=_documents_view(), jobs=jobs.recent(10),
                           focus=jobs.get(job_id) if job_id else None, formats=" ".join(FORMATS),
                           max_mb=_cfg().max_upload_bytes // (1024 * 1024), managed_name=Path(_cfg().managed_path).name)


@bp.post("/manage/upload", doc_ui=False)
@require_role("editor")
def manage_upload():
    job = _submit("upload", request.files.getlist("file"))
    return redirect(url_for("manage.manage", job=job["id"]))


@bp.post("/manage/replace", doc_ui=False)
@require_role("editor")
def manage_replace():
    job = _submit("replace", request.files.getlist("file"), request.form.get("doc_id") or "")
    return redirect(url_for("manage.manage", job=job["id"]))


@bp.post("/manage/delete", doc_ui=False)
@require_role("editor")
def manage_delete():
    job = _submit("delete", [], request.form.get("doc_id") or "")
    return redirect(url_for("manage.manage", job=job["id"]))


@bp.get("/manage/audit", doc_ui=False)
@require_role("admin")
def audit_page():
    page_no = int_param("page", 1, 1, 100_000)
    total, rows = userdb.audit_rows(_cfg().users_path, limit=100, offset=(page_no - 1) * 100)
    return render_template("audit.html", page="manage", rows=rows, total=total, page_no=page_no)


# ---- API ----------------------------------------------------------------------------------------------------------
@bp.post("/api/documents", summary="上传文件（一个或多个）：后台任务入库", responses={202: JobOut, **AUTH},
         openapi_extensions=UPLOAD)
@require_role("editor")
def api_upload():
    return jsonify(_submit("upload", request.files.getlist("file"))), 202


@bp.put("/api/documents/<path:doc_id>", summary="以新版本替换一份上传的文件", responses={202: JobOut, 404: ErrorEnvelope,
         409: ErrorEnvelope, **AUTH}, openapi_extensions=UPLOAD)
@require_role("editor")
def api_replace(path: DocPath):
    return jsonify(_submit("replace", request.files.getlist("file"), path.doc_id)), 202


@bp.delete("/api/documents/<path:doc_id>", summary="删除一份上传的文件",
           responses={202: JobOut, 404: ErrorEnvelope, 409: ErrorEnvelope, **AUTH})
@require_role("editor")
def api_delete(path: DocPath):
    return jsonify(_submit("delete", [], path.doc_id)), 202


@bp.get("/api/jobs", summary="最近的文件管理任务", responses={200: JobsOut, **AUTH})
@require_role("editor")
def api_jobs(query: JobsQuery):
    return jsonify({"jobs": get_jobs(current_app).recent(query.limit)})


@bp.get("/api/jobs/<job_id>", summary="一个任务的状态与进度", responses={200: JobOut, 404: ErrorEnvelope, **AUTH})
@require_role("editor")
def api_job(path: JobPath):
    job = get_jobs(current_app).get(path.job_id)
    if job is None:
        raise ApiError(404, f"没有编号为“{path.job_id}”的任务")
    return jsonify(job)


@bp.get("/api/audit", summary="审计日志（管理员）", responses={200: AuditOut, **AUTH})
@require_role("admin")
def api_audit(query: AuditQuery):
    total, rows = userdb.audit_rows(_cfg().users_path, limit=query.limit, offset=query.offset)
    return jsonify({"total": total, "offset": query.offset, "limit": query.limit, "entries": rows})
