"""Highlighting escapes before marking, anchors and citation text are stable."""
from markupsafe import Markup

from search_app.render import anchor, copy_text, highlight, level_rank


def test_highlight_escapes_then_marks():
    out = highlight('<script>alert(1)</script>网信部门负责<img src=x onerror="y">', ["网信部门", "script"])
    assert isinstance(out, Markup)
    assert "<script>" not in out and "<img" not in out
    assert "&lt;<mark>script</mark>&gt;" in out
    assert "<mark>网信部门</mark>负责" in out
    assert "onerror=&#34;y&#34;" in out


def test_highlight_longest_term_first_and_no_terms():
    assert highlight("未成年人网络保护", ["网络", "网络保护"]) == Markup("未成年人<mark>网络保护</mark>")
    assert highlight("a<b", []) == Markup("a&lt;b")
    assert highlight("a<b", ["<", " "]) == Markup("a&lt;b")  # punctuation-only terms are not marked


def test_highlight_term_that_looks_like_markup_is_escaped():
    out = highlight("x <mark> y", ["<mark>"])
    assert out == Markup("x <mark>&lt;mark&gt;</mark> y")


def test_anchor_and_copy_text():
    doc = "上海市未成年人保护条例(2024-12-31)"
    assert anchor(doc + "#第五章.第四十九条.第一款", doc) == "c-第五章.第四十九条.第一款"
    assert anchor("x#a b") == "c-a_b"
    assert copy_text("《条例》第四十九条", " 网信部门负责… ") == "《条例》第四十九条：“网信部门负责…”"


def test_level_rank_orders_by_authority():
    assert level_rank("法律") < level_rank("行政法规") < level_rank("地方性法规") < level_rank("工作要点")
    assert level_rank("未知") > level_rank("其他")


def test_clause_url_is_the_routers_url_and_resolves_back(kb_app):
    """The memoised document URL plus the clause's query and anchor equal what the router builds, and the router
    reads the clause back, for ids with spaces, slashes, #, + and & in them."""
    from urllib.parse import parse_qs, unquote, urlsplit

    from flask import url_for

    from search_app.render import clause_url

    cases = [("上海市 条例", "上海市 条例#第一条 第二款"), ("a/b", "a/b#c d+e&f=g?h#i"), ("x", "x#第十一条/第二款!$'()*,:;@~")]
    with kb_app.test_request_context("/api/search?q=x"):
        for doc_id, clause_id in cases:
            url = clause_url(doc_id, clause_id)
            assert url == url_for("views.document", doc_id=doc_id, clause=clause_id, _anchor=anchor(clause_id, doc_id))
            assert clause_url(doc_id, clause_id) == url  # the memo hands out the same link
            parts = urlsplit(url)
            assert parse_qs(parts.query)["clause"] == [clause_id] and unquote(parts.fragment) == anchor(clause_id, doc_id)
        assert clause_url("x", "x#y", external=True).startswith("http://localhost/documents/x?clause=")
    with kb_app.test_request_context("/api/search?q=x", base_url="http://localhost/kb"):  # mounted under a prefix
        assert clause_url("上海市 条例").startswith("/kb/documents/")
    with kb_app.app_context():  # outside a request (a background job): still a relative link
        assert clause_url("上海市 条例", "上海市 条例#第一条").startswith("/documents/")
