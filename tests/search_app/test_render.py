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
