"""The HTML pages through Flask's test client: content, clause anchors, error pages, and that document text —
including <script>/<img onerror> payloads — is always rendered inert under a strict CSP."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from tests.conftest import XSS_MARKERS

CITY = "示例市儿童友好条例@2023-09-01"
CITY_OLD = "示例市儿童友好条例@2018-05-01"
XSS_DOC = "示例县防范脚本注入<script>alert('title')<_script>规定@2022-01-01"


def page(client, url: str, status: int = 200) -> BeautifulSoup:
    r = client.get(url)
    assert r.status_code == status, r.get_data(as_text=True)[:500]
    assert r.mimetype == "text/html"
    return BeautifulSoup(r.get_data(as_text=True), "lxml")


def assert_inert(soup: BeautifulSoup) -> None:
    """Only our own script, no event handlers, no injected elements, no inline style or javascript: URLs."""
    scripts = soup.find_all("script")
    assert [s.get("src") for s in scripts] == ["/static/app.js"] and all(not s.string for s in scripts)
    for tag in soup.find_all(True):
        assert not any(a.lower().startswith("on") for a in tag.attrs), tag
        assert "style" not in tag.attrs, tag
        for attr in ("href", "src", "action"):
            assert not str(tag.get(attr, "")).lower().startswith("javascript:"), tag
    assert not soup.find_all(["img", "iframe", "object", "embed", "style"])


def test_search_page_highlights_and_links(client):
    soup = page(client, "/search?q=" + quote("网信部门 统筹协调") + "&mode=bm25")
    assert_inert(soup)
    first = soup.select_one("article.hit")
    assert "网信部门" in [m.get_text() for m in first.select("mark")]
    link = first.select_one("a.citation")
    assert link.get_text() == "《示例市儿童友好条例》第二条第一款" and "#c-" in link["href"]
    copy = first.select_one("button.copy")["data-copy"]
    assert copy.startswith("《示例市儿童友好条例》第二条第一款：“第二条 网信部门负责") and copy.endswith("”")
    assert {b.get_text() for b in first.select(".badge")} >= {"地方性法规", "现行有效", "2023-09-01"}
    nav = [a.get_text() for a in soup.select("nav.nav a")]
    assert nav[:4] == ["检索", "问答", "依据", "文件"]


def test_home_page_is_the_empty_search_form(client):
    soup = page(client, "/")
    assert soup.select_one("form.search-form input[name=q]") is not None and not soup.select("article.hit")
    assert soup.select_one("html")["lang"] == "zh-CN"


def test_search_page_keeps_filters_in_the_form(client):
    soup = page(client, "/search?q=" + quote("学校周边") + "&level=" + quote("地方政府规章") + "&superseded=1")
    assert soup.select_one("input[name=level][value=地方政府规章]").has_attr("checked")
    assert soup.select_one("input[name=superseded]").has_attr("checked")
    assert {b.get_text() for b in soup.select("article.hit .badge.level")} == {"地方政府规章"}


def test_ask_page_answer_card(client):
    soup = page(client, "/ask?q=" + quote("哪个部门负责儿童网络关爱"))
    card = soup.select_one("section.answer-card")
    assert card["data-found"] == "true"
    assert card.select_one(".unit").get_text() == "网信部门"
    assert card.select_one("a.citation").get_text() == "《示例市儿童友好条例》第二条第一款"
    assert soup.select("article.hit")  # the results under the card
    missing = page(client, "/ask?q=" + quote("动物园门票多少钱"))
    card = missing.select_one("section.answer-card")
    assert card["data-found"] == "false" and "未找到明确依据" in card.get_text()


def test_basis_page_orders_by_authority(client):
    soup = page(client, "/basis?q=" + quote("学校周边二百米范围内不得"))
    titles = [a.get_text() for a in soup.select("article.doc-group a.doc-title")]
    assert titles[:2] == ["《示例市儿童友好条例》", "《示例省校园安全办法》"]


def test_document_page_structure_target_versions_and_citations(client):
    clause = CITY + "#第三条.第一款"
    soup = page(client, "/documents/" + quote(CITY) + "?clause=" + quote(clause, safe=""))
    assert soup.select_one("h1").get_text() == "《示例市儿童友好条例》"
    target = soup.select_one(".clause.is-target")
    assert target["id"] == "c-第三条.第一款" and "安全座椅" in target.get_text()
    assert soup.select_one("#c-第二章 h3").get_text() == "第二章 家庭关爱"  # chapter headings keep the structure
    side = soup.select_one("aside.doc-side").get_text()
    assert "2018-05-01" in side and "已被修订" in side and "示例省校园安全办法" in side
    assert len(soup.select(".clause")) >= 10


def test_documents_list_page_and_paging(client):
    soup = page(client, "/documents?superseded=1")
    assert "共 4 份文件" in soup.get_text()
    assert len(soup.select("ul.doc-list li")) == 4


def test_unknown_document_and_bad_parameter_pages(client):
    soup = page(client, "/documents/" + quote("没有这个文件"), 404)
    assert "未找到" in soup.select_one("h1").get_text() and "没有这个文件" in soup.get_text()
    soup = page(client, "/search?q=x&k=0", 400)
    assert "参数 k" in soup.select_one(".error-message").get_text()
    page(client, "/no/such/page", 404)


@pytest.mark.parametrize(
    "url",
    ["/static/../setup.cfg", "/static/%2e%2e/setup.cfg", "/static/..%2fsetup.cfg", "/documents/../../etc/passwd",
     "/documents/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/api/documents/..%2F..%2Fsetup.cfg"],
)
def test_no_request_path_reaches_the_file_system(client, url):
    r = client.get(url)
    assert r.status_code == 404
    assert b"[metadata]" not in r.data and b"root:" not in r.data


def test_static_files_and_openapi_are_served(client):
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/openapi.json").status_code == 404  # the spec is generated, not a static file
    spec = client.get("/openapi.json").get_json()
    assert {"/api/search", "/api/ask", "/api/documents", "/api/clauses/{clause_id}", "/healthz"} <= set(spec["paths"])


@pytest.mark.parametrize("url", ["/", "/search?q=x", "/api/search?q=x", "/api/nope", "/static/app.css", "/nope"])
def test_security_headers_everywhere(client, url):
    r = client.get(url)
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "url",
    [
        "/search?q=" + quote("注入 条文") + "&mode=bm25",
        "/ask?q=" + quote("哪个部门负责注入防范"),
        "/basis?q=" + quote("注入"),
        "/documents/" + quote(XSS_DOC),
        "/documents/" + quote(XSS_DOC) + "?clause=" + quote(XSS_DOC + "#第二条.第一款", safe=""),
        "/documents",
        "/documents/" + quote("<script>alert(1)</script>"),  # unknown id echoed in the 404 page
        "/search?q=" + quote("<img src=x onerror=alert(1)>"),  # the query echoed in the form
    ],
)
def test_payload_document_stays_inert_on_every_page(client, url):
    r = client.get(url)
    assert r.status_code in (200, 404)
    html = r.get_data(as_text=True)
    soup = BeautifulSoup(html, "lxml")
    assert_inert(soup)
    assert "<script>alert" not in html and "<img src=x" not in html
    if "注入" in url and r.status_code == 200:
        assert "alert('xss')" in soup.get_text() or "onerror=alert('img')" in soup.get_text()  # shown as text


def test_payload_document_in_the_api_is_plain_json(client):
    r = client.get("/api/search", query_string={"q": "注入 条文", "mode": "bm25"})
    assert r.mimetype == "application/json" and r.headers["X-Content-Type-Options"] == "nosniff"
    texts = " ".join(h["text"] for h in r.get_json()["results"])
    assert any(m in texts for m in XSS_MARKERS)  # returned verbatim as data, never as markup
    doc = client.get("/api/documents/" + quote(XSS_DOC)).get_json()
    assert doc["title"] == "示例县防范脚本注入<script>alert('title')</script>规定"


def test_document_page_shows_every_leaf_clause(client, web_app):
    from search_app.kb import get_kb

    with web_app.app_context():
        doc = get_kb().document(CITY)
    text = page(client, "/documents/" + quote(CITY)).select_one("section.doc-body").get_text()
    assert doc.leaves() and all(leaf.text in text for leaf in doc.leaves())


def test_documents_page_filters_by_level(client):
    soup = page(client, "/documents?level=" + quote("地方政府规章"))
    assert soup.select_one("input[name=level][value=地方政府规章]").has_attr("checked")
    assert [a.get_text() for a in soup.select("ul.doc-list li a")] == ["《示例省校园安全办法》"]
