"""The 答复草稿 / 部门职责 API and pages through Flask's test client over the real index."""
import io
from urllib.parse import quote

import docx
import pytest

from tests.conftest import BULLYING


def test_post_reply_shape(kb_client, kb):
    r = kb_client.post("/api/reply", json={"inquiry": BULLYING})
    assert r.status_code == 200
    data = r.get_json()
    assert set(data) >= {"draft", "citations", "units", "candidates", "found"}
    assert data["found"] and "教育部门" in data["unit_names"]  # 公安机关 no longer named (tests/answers/test_reply.py)
    assert {"name", "role", "duty", "citation", "clause_id", "url"} <= set(data["units"][0])
    for c in data["citations"]:
        assert set(c) == {"clause_id", "doc_id", "citation", "text", "url"}
        assert c["text"] in kb.clause(c["clause_id"]).text
    assert sum(c["selected"] for c in data["candidates"]) >= 1


def test_post_reply_with_chosen_clauses(kb_client):
    first = kb_client.post("/api/reply", json={"inquiry": BULLYING}).get_json()
    keep = [c["clause_id"] for c in first["candidates"] if c["selected"]][-1:]
    data = kb_client.post("/api/reply", json={"inquiry": BULLYING, "clause_ids": keep}).get_json()
    assert [c["clause_id"] for c in data["citations"] if c["clause_id"] in keep] == keep
    assert all(c["clause_id"] in keep for c in data["citations"] if c not in data["channels"])


@pytest.mark.parametrize("body,status,code", [
    ({}, 400, "missing_parameter"),
    ({"inquiry": "  "}, 400, "missing_parameter"),
    ({"inquiry": 5}, 400, "invalid_parameter"),
    ({"inquiry": "问" * 1001}, 400, "query_too_long"),
    ({"inquiry": BULLYING, "clause_ids": "abc"}, 400, "invalid_parameter"),
    ({"inquiry": BULLYING, "clause_ids": ["x"] * 17}, 400, "invalid_parameter"),
    ({"inquiry": BULLYING, "clause_ids": [""]}, 400, "invalid_parameter"),
    ({"inquiry": BULLYING, "clause_ids": ["no-such-doc#第一条"]}, 404, "not_found"),
])
def test_post_reply_errors_use_the_envelope(kb_client, body, status, code):
    r = kb_client.post("/api/reply", json=body)
    assert r.status_code == status
    assert r.get_json()["error"]["code"] == code


def test_post_reply_needs_json(kb_client):
    r = kb_client.post("/api/reply", data="inquiry=x", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415 and r.get_json()["error"]["status"] == 415


def test_reply_docx_download(kb_client):
    r = kb_client.post("/api/reply.docx", json={"inquiry": BULLYING, "draft": "您好！\n修改后的正文。"})
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in r.headers["Content-Disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.data)).paragraphs)
    cites = kb_client.post("/api/reply", json={"inquiry": BULLYING}).get_json()["citations"]
    assert "修改后的正文。" in text and all(c["citation"] in text for c in cites)


def test_units_api(kb_client):
    data = kb_client.get("/api/units").get_json()
    names = [u["name"] for u in data["units"]]
    assert "网信部门" in names and "公安机关" in names
    one = kb_client.get("/api/units/" + quote("网信办")).get_json()
    assert one["name"] == "网信部门" and one["total"] >= len(one["duties"]) >= 1
    assert any("第四十九条" in d["citation"] and d["url"].startswith("/documents/") for d in one["duties"])
    topic = kb_client.get("/api/units?topic=" + quote("临时监护")).get_json()
    assert topic["matches"][0]["name"] == "民政部门"


@pytest.mark.parametrize("url,status", [
    ("/api/units/" + quote("不存在的单位"), 404),
    ("/api/units/" + quote("网信部门") + "?limit=0", 400),
    ("/api/units/" + quote("网信部门") + "?limit=abc", 400),
    ("/api/units?topic=" + "网" * 101, 400),
    ("/api/units/" + "网" * 41, 400),
])
def test_units_api_errors(kb_client, url, status):
    r = kb_client.get(url)
    assert r.status_code == status and r.get_json()["error"]["status"] == status


def test_pages_render_and_escape(kb_client):
    page = kb_client.get("/reply?q=" + quote(BULLYING))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    assert 'class="cand"' in html and "/static/reply.js" in html and "<script>" not in html.split("</head>")[1]
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)> 学校欺负"
    html = kb_client.get("/reply?q=" + quote(evil)).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "&lt;script&gt;" in html
    assert kb_client.get("/reply").status_code == 200
    units = kb_client.get("/units").get_data(as_text=True)
    assert "网信部门" in units and 'id="units-table"' in units
    detail = kb_client.get("/units/" + quote("网信办"))
    assert detail.status_code == 200 and "第四十九条" in detail.get_data(as_text=True)
    assert kb_client.get("/units/" + quote("不存在的单位")).status_code == 404
    assert "民政部门" in kb_client.get("/units?topic=" + quote("临时监护")).get_data(as_text=True)
