"""The JSON API through Flask's test client over a real (BM25-only) index: every endpoint and every error."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from search_app import create_app
from tests.conftest import make_config

CITY = "示例市儿童友好条例@2023-09-01"
CITY_OLD = "示例市儿童友好条例@2018-05-01"


def error_of(resp, status: int, code: str) -> str:
    """Assert the one error envelope and return its message."""
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == status and body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]["message"]


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "ok" and body["documents"] == 4 and body["manifest"]["embedder"] == "none"


def test_search_returns_cited_hits_with_links(client):
    r = client.get("/api/search", query_string={"q": "网信部门 统筹协调 网络关爱", "mode": "bm25"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["query"] == "网信部门 统筹协调 网络关爱" and body["mode"] == "bm25" and body["k"] == 10
    top = body["results"][0]
    assert top["clause_id"] == CITY + "#第二条.第一款"
    assert top["citation"] == "《示例市儿童友好条例》第二条第一款"
    assert top["copy"] == "《示例市儿童友好条例》第二条第一款：“" + top["text"] + "”"
    assert top["status"] == "current" and top["status_label"] == "现行"
    assert top["url"].endswith("#c-第二条.第一款") or top["url"].endswith("#c-%E7%AC%AC%E4%BA%8C%E6%9D%A1.%E7%AC%AC%E4%B8%80%E6%AC%BE")
    page = client.get(top["url"].split("#")[0])
    assert page.status_code == 200 and 'id="c-第二条.第一款"' in page.get_data(as_text=True)


@pytest.mark.parametrize("mode", ["best", "hybrid", "bm25"])
def test_search_modes_all_find_the_clause(client, mode):
    r = client.get("/api/search", query_string={"q": "儿童安全座椅", "mode": mode, "k": 3})
    assert r.status_code == 200
    results = r.get_json()["results"]
    assert 1 <= len(results) <= 3 and "安全座椅" in results[0]["text"]


def test_search_filters_level_date_and_superseded(client):
    q = {"q": "网信部门负责统筹协调", "mode": "bm25"}
    current = client.get("/api/search", query_string=q).get_json()["results"]
    assert {h["status"] for h in current} == {"current"} and all(h["doc_id"] != CITY_OLD for h in current)
    every = client.get("/api/search", query_string={**q, "superseded": "1"}).get_json()["results"]
    assert CITY_OLD in {h["doc_id"] for h in every}
    only_rules = client.get("/api/search", query_string={"q": "学校周边", "level": "地方政府规章"}).get_json()
    assert only_rules["results"] and {h["level"] for h in only_rules["results"]} == {"地方政府规章"}
    assert only_rules["filters"]["levels"] == ["地方政府规章"]
    two = client.get("/api/search", query_string=[("q", "学校周边"), ("level", "地方政府规章"), ("level", "地方性法规")])
    assert {h["level"] for h in two.get_json()["results"]} == {"地方政府规章", "地方性法规"}
    dated = client.get("/api/search", query_string={"q": "学校周边", "date_from": "2022-01-01"}).get_json()["results"]
    assert dated and all(h["date"] >= "2022-01-01" for h in dated)
    issuer = client.get("/api/search", query_string={"q": "学校周边", "issuer": "示例省人民政府"}).get_json()["results"]
    assert issuer and {h["doc_id"] for h in issuer} == {"示例省校园安全办法@2021-09-01"}


def test_ask_who_names_the_unit_and_its_clause(client):
    body = client.get("/api/ask", query_string={"q": "哪个部门负责儿童网络关爱"}).get_json()
    assert body["type"] == "who" and body["found"] is True and body["answer"]["kind"] == "units"
    first = body["answer"]["units"][0]
    assert first["unit"] == "网信部门" and first["citation"] == "《示例市儿童友好条例》第二条第一款"
    assert first["clause_id"] == CITY + "#第二条.第一款" and first["url"].startswith("/documents/")
    assert body["results"] and body["confidence"] >= body["threshold"]


def test_ask_number_and_not_found(client):
    body = client.get("/api/ask", query_string={"q": "几岁以下的儿童坐家庭乘用车要用安全座椅？"}).get_json()
    assert body["found"] and body["answer"]["kind"] == "sentences"
    assert "四周岁" in body["answer"]["sentences"][0]["text"]
    none = client.get("/api/ask", query_string={"q": "动物园门票多少钱"}).get_json()
    assert none["found"] is False and none["answer"]["kind"] == "none"
    assert not (none["answer"]["units"] or none["answer"]["sentences"] or none["answer"]["clauses"])


def test_basis_groups_by_document_in_authority_order(client):
    body = client.get("/api/basis", query_string={"q": "学校周边二百米范围内不得"}).get_json()
    docs = body["documents"]
    assert [d["level"] for d in docs][:2] == ["地方性法规", "地方政府规章"]  # 地方性法规 ranks above 规章
    assert all(d["results"] and d["url"].startswith("/documents/") for d in docs)
    assert any("二百米" in s["text"] for s in docs[0]["sentences"])


def test_documents_listing_and_paging(client):
    body = client.get("/api/documents").get_json()
    assert body["total"] == 3 and body["offset"] == 0 and body["limit"] == 50
    assert all("body" not in d and "clauses" not in d and d["url"] for d in body["documents"])
    page = client.get("/api/documents", query_string={"offset": 1, "limit": 1, "superseded": 1}).get_json()
    assert page["total"] == 4 and len(page["documents"]) == 1
    error_of(client.get("/api/documents?limit=101"), 400, "invalid_parameter")
    error_of(client.get("/api/documents?offset=-1"), 400, "invalid_parameter")


def test_document_detail_versions_and_citations(client):
    body = client.get("/api/documents/" + quote(CITY)).get_json()
    assert body["id"] == CITY and body["status"] == "current" and body["body"]
    assert [v["id"] for v in body["versions"]] == [CITY_OLD]
    assert [d["id"] for d in body["cites"]] == ["示例省校园安全办法@2021-09-01"]
    assert any(c["id"] == CITY + "#第三条" and c["url"].startswith("/documents/") for c in body["clauses"])
    cited = client.get("/api/documents/" + quote("示例省校园安全办法@2021-09-01")).get_json()
    assert [d["id"] for d in cited["cited_by"]] == [CITY]


def test_clause_by_id_with_encoded_hash(client):
    r = client.get("/api/clauses/" + quote(CITY + "#第二条.第二款", safe=""))
    assert r.status_code == 200
    body = r.get_json()
    assert body["text"] == "教育部门负责指导学校开展儿童网络素养教育。" and body["document"]["id"] == CITY
    assert body["citation"] == "《示例市儿童友好条例》第二条第二款"


def test_unknown_ids_are_404_envelopes(client):
    error_of(client.get("/api/documents/" + quote("没有这个文件")), 404, "not_found")
    error_of(client.get("/api/clauses/" + quote(CITY + "#第九十九条", safe="")), 404, "not_found")
    error_of(client.get("/api/no-such-endpoint"), 404, "not_found")


@pytest.mark.parametrize(
    "url, code",
    [
        ("/api/search", "missing_parameter"),
        ("/api/search?q=%20%20", "missing_parameter"),
        ("/api/search?q=" + "长" * 501, "query_too_long"),
        ("/api/search?q=x&k=0", "invalid_parameter"),
        ("/api/search?q=x&k=51", "invalid_parameter"),
        ("/api/search?q=x&k=ten", "invalid_parameter"),
        ("/api/search?q=x&mode=magic", "invalid_parameter"),
        ("/api/search?q=x&mode=dense", "invalid_parameter"),  # the index has no vectors
        ("/api/search?q=x&level=不存在的层级", "invalid_parameter"),
        ("/api/search?q=x&date_from=2024-13-01", "invalid_parameter"),
        ("/api/search?q=x&superseded=maybe", "invalid_parameter"),
        ("/api/search?q=x&region=" + "长" * 101, "invalid_parameter"),
        ("/api/ask", "missing_parameter"),
        ("/api/ask?q=x&k=-3", "invalid_parameter"),
        ("/api/basis?q=" + "长" * 501, "query_too_long"),
        ("/api/documents?level=法", "invalid_parameter"),
    ],
)
def test_bad_parameters_are_400_envelopes(client, url, code):
    message = error_of(client.get(url), 400, code)
    assert any(name in message for name in ("q", "k", "mode", "level", "date", "superseded", "region", "检索", "offset"))


def test_wrong_method_is_405_envelope(client):
    error_of(client.post("/api/search?q=x"), 405, "method_not_allowed")


def test_missing_index_is_503_envelope_and_page(tmp_path):
    app = create_app(make_config(tmp_path / "nothing-here", tmp_path))
    c = app.test_client()
    message = error_of(c.get("/healthz"), 503, "index_unavailable")
    assert "policykb ingest" in message  # says how to build one
    error_of(c.get("/api/search?q=x"), 503, "index_unavailable")
    page = c.get("/search?q=x")
    assert page.status_code == 503 and "知识库暂不可用" in page.get_data(as_text=True)


def test_query_bound_follows_config(web_index, tmp_path):
    app = create_app(make_config(web_index, tmp_path, max_query_chars=5, max_top_k=3))
    c = app.test_client()
    assert "最多 5 个字" in error_of(c.get("/api/search?q=学校周边二百米"), 400, "query_too_long")
    error_of(c.get("/api/search?q=学校&k=4"), 400, "invalid_parameter")
    assert c.get("/api/search?q=学校&k=3").status_code == 200
