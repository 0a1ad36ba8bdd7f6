"""Headless Chromium against the real `policykb serve` on 127.0.0.1 over the work plan + related laws:
ask the mission's question, follow the citation into the document, search with a filter, copy a citation."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture()
def page(browser, kb_server):
    context = browser.new_context(base_url=kb_server, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=kb_server)
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.problems = problems
    yield pg
    context.close()


def test_ask_then_open_the_cited_clause(page, tmp_path):
    page.goto("/ask")
    page.fill("input[name=q]", "哪个部门负责未成年人网络保护")
    page.press("input[name=q]", "Enter")
    card = page.locator("section.answer-card")
    card.wait_for()
    assert card.get_attribute("data-found") == "true"
    item = card.locator("li.unit-item").filter(has_text="《上海市未成年人保护条例》第四十九条").first
    assert item.locator(".unit").first.inner_text() == "网信部门"
    assert "负责统筹协调本市未成年人网络保护" in item.inner_text()
    page.screenshot(path=str(tmp_path / "ask.png"), full_page=True)

    item.locator("a.citation").click()
    page.wait_for_url("**/documents/**")
    target = page.locator(".clause.is-target").first
    target.wait_for()
    assert "网信部门负责统筹协调本市未成年人网络保护" in target.inner_text()
    assert target.get_attribute("id").startswith("c-") and "第四十九条" in target.get_attribute("id")
    box = target.bounding_box()
    assert box and 0 <= box["y"] < 900, f"target clause not scrolled into view: {box}"
    background = target.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert "上海市未成年人保护条例" in page.locator("h1").inner_text()
    page.screenshot(path=str(tmp_path / "document.png"))
    assert not page.problems, page.problems  # no script errors, no CSP violations


def test_search_with_a_level_filter(page, tmp_path):
    page.goto("/search")
    page.fill("input[name=q]", "网络保护 统筹协调")
    page.locator("details.filters summary").click()
    page.check("input[name=level][value=行政法规]")
    page.click("form.search-form button[type=submit]")
    page.wait_for_url("**level=**")
    page.locator("article.hit").first.wait_for()
    levels = page.locator("article.hit .badge.level").all_inner_texts()
    assert levels and set(levels) == {"行政法规"}
    assert page.locator("article.hit mark").count() > 0
    page.screenshot(path=str(tmp_path / "search.png"), full_page=False)
    assert not page.problems, page.problems


def test_copy_a_citation(page, tmp_path):
    page.goto("/search?q=" + "儿童安全座椅")
    button = page.locator("article.hit button.copy").first
    expected = button.get_attribute("data-copy")
    assert expected.startswith("《") and "》第" in expected and "：“" in expected
    button.click()
    page.locator("button.copy.copied").first.wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == expected
    page.screenshot(path=str(tmp_path / "copied.png"))
    assert not page.problems, page.problems
