"""文件管理 in headless Chromium against the real `policykb serve`: a newcomer's knowledge base (the work plan only)
says the regulations are missing; an editor logs in, uploads 《上海市未成年人保护条例》 and a file that is refused,
watches the job's progress bar finish, and 问答 then cites 第四十九条 for the README's example question."""
from __future__ import annotations

import pytest

from index.build import build_index
from policykb.commands.serve import launched
from tests.conftest import PASSWORD, WORKPLAN, add_user, need_shared

pytestmark = pytest.mark.browser


@pytest.fixture()
def newcomer_server(tmp_path):
    index_dir = tmp_path / "data" / "index"
    build_index([WORKPLAN], index_dir, embedder="none")
    add_user(tmp_path / "data" / "users.sqlite", "editor", "editor")
    env = {"POLICYKB_EMBEDDER": "none", "POLICYKB_ACCESS_LOG": ""}
    with launched(index_dir, tmp_path / "cache", env=env) as url:
        yield url


def test_upload_in_the_browser_then_ask(browser, newcomer_server, tmp_path):
    law = need_shared("corpus", "related", "地方性法规", "上海市未成年人保护条例(2024-12-31).md")
    junk = tmp_path / "说明.exe"
    junk.write_bytes(b"MZ not a document")
    context = browser.new_context(base_url=newcomer_server, locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto("/ask?q=哪个部门负责未成年人网络保护")
        notice = page.locator(".kb-notice")
        assert "只收录 1 份文件" in notice.inner_text() and "POLICYKB_CORPUS" in notice.inner_text()
        assert page.locator("nav.nav a", has_text="文件管理").count() == 0  # readers do not see it

        page.click("text=登录")
        page.fill("input[name=name]", "editor")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.click("nav.nav a:has-text('文件管理')")
        page.wait_for_url("**/manage")
        page.set_input_files("input[type=file][multiple]", [str(law), str(junk)])
        page.click("text=上传并收录")
        page.wait_for_url("**/manage?job=*")
        job = page.locator(".manage-focus .job")
        assert job.locator("progress").count() == 1
        page.locator(".manage-focus .job[data-state=done]").wait_for(timeout=120_000)  # updated by manage.js
        assert job.locator("progress").evaluate("p => p.value") == 1
        assert "说明.exe" in job.locator(".job-rejected").inner_text()
        assert "不支持的格式" in job.locator(".job-rejected").inner_text()
        assert "上海市未成年人保护条例(2024-12-31).md" in job.locator(".job-result").inner_text()
        page.screenshot(path=str(tmp_path / "manage.png"), full_page=True)

        page.goto("/ask?q=哪个部门负责未成年人网络保护")
        card = page.locator("section.answer-card")
        card.wait_for()
        assert "《上海市未成年人保护条例》第四十九条" in card.inner_text()
        assert page.locator(".kb-notice").count() == 1  # 2 documents: still says the collection is small
        assert not problems, problems
    finally:
        context.close()
