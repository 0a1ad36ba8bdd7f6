"""Headless Chromium against the real `policykb serve` (work plan + related laws): reading a document (table of
contents, find, side panel, anchors), result lists (total, paging, sort), Back, print and a phone-sized screen."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.conftest import BULLYING

pytestmark = pytest.mark.browser

LAW = "上海市未成年人保护条例@2024-12-31"
LAW_URL = "/documents/" + quote(LAW)
HIDDEN_IN_PRINT = ("header.topbar", "form", "button", "nav")


def _context(browser, base, width=1280, height=900):
    context = browser.new_context(base_url=base, viewport={"width": width, "height": height}, locale="zh-CN")
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.problems = problems
    return context, pg


@pytest.fixture()
def page(browser, kb_server):
    context, pg = _context(browser, kb_server)
    yield pg
    context.close()


@pytest.fixture()
def phone(browser, kb_server):
    context, pg = _context(browser, kb_server, width=390, height=844)
    yield pg
    context.close()


def _in_view(locator, height=900) -> bool:
    box = locator.bounding_box()
    return bool(box) and box["y"] < height and box["y"] + box["height"] > 0


# --- document page ------------------------------------------------------------------------------------------

def test_table_of_contents_and_side_panel_stay_in_view(page, tmp_path):
    page.goto(LAW_URL)
    toc = page.locator("#doc-toc")
    chapters = toc.locator("li.toc-d1").all_inner_texts()
    assert chapters[0].startswith("第一章") and any("网络保护" in c for c in chapters), chapters
    assert toc.locator("li.toc-d2").count() >= 80  # every article of the regulation
    entry = toc.locator("a", has_text="第四十九条").first
    entry.click()
    page.wait_for_function("decodeURIComponent(location.hash) === '#c-第四十九条'")
    target = page.locator("#c-第四十九条")
    assert _in_view(target) and "网信部门负责统筹协调" in target.inner_text()
    assert target.evaluate("el => el.classList.contains('is-target')")
    # far down the document the contents and the side panel are still beside the text
    page.evaluate("window.scrollTo(0, document.body.scrollHeight * 0.8)")
    page.wait_for_timeout(100)
    assert page.evaluate("window.scrollY") > 3000
    assert _in_view(toc) and _in_view(page.locator("#doc-side"))
    assert page.locator("#doc-side h2").first.inner_text() == "其他版本"
    page.screenshot(path=str(tmp_path / "toc.png"))
    assert not page.problems, page.problems  # no script errors, no CSP violations


def test_find_in_the_document(page):
    page.goto(LAW_URL)
    page.fill("#doc-find", "临时监护")
    count = page.locator("#doc-find-count")
    count.filter(has_text="/").wait_for()
    first, total = count.inner_text().split(" / ")
    assert first == "1" and int(total) == page.locator("mark.find-hit").count() >= 2
    current = page.locator("mark.find-hit.current")
    assert current.inner_text() == "临时监护" and _in_view(current)
    page.click("#doc-find-next")
    assert count.inner_text().startswith("2 / ")
    page.fill("#doc-find", "不会出现在文中的词语")
    count.filter(has_text="无结果").wait_for()
    assert page.locator("mark.find-hit").count() == 0
    assert not page.problems, page.problems


def test_one_copy_button_per_clause(page):
    page.goto(LAW_URL)
    citations = page.eval_on_selector_all(
        "#doc-body .clause-tools .cite", "els => els.map(e => e.textContent)")
    assert "《上海市未成年人保护条例》第一条" in citations
    assert len(citations) == len(set(citations)), [c for c in citations if citations.count(c) > 1][:5]


def test_unknown_anchor_is_announced(page):
    page.goto(LAW_URL + "#c-第九百九十九条")
    notice = page.locator("#anchor-notice")
    notice.wait_for(state="visible")
    assert "第九百九十九条" in notice.inner_text() and "文件开头" in notice.inner_text()
    page.goto(LAW_URL + "?clause=" + quote(LAW + "#第九百九十九条", safe=""))
    assert page.locator("#anchor-notice").is_visible()
    page.goto(LAW_URL + "#c-第四十九条")  # a known anchor says nothing
    assert not page.locator("#anchor-notice").is_visible()
    assert not page.problems, page.problems


# --- result lists ---------------------------------------------------------------------------------------------

def test_paging_and_sorting_results(page):
    page.goto("/search?q=" + quote("临时监护"))
    summary = page.locator("#result-summary")
    total = int(summary.get_attribute("data-total"))
    assert total > 10 and f"共 {total}" in summary.inner_text() and "第 1–10 条" in summary.inner_text()
    first = page.eval_on_selector_all("article.hit", "els => els.map(e => e.dataset.clauseId)")
    page.click("nav.pager a.next")
    page.wait_for_url("**offset=10**")
    second = page.eval_on_selector_all("article.hit", "els => els.map(e => e.dataset.clauseId)")
    assert second and not set(first) & set(second)
    assert page.locator("article.hit .rank").first.inner_text() == "11"
    page.click("nav.sort a[data-sort=date]")
    page.wait_for_url("**sort=date**")
    dates = page.locator("article.hit .badge.date").all_inner_texts()
    assert dates == sorted(dates, reverse=True)
    assert int(page.locator("#result-summary").get_attribute("data-total")) == total
    assert not page.problems, page.problems


def test_back_restores_the_scroll_position(page):
    page.goto("/search?k=30&q=" + quote("监护"))
    page.evaluate("window.scrollTo(0, 2000)")
    page.wait_for_timeout(100)
    y = page.evaluate("window.scrollY")
    assert y > 1500
    link = page.locator("article.hit a.citation").nth(12)
    link.scroll_into_view_if_needed()
    y = page.evaluate("window.scrollY")
    link.click()
    page.wait_for_url("**/documents/**")
    page.go_back()
    page.wait_for_url("**/search?**")
    page.wait_for_function(f"Math.abs(window.scrollY - {y}) < 40", timeout=5000)
    # a document opened at a clause: Back returns to where the reader had scrolled, not to the clause again
    page.goto(LAW_URL + "?clause=" + quote(LAW + "#第四十九条", safe="") + "#c-第四十九条")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight * 0.85)")
    page.wait_for_timeout(100)
    y = page.evaluate("window.scrollY")
    assert not _in_view(page.locator("#c-第四十九条"))
    page.goto("/documents")
    page.go_back()
    page.wait_for_url("**/documents/**")
    page.wait_for_function(f"Math.abs(window.scrollY - {y}) < 40", timeout=5000)
    assert not page.problems, page.problems


def test_reply_status_is_right_after_back(page):
    page.goto("/reply?q=" + quote(BULLYING))
    status = page.locator("#reply-status")
    initial = status.inner_text()
    assert initial.startswith("已引用")
    boxes = page.locator("input.cand:checked")
    n = boxes.count()
    assert n >= 2
    boxes.first.uncheck()
    expect(status).not_to_have_text(initial)  # a locator wait: no string eval, which the CSP forbids when it polls
    page.wait_for_selector("#reply[aria-busy=false]")
    after = status.inner_text()
    cited = page.locator("#reply-citations li").count()
    assert after == f"已引用 {cited} 条依据" and after != initial
    page.goto(LAW_URL)
    page.go_back()
    page.wait_for_url("**/reply?**")
    assert page.locator("input.cand:checked").count() == n - 1  # the browser kept the reader's choice ...
    expect(status).to_have_text(after)
    page.wait_for_selector("#reply:not([aria-busy=true])")
    assert page.locator("#reply-citations li").count() == cited  # ... and the status and citations follow it
    assert not page.problems, page.problems


# --- print, phone, empty query ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [LAW_URL, "/ask?q=" + quote("哪个部门负责未成年人网络保护"), "/reply?q=" + quote(BULLYING)])
def test_print_shows_the_text_without_nav_forms_or_buttons(page, url, tmp_path):
    page.goto(url)
    page.emulate_media(media="print")
    page.screenshot(path=str(tmp_path / "print.png"), full_page=True)
    for selector in HIDDEN_IN_PRINT:
        shown = page.eval_on_selector_all(
            selector, "els => els.filter(e => getComputedStyle(e).display !== 'none').length")
        assert shown == 0, f"{selector} printed on {url}"
    body = page.locator("main").inner_text()
    assert len(body) > 200
    if url.startswith("/reply"):
        draft = page.locator("#draft-print")
        assert draft.evaluate("e => getComputedStyle(e).display") == "block"
        assert draft.inner_text() == page.locator("#draft").input_value()
    page.emulate_media(media="screen")
    assert page.locator("header.topbar").is_visible()


def test_phone_layout(phone, tmp_path):
    phone.goto("/ask")
    button = phone.locator("form.search-form button[type=submit]")
    assert button.inner_text() == "提问"
    box = button.bounding_box()
    line = button.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert box["height"] < 2 * line, f"提问 breaks over two lines: {box}"
    assert box["width"] > box["height"]
    nav = phone.locator("header.topbar")
    assert nav.bounding_box()["height"] < 60  # one row: brand and the nav links
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing pushes the page sideways
    phone.goto(LAW_URL + "#c-第四十九条")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert _in_view(phone.locator("#c-第四十九条"), 844)
    phone.screenshot(path=str(tmp_path / "phone.png"))
    assert not phone.problems, phone.problems


@pytest.mark.parametrize("url", ["/search?q=", "/ask?q=+", "/basis?q=", "/units?topic="])
def test_empty_query_gets_a_message(page, url):
    page.goto(url)
    notice = page.locator("#empty-query")
    assert notice.is_visible() and "请输入" in notice.inner_text()


# --- article-level links and 条文对照 (data: index.links, index.compare) --------------------------------------------

def test_article_links_lead_to_the_citing_article(page):
    page.goto(LAW_URL + "#c-第四十四条")
    links = page.locator("#c-第四十四条 > .article-links")
    assert "引用本条：" in links.inner_text() and "第四十六条第二款" in links.inner_text()
    cites = page.locator("#c-第四十六条 > .article-links .cites")
    assert "本条引用：" in cites.inner_text() and "第四十四条第二款" in cites.inner_text()
    links.locator("a", has_text="第四十六条第二款").click()
    page.wait_for_function("decodeURIComponent(location.hash) === '#c-第四十六条.第二款'")
    target = page.locator(".clause.is-target")
    assert _in_view(target) and target.get_attribute("data-clause-id").endswith("#第四十六条.第二款")
    assert not page.problems, page.problems


def test_compare_two_versions(page, tmp_path):
    page.goto(LAW_URL)
    page.locator("#doc-side a.compare").first.click()
    page.wait_for_url("**/compare?with=**")
    heads = page.locator("#compare-table thead th").all_inner_texts()
    assert heads[:2] == ["2005-03-01", "2024-12-31"]  # version labels are dates, never hashes
    assert "@" not in page.locator("#compare header").inner_text()
    summary = page.locator("#compare-summary").inner_text()
    changed = page.locator("#compare-table tr[data-status=changed]")
    assert changed.count() > 0 and f"修改 {changed.count()} 条" in summary
    first = changed.first
    assert first.locator("td.new ins").count() > 0 and first.locator("td.old del").count() > 0
    ins_bg = first.locator("td.new ins").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert ins_bg not in ("rgba(0, 0, 0, 0)", "transparent")
    added = page.locator("#compare-table tr[data-status=added]")
    assert added.count() > 0 and added.first.locator("td.old").inner_text().strip() == ""
    page.check("#only-changed")
    same = page.locator("#compare-table tr[data-status=same]")
    assert all(not same.nth(i).is_visible() for i in range(min(same.count(), 5)))
    assert changed.first.is_visible()
    page.screenshot(path=str(tmp_path / "compare.png"))
    page.emulate_media(media="print")
    assert page.locator("header.topbar").evaluate("e => getComputedStyle(e).display") == "none"
    assert not page.problems, page.problems
