"""The 答复草稿 page in headless Chromium against a real server on 127.0.0.1: uncheck a clause -> the draft is
re-rendered without it; export .docx -> a file that opens and holds every citation."""
import threading
from urllib.parse import quote

import docx
import pytest

from tests.conftest import BULLYING

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(kb_app):
    """waitress serving the real app on an ephemeral 127.0.0.1 port, in a thread; closed after the module."""
    from waitress.server import create_server

    srv = create_server(kb_app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}"
    srv.close()
    thread.join(timeout=5)


def test_draft_page_recheck_and_export(browser, server, tmp_path):
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 1000}, locale="zh-CN",
                                  accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/reply?q=" + quote(BULLYING))
    page.screenshot(path=str(tmp_path / "reply-initial.png"), full_page=True)

    checked = page.locator("input.cand:checked")
    assert checked.count() >= 2
    first_id = checked.first.get_attribute("value")
    first_quote = page.locator("li.candidate", has=page.locator(f'input[value="{first_id}"]')) \
        .locator(".cand-quote").inner_text()
    draft = page.locator("#draft")
    assert first_quote[:30] in draft.input_value()

    with page.expect_response(lambda r: r.url.endswith("/api/reply") and r.status == 200):
        checked.first.uncheck()
    page.wait_for_function("document.getElementById('reply').getAttribute('aria-busy') === 'false'")
    text = draft.input_value()
    assert first_quote[:30] not in text and text.startswith("您好！")
    citations = page.locator("#reply-citations li").all_inner_texts()
    assert citations and not any(first_quote[:30] in c for c in citations)
    page.screenshot(path=str(tmp_path / "reply-unchecked.png"), full_page=True)

    draft.fill(text + "\n经办人补充：请保持电话畅通。")
    with page.expect_download() as info:
        page.click("#export-docx")
    saved = tmp_path / "reply.docx"
    info.value.save_as(saved)
    body = "\n".join(p.text for p in docx.Document(str(saved)).paragraphs)
    assert "经办人补充：请保持电话畅通。" in body
    for line in citations:
        assert line.split("：“")[0].strip() in body

    with page.expect_download() as info:
        page.click("#export-txt")
    txt = tmp_path / "reply.txt"
    info.value.save_as(txt)
    assert "引用依据" in txt.read_text(encoding="utf-8")
    assert not errors, errors
    context.close()
