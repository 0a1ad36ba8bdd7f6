"""Validity, 施行日期, article links and 条文对照 through the real Flask app over a real (BM25-only) index whose
KnowledgeBase is opened on a fixed day."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from index.build import build_index
from index.kb import KnowledgeBase
from search_app import create_app
from tests.index.test_links_compare import LAW_V1, LAW_V2, NEW, NEW_RULE, OLD, OLD_RULE, V1, V2
from tests.conftest import make_config
from tests.search_app.test_api import error_of


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("validity_web")
    for rel, text in (("地方性法规/示例市儿童关爱条例(2019-03-01).md", LAW_V1),
                      ("地方性法规/示例市儿童关爱条例(2029-06-01).md", LAW_V2),
                      ("地方政府规章/示例市校园旧办法.md", OLD_RULE),
                      ("地方政府规章/示例市校园安全办法.md", NEW_RULE)):
        path = root / "corpus" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    build_index([root / "corpus"], root / "index", embedder="none")
    kb = KnowledgeBase.open(root / "index", today="2025-01-01")
    return create_app(make_config(root / "index", root), kb=kb).test_client()


def test_search_hits_carry_validity_and_the_filter_applies(client):
    q = {"q": "心理健康教师", "mode": "bm25"}
    body = client.get("/api/search", query_string={**q, "validity": "尚未生效"}).get_json()
    assert body["filters"]["validity"] == ["尚未生效"]
    assert {h["doc_id"] for h in body["results"]} == {V2}
    assert all(h["validity"] == "尚未生效" and h["effective_date"] == "2030-01-01" for h in body["results"])
    both = client.get("/api/search", query_string={**q, "validity": "现行有效,尚未生效"}).get_json()["results"]
    assert {h["doc_id"] for h in both} >= {V1, V2}
    msg = error_of(client.get("/api/search", query_string={**q, "validity": "有效"}), 400, "invalid_parameter")
    assert "validity" in msg
    listing = client.get("/api/documents", query_string={"validity": "已废止"}).get_json()
    assert listing["total"] == 1 and listing["documents"][0]["id"] == OLD


def test_document_json_and_page_show_validity_and_dated_versions(client):
    doc = client.get("/api/documents/" + quote(V2)).get_json()
    assert doc["validity"] == "尚未生效" and doc["effective_date"] == "2030-01-01"
    assert doc["version_label"] == "2029-06-01"
    assert [(v["id"], v["validity"], v["version_label"]) for v in doc["versions"]] == [(V1, "现行有效", "2019-03-01")]
    page = client.get("/documents/" + quote(V1)).get_data(as_text=True)
    assert "现行有效（2025-01-01）" in page and "施行日期" in page and "条文对照" in page
    old = client.get("/documents/" + quote(OLD)).get_data(as_text=True)
    assert "已废止" in old and "废止文件" in old and NEW in old


def test_clause_json_lists_cites_and_cited_by(client):
    art = client.get("/api/clauses/" + quote(V1 + "#第四条")).get_json()
    assert [(c["clause_id"], c["citation"]) for c in art["cited_by"]] == [(NEW + "#第一条.第一款",
                                                                            "《示例市校园安全办法》第一条")]
    assert art["cited_by"][0]["url"].startswith("/documents/") and art["cites"] == []
    src = client.get("/api/clauses/" + quote(NEW + "#第一条")).get_json()
    assert {c["citation"] for c in src["cites"]} == {"《示例市儿童关爱条例》第四条", "《示例市校园安全办法》第二条"}


def test_compare_endpoint_and_page(client):
    body = client.get(f"/api/documents/{quote(V1)}/compare", query_string={"with": V2}).get_json()
    assert body["older"]["id"] == V1 and body["newer"]["id"] == V2
    assert body["summary"] == {"same": 2, "changed": 3, "added": 2, "removed": 0}
    assert [r["status"] for r in body["rows"]] == ["same", "same", "added", "changed", "changed", "added", "changed"]
    changed = body["rows"][3]
    assert {"op": "insert", "text": "和相关监督管理"} in changed["segments"]
    error_of(client.get(f"/api/documents/{quote(V1)}/compare"), 400, "missing_parameter")
    error_of(client.get(f"/api/documents/{quote(V1)}/compare", query_string={"with": NEW}), 400, "invalid_parameter")
    error_of(client.get(f"/api/documents/{quote(V1)}/compare", query_string={"with": "无@2000-01-01"}), 404,
             "not_found")
    page = client.get(f"/documents/{quote(V1)}/compare", query_string={"with": V2})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<ins>和相关监督管理</ins>" in html and "修改 3 条" in html
