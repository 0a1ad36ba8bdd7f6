"""文件管理 through the real app and a real index: upload -> job -> searchable, replace, delete, rejected files with
reasons, documents that did not come from an upload, the audit log, and no server folder in any answer."""
from __future__ import annotations

import io
import json

from search_app import create_app
from tests.conftest import bearer

NEW_LAW = """# 示例区未成年人心理关爱办法

2024年3月1日 示例区人民政府公布

<!-- INFO END -->

第一条 为了关爱未成年人心理健康，制定本办法。

第二条 卫生健康部门负责统筹未成年人心理热线建设。
"""
NEW_LAW_V2 = NEW_LAW.replace("心理热线建设", "心理热线和危机干预建设")


def _app(site):
    app = create_app(site["config"])
    return app, app.test_client(), app.extensions["policykb_jobs"]


def _files(*items):
    return {"file": [(io.BytesIO(data if isinstance(data, bytes) else data.encode()), name) for name, data in items]}


def _finished(c, jobs, job, token):
    assert jobs.wait_idle(120)
    return c.get(job["url"], headers=bearer(token)).json


def test_upload_runs_a_job_and_the_document_becomes_searchable(site):
    app, c, jobs = _app(site)
    tok = site["tokens"]["editor"]
    assert "卫生健康部门" not in json.dumps(c.get("/api/search?q=心理热线&mode=bm25").json, ensure_ascii=False)
    r = c.post("/api/documents", headers=bearer(tok), content_type="multipart/form-data",
               data=_files(("示例区未成年人心理关爱办法(2024-03-01).md", NEW_LAW), ("notes.exe", "x"),
                           ("empty.txt", b""), ("broken.docx", b"PK\x03\x04 not a zip")))
    assert r.status_code == 202
    job = _finished(c, jobs, r.json, tok)
    assert job["state"] == "done" and job["progress"] == 1.0, job
    assert job["result"]["added"] == ["示例区未成年人心理关爱办法@2024-03-01"]
    reasons = {x["name"]: x["reason"] for x in job["rejected"]}
    assert set(reasons) == {"notes.exe", "empty.txt", "broken.docx"}
    assert "不支持的格式" in reasons["notes.exe"] and "为空" in reasons["empty.txt"]
    hits = c.get("/api/search?q=心理热线&mode=bm25").json["results"]
    assert hits and hits[0]["doc_id"] == "示例区未成年人心理关爱办法@2024-03-01"
    assert (site["config"].managed_path / "示例区未成年人心理关爱办法(2024-03-01).md").read_text() == NEW_LAW
    blob = json.dumps(job, ensure_ascii=False)
    assert str(site["root"]) not in blob and "/tmp" not in blob  # no server folders in the API


def test_replace_and_delete_a_managed_document(site):
    app, c, jobs = _app(site)
    tok = site["tokens"]["editor"]
    name = "示例区未成年人心理关爱办法(2024-03-01).md"
    _finished(c, jobs, c.post("/api/documents", headers=bearer(tok), data=_files((name, NEW_LAW))).json, tok)
    doc_id = "示例区未成年人心理关爱办法@2024-03-01"
    r = c.put(f"/api/documents/{doc_id}", headers=bearer(tok), data=_files((name, NEW_LAW_V2)))
    assert r.status_code == 202
    job = _finished(c, jobs, r.json, tok)
    assert job["state"] == "done" and job["result"]["changed"] == [doc_id], job
    assert "危机干预" in c.get(f"/api/documents/{doc_id}").get_data(as_text=True)
    r = c.delete(f"/api/documents/{doc_id}", headers=bearer(tok))
    job = _finished(c, jobs, r.json, tok)
    assert job["state"] == "done" and job["result"]["removed"] == [doc_id]
    assert c.get(f"/api/documents/{doc_id}").status_code == 404
    assert not list(site["config"].managed_path.iterdir())
    # the audit log: who, when, what, the file's sha256
    entries = c.get("/api/audit", headers=bearer(site["tokens"]["admin"])).json["entries"]
    actions = [(e["user"], e["action"]) for e in entries]
    assert ("editor", "upload") in actions and ("editor", "replace") in actions and ("editor", "delete") in actions
    upload = next(e for e in entries if e["action"] == "upload")
    import hashlib

    assert upload["sha256"] == hashlib.sha256(NEW_LAW.encode()).hexdigest() and upload["at"].endswith("Z")
    page = c.get("/manage/audit", headers=bearer(site["tokens"]["admin"])).get_data(as_text=True)
    assert upload["sha256"] in page


def test_documents_from_the_cli_corpus_are_not_changed_here(site):
    app, c, jobs = _app(site)
    tok = site["tokens"]["editor"]
    r = c.delete("/api/documents/示例省校园安全办法@2021-09-01", headers=bearer(tok))
    assert r.status_code == 409 and r.json["error"]["code"] == "not_managed"
    assert "policykb ingest" in r.json["error"]["message"]
    assert c.delete("/api/documents/no-such-doc", headers=bearer(tok)).status_code == 404
    r = c.post("/api/documents", headers=bearer(tok), data=_files(("virus.exe", "x")))
    assert r.status_code == 400 and "virus.exe" in r.json["error"]["message"]
    assert c.post("/api/documents", headers=bearer(tok), data={}).status_code == 400
    assert c.get("/api/jobs/nope", headers=bearer(tok)).status_code == 404


def test_a_duplicate_upload_is_rejected_by_name(site, web_corpus):
    app, c, jobs = _app(site)
    tok = site["tokens"]["editor"]
    same = (web_corpus / "地方政府规章/示例省校园安全办法(2021-09-01).md").read_text(encoding="utf-8")
    job = _finished(c, jobs, c.post("/api/documents", headers=bearer(tok),
                                    data=_files(("副本(2021-09-01).md", same))).json, tok)
    assert job["state"] == "failed" and job["rejected"][0]["name"] == "副本(2021-09-01).md", job
    assert "重复" in job["rejected"][0]["reason"]
    assert not (site["config"].managed_path / "副本(2021-09-01).md").exists()


def test_a_knowledge_base_with_few_documents_says_so(site, tmp_path):
    page = create_app(site["config"]).test_client().get("/").get_data(as_text=True)
    assert "本知识库目前只收录 4 份文件" in page and "POLICYKB_CORPUS" in page and "文件管理" in page
