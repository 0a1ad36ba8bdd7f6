"""Result lists (true total, offset paging, sort) and the reading pages (table of contents, one copy button, unknown
anchor, 部门职责 grouped) through Flask's test client over the real session index (work plan + related laws)."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from search_app.listing import ResultPage, newest_first, page_of
from tests.search_app.test_api import error_of

LAW = "上海市未成年人保护条例@2024-12-31"


def soup_of(client, url: str) -> BeautifulSoup:
    r = client.get(url)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return BeautifulSoup(r.get_data(as_text=True), "lxml")


def test_page_of_cuts_a_sorted_list():
    page = page_of(list(range(25)), 10, 10, "relevance", ("relevance",), 25, lambda xs, s: list(xs))
    assert isinstance(page, ResultPage) and page.items == list(range(10, 20))
    assert (page.total, page.first, page.last, page.prev_offset, page.next_offset, page.capped) == (25, 11, 20, 0, 20, True)
    last = page_of(list(range(25)), 20, 10, "relevance", ("relevance",), 50, lambda xs, s: list(xs))
    assert last.items == list(range(20, 25)) and last.next_offset is None and not last.capped
    assert newest_first("2024-01-01") < newest_first("2019-05-01") < newest_first(None)


def test_api_search_gives_the_true_total_and_pages(kb_client):
    first = kb_client.get("/api/search", query_string={"q": "暑托班", "mode": "bm25"}).get_json()
    # 7 clauses hold 暑托班 or its parts: the total is what matched, not the page size
    assert first["total"] == len(first["results"]) < 10 and first["offset"] == 0 and not first["total_capped"]
    body = kb_client.get("/api/search", query_string={"q": "临时监护", "k": 5}).get_json()
    assert body["total"] > 10 and len(body["results"]) == 5 and body["sort"] == "relevance"
    nxt = kb_client.get("/api/search", query_string={"q": "临时监护", "k": 5, "offset": 5}).get_json()
    assert nxt["total"] == body["total"] and nxt["offset"] == 5
    assert not {h["clause_id"] for h in body["results"]} & {h["clause_id"] for h in nxt["results"]}
    # page 1 is exactly the plain k-result search (the pool is the best pipeline's own candidate depth)
    plain = kb_client.get("/api/search", query_string={"q": "临时监护", "k": 10}).get_json()
    both = [h["clause_id"] for h in body["results"] + nxt["results"]]
    assert both == [h["clause_id"] for h in plain["results"]]
    by_date = kb_client.get("/api/search", query_string={"q": "临时监护", "k": 50, "sort": "date"}).get_json()
    dates = [newest_first(h["date"]) for h in by_date["results"]]
    assert dates == sorted(dates) and by_date["total"] == body["total"]
    by_level = kb_client.get("/api/search", query_string={"q": "临时监护", "k": 50, "sort": "level"}).get_json()
    assert by_level["results"][0]["level"] == "法律"
    error_of(kb_client.get("/api/search", query_string={"q": "临时监护", "sort": "随便"}), 400, "invalid_parameter")
    error_of(kb_client.get("/api/search", query_string={"q": "临时监护", "offset": -1}), 400, "invalid_parameter")


def test_basis_shows_relevance_and_the_strongest_mandate_first_within_a_level(kb_client):
    body = kb_client.get("/api/basis", query_string={"q": "爱心暑托班"}).get_json()
    docs = body["documents"]
    assert body["total"] == len(docs) >= 2 and body["sort"] == "level"
    assert any(d["title"] == "2024年上海市未成年人保护工作要点" for d in docs)
    levels = [d["level"] for d in docs if d["supported"]]
    from search_app.render import level_rank
    assert [level_rank(lv) for lv in levels] == sorted(level_rank(lv) for lv in levels)
    for lv in set(levels):
        same = [d["support"] for d in docs if d["supported"] and d["level"] == lv]
        assert same == sorted(same, reverse=True)
    by_rel = kb_client.get("/api/basis", query_string={"q": "爱心暑托班", "sort": "relevance"}).get_json()["documents"]
    assert by_rel[0]["title"] == "2024年上海市未成年人保护工作要点"  # the real mandate, not 托班 in 学前教育法
    html = soup_of(kb_client, "/basis?q=" + quote("爱心暑托班"))
    assert html.select_one(".doc-group .relevance").get_text().startswith("相关度")
    assert html.select("nav.sort a[data-sort=relevance]")


def test_document_list_sorts(kb_client):
    by_date = kb_client.get("/api/documents", query_string={"sort": "date", "limit": 100}).get_json()
    dates = [newest_first(d["version_date"]) for d in by_date["documents"]]
    assert by_date["sort"] == "date" and dates == sorted(dates)
    by_title = kb_client.get("/api/documents", query_string={"sort": "title", "limit": 100}).get_json()
    titles = [d["title"] for d in by_title["documents"]]
    assert titles == sorted(titles) and by_title["total"] == by_date["total"]
    html = soup_of(kb_client, "/documents?sort=date")
    assert html.select_one("nav.sort .sort-current").get_text() == "日期（新→旧）"
    error_of(kb_client.get("/api/documents?sort=x"), 400, "invalid_parameter")


def test_document_page_has_a_table_of_contents_and_one_copy_button_per_citation(kb_client):
    html = soup_of(kb_client, "/documents/" + quote(LAW))
    toc = html.select_one("nav#doc-toc")
    entries = [a.get_text(" ", strip=True) for a in toc.select("li a")]
    assert entries[0].startswith("第一章") and any(e.startswith("第四十九条") for e in entries)
    for a in toc.select("li a"):
        assert html.find(id=a["href"][1:]) is not None, a["href"]  # every entry points at a clause on the page
    cites = [s.get_text() for s in html.select("#doc-body .clause-tools .cite")]
    assert len(cites) == len(set(cites)) and "《上海市未成年人保护条例》第一条" in cites
    assert html.select_one("#doc-find") is not None and not html.select("script:not([src])")  # CSP: no inline script
    plan = soup_of(kb_client, "/documents/" + quote("2024年上海市未成年人保护工作要点@2024-04-10"))
    labels = [a.get_text(" ", strip=True) for a in plan.select("#doc-toc li a")]
    assert any(lb.startswith("一、") for lb in labels) and any(lb.startswith("一是") for lb in labels)


def test_unknown_clause_gets_a_notice(kb_client):
    url = "/documents/" + quote(LAW) + "?clause=" + quote(LAW + "#第九百九十九条", safe="")
    notice = soup_of(kb_client, url).select_one("#anchor-notice")
    assert not notice.has_attr("hidden") and "第九百九十九条" in notice.get_text()
    known = "/documents/" + quote(LAW) + "?clause=" + quote(LAW + "#第四十九条", safe="")
    assert soup_of(kb_client, known).select_one("#anchor-notice").has_attr("hidden")


@pytest.mark.parametrize("url", ["/search?q=", "/ask?q=%20", "/basis?q=", "/reply?q=", "/units?topic="])
def test_empty_query_message(kb_client, url):
    notice = soup_of(kb_client, url).select_one("#empty-query")
    assert notice is not None and "请输入" in notice.get_text()
    assert soup_of(kb_client, url.split("?")[0]).select_one("#empty-query") is None  # first visit: just the form


def test_unit_page_grouped_with_lists(kb_client):
    html = soup_of(kb_client, "/units/" + quote("民政部门"))
    roles = [s["data-role"] for s in html.select("section.role-group")]
    assert roles == ["负责", "协同", "受理"]
    holder = html.select_one("section.role-group[data-role=负责]")
    titles = [h.get_text() for h in holder.select(".doc-duties h4")]
    assert len(titles) == len(set(titles)) and "《中华人民共和国未成年人保护法》" in titles
    cites = [a.get_text() for a in holder.select(".duty-item a.citation")]
    assert cites.count("第八十三条第二款") == 1
    item = next(li for li in holder.select("li.duty-item") if "临时监护：" in li.select_one(".duty").get_text())
    situations = [li.get_text() for li in item.select("ul.duty-list li")]
    assert len(situations) == 7 and situations[0].startswith("（一）未成年人流浪乞讨")
    api = kb_client.get("/api/units/" + quote("民政部门")).get_json()
    assert [g["role"] for g in api["roles"]] == roles and api["distinct"] < api["total"]


def test_topic_page_matches_the_phrase(kb_client):
    html = soup_of(kb_client, "/units?topic=" + quote("临时监护"))
    names = [a.get_text() for a in html.select("#topic-matches .match a.unit")]
    assert names[0] == "民政部门" and not {"学校", "幼儿园", "医疗机构"} & set(names)
    api = kb_client.get("/api/units", query_string={"topic": "临时监护"}).get_json()
    assert [m["name"] for m in api["matches"]] == names

