"""Hostile input to the app: .docx export never 500 (control characters, lone surrogates, deep JSON, long drafts),
rate limits on the expensive endpoints, a bounded query-vector cache, no server folder in any message."""
from __future__ import annotations

import io
import json
import time

import docx
import pytest

from index.build import build_index
from search_app import create_app
from search_app.errors import scrub_paths
from tests.conftest import make_config

HOSTILE_LAW = ("# 示例市控制字符条例\n\n2020年1月1日 示例市人民代表大会常务委员会公布\n\n<!-- INFO END -->\n\n"
               "第一条 学校应当\f建立学生欺凌防控\v工作制度，教育部门负责指导监督。\n\n"
               "第二条 公安机关依法处理\x1b校园欺凌中的违法行为。\n")


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    """An app over an index whose clause text holds \\f, \\v and ESC (as pdftotext and old files leave them)."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "corpus").mkdir()
    (root / "corpus" / "示例市控制字符条例(2020-01-01).md").write_text(HOSTILE_LAW, encoding="utf-8")
    build_index([root / "corpus"], root / "index", embedder="none")
    return create_app(make_config(root / "index", root, access_log="")).test_client()


def _docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


@pytest.mark.parametrize("field", ["draft", "inquiry"])
@pytest.mark.parametrize("bad", ["\f", "\v", "\x1b", "\ud800", "\udfff", "\ufffe"])
def test_docx_strips_xml_illegal_characters(hostile_client, field, bad):
    body = {"inquiry": "学校欺凌防控由哪个部门负责指导", "draft": "您好！\n正文第一段。"}
    body[field] = body[field].replace("由", "由" + bad).replace("正文", "正" + bad + "文")
    raw = json.dumps(body, ensure_ascii=True)  # \ud800 travels as the JSON escape a client would send
    r = hostile_client.post("/api/reply.docx", data=raw, content_type="application/json")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert bad not in _docx_text(r.data)


def test_docx_quotes_clauses_holding_control_characters(hostile_client):
    r = hostile_client.post("/api/reply.docx", json={"inquiry": "学生欺凌防控工作制度由哪个部门指导监督"})
    assert r.status_code == 200
    text = _docx_text(r.data)
    assert "欺凌防控" in text and "\f" not in text and "\v" not in text


def test_nul_is_a_clear_400_not_a_500(hostile_client):
    r = hostile_client.post("/api/reply.docx", json={"inquiry": "学校\x00欺凌"})
    assert r.status_code == 400 and "inquiry" in r.json["error"]["message"]


def test_deep_json_is_400_in_linear_time(hostile_client):
    for depth in (2_000, 20_000):
        raw = '{"inquiry": "学校欺凌", "clause_ids": ' + "[" * depth + "]" * depth + "}"
        t0 = time.perf_counter()
        r = hostile_client.post("/api/reply.docx", data=raw, content_type="application/json")
        assert r.status_code == 400 and r.json["error"]["code"] == "invalid_json", r.json
        assert time.perf_counter() - t0 < 1.0
    r = hostile_client.post("/api/reply", data='{"inquiry": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x"}',
                            content_type="application/json")
    assert r.status_code == 200  # brackets inside strings do not count


def test_overlong_draft_is_413_and_a_full_draft_is_fast(hostile_client):
    r = hostile_client.post("/api/reply.docx", json={"inquiry": "学校欺凌", "draft": "字" * 20_001})
    assert r.status_code == 413 and r.json["error"]["code"] == "draft_too_long"
    many_lines = "您好！\n" + "一\n" * 9_990  # 20,000 characters in 10,000 paragraphs: was quadratic
    t0 = time.perf_counter()
    r = hostile_client.post("/api/reply.docx", json={"inquiry": "学校欺凌", "draft": many_lines[:20_000]})
    seconds = time.perf_counter() - t0
    assert r.status_code == 200 and seconds < 4, seconds  # 22.7 s before (python-docx add_paragraph scans the body)
    r = hostile_client.post("/api/reply", data=b"{" + b" " * 70_000 + b"}", content_type="application/json")
    assert r.status_code == 413


def test_expensive_endpoints_are_rate_limited_per_client(web_index, tmp_path):
    app = create_app(make_config(web_index, tmp_path, access_log="", rate_limit="3/minute"))
    c = app.test_client()
    codes = [c.get("/api/ask?q=网信部门").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = c.get("/api/ask?q=网信部门")
    assert r.json["error"]["code"] == "rate_limited" and "Retry-After" in r.headers
    other = c.get("/api/ask?q=网信部门", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200  # per client
    assert all(c.get("/api/search?q=网信部门").status_code == 200 for _ in range(5))  # plain search is not limited
    docx_codes = [c.post("/api/reply.docx", json={"inquiry": "网信部门"}).status_code for _ in range(4)]
    assert docx_codes[-1] == 429


def test_query_vector_cache_is_a_bounded_lru_and_never_grows_the_disk(kb_dir, tmp_path):
    from index.cache import CACHE_FILE
    from index.kb import KnowledgeBase

    kb = KnowledgeBase.open(kb_dir, cache_dir=tmp_path, query_cache_size=3, persist_queries=False)
    try:
        for q in ("甲", "乙", "丙", "甲", "丁"):
            kb.query_vector(q)
        assert list(kb._query_cache) == ["丙", "甲", "丁"]  # 乙 was least recently used
        import sqlite3

        db = sqlite3.connect(tmp_path / CACHE_FILE)
        assert db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] == 0
    finally:
        kb.close()


def test_no_server_folder_in_messages(tmp_path, client):
    assert scrub_paths("cannot read /srv/policykb/data/index/kb.sqlite: gone") == "cannot read kb.sqlite: gone"
    assert scrub_paths("see http://host/a/b") == "see http://host/a/b"
    app = create_app(make_config(tmp_path / "deep" / "missing", tmp_path, access_log=""))
    for path in ("/healthz", "/api/search?q=x", "/api/units", "/units", "/search?q=x"):
        body = app.test_client().get(path).get_data(as_text=True)
        assert str(tmp_path) not in body and "/deep/" not in body, path
    r = client.get("/api/documents")
    assert "/" not in json.dumps([d["source_path"] for d in r.json["documents"]], ensure_ascii=False)


def test_expensive_work_is_capped_across_clients(web_index, tmp_path):
    """With every slot taken, one more .docx/reply/ask is 503 busy at once (searches are never capped)."""
    app = create_app(make_config(web_index, tmp_path, expensive_slots=1))
    c = app.test_client()
    slots = app.extensions["policykb_slots"]
    assert slots.acquire(blocking=False)  # another request is computing
    try:
        r = c.get("/api/ask?q=网信部门")
        assert r.status_code == 503 and r.json["error"]["code"] == "busy" and r.headers["Retry-After"] == "5"
        assert c.get("/api/search?q=网信部门").status_code == 200
    finally:
        slots.release()
    assert c.get("/api/ask?q=网信部门").status_code == 200


def test_lone_surrogates_anywhere_in_a_body_are_not_a_500(hostile_client):
    """Found by the fuzz: a clause id of one lone surrogate reached SQLite, which cannot encode it."""
    unknown_id = '{"inquiry": "学校欺凌", "clause_ids": ["\\ud800"]}'
    for endpoint in ("/api/reply", "/api/reply.docx"):
        r = hostile_client.post(endpoint, data=unknown_id, content_type="application/json")
        assert r.status_code == 404 and r.json["error"]["code"] == "not_found"  # a clear answer naming the id
        r = hostile_client.post(endpoint, data='{"\\udc00": 1, "inquiry": "\\ud83d欺凌"}',
                                content_type="application/json")
        assert r.status_code == 200
