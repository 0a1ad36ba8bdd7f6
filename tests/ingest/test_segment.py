"""The clause tree on hand-made texts, and the nothing-is-lost invariant on generated documents (hypothesis)."""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.loaders import read_markdown, read_plain
from ingest.numerals import cn_to_int, int_to_cn
from ingest.pipeline import build_document
from ingest.sentences import sentence_spans


def doc_of(text: str, name: str = "测试条例.txt"):
    raw = read_markdown(text) if name.endswith(".md") else read_plain(text)
    return build_document(Path(name), raw)


def ids(doc, kind=None):
    return [c.id.split("#")[1] for c in doc.clauses if kind is None or c.kind == kind]


def assert_partition(doc):
    pos = 0
    for leaf in doc.leaves():
        assert doc.body[leaf.start:leaf.end] == leaf.text
        assert leaf.start >= pos and not doc.body[pos:leaf.start].strip()
        pos = leaf.end
    assert not doc.body[pos:].strip()
    assert len(set(ids(doc))) == len(doc.clauses)


def test_numerals_round_trip():
    for n in (1, 9, 10, 11, 19, 20, 49, 100, 101, 110, 132, 1000, 1260):
        assert cn_to_int(int_to_cn(n)) == n
    assert int_to_cn(49) == "四十九" and int_to_cn(105) == "一百零五" and cn_to_int("两百") == 200


def test_cross_references_never_open_articles():
    doc = doc_of("某条例\n\n第一条 总则。\n\n第五十八条规定的情形，依照本法第六十条处理。\n\n第二条 其他。\n")
    assert ids(doc, "article") == ["第一条", "第二条"]
    assert ids(doc, "paragraph") == ["第一条.第一款", "第一条.第二款", "第二条.第一款"]


def test_article_with_zhi_and_restarted_item_references():
    text = ("某法\n\n第十七条 甲。\n\n第十七条之一 乙：\n\n（一）丙；\n\n（二）丁。\n\n"
            "（一）至（二）项所列人员，另行规定。\n\n第十八条 戊。\n")
    doc = doc_of(text)
    assert ids(doc, "article") == ["第十七条", "第十七条之一", "第十八条"]
    assert "第十七条之一.第二款" in ids(doc, "paragraph")  # the reference to items is a paragraph, not item (一)
    item = next(c for c in doc.clauses if c.id.endswith("#第十七条之一.第一款.第二项"))
    assert item.citation == "《某法》第十七条之一第一款第二项"


def test_sub_items_and_nested_headings():
    text = ("# 某法典\n\n## 第一编 总则\n\n## 第一章 基本规定\n\n### 第一节 一般规定\n\n第一条 下列情形：\n\n"
            "（一）甲：\n\n1.子项一；\n\n2.子项二。\n\n## 第二编 分则\n\n## 第一章 具体规定\n\n第二条 乙。\n")
    doc = doc_of(text, "某法典.md")
    assert ids(doc, "heading") == ["第一编", "第一编.第一章", "第一编.第一章.第一节", "第二编", "第二编.第一章"]
    mu = next(c for c in doc.clauses if c.id.endswith("#第一条.第一款.第一项.第2目"))
    assert mu.citation == "《某法典》第一条第一项第二目"
    assert mu.headings == ("第一编 总则", "第一章 基本规定", "第一节 一般规定")
    second = next(c for c in doc.clauses if c.id.endswith("#第二条"))
    assert second.headings == ("第二编 分则", "第一章 具体规定")


def test_long_paragraphs_become_sentence_leaves_and_short_ones_stay_whole():
    long = "。".join(f"第{i}句话说明一项具体的工作要求并且足够长以便超过限制" for i in range(6)) + "。"
    doc = doc_of(f"某办法\n\n第一条 {long}\n\n第二条 短句。又一句。\n")
    first = next(c for c in doc.clauses if c.id.endswith("#第一条.第一款"))
    assert not first.leaf
    sentences = [c for c in doc.clauses if c.parent_id == first.id]
    assert len(sentences) == 6 and all(c.kind == "sentence" and c.leaf for c in sentences)
    assert sentences[1].id.endswith("#第一条.第一款.2") and sentences[1].citation == "《某办法》第一条"
    assert next(c for c in doc.clauses if c.id.endswith("#第二条.第一款")).leaf


def test_sentence_split_keeps_closing_quotes():
    text = "他说：“必须报告。”随后离开；然后？结束！"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["他说：“必须报告。”", "随后离开；", "然后？", "结束！"]


def test_table_of_contents_is_not_the_structure():
    text = "# 某条例\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n## 第二章 附则\n\n## 第一章 总则\n\n第一条 甲。\n\n## 第二章 附则\n\n第二条 乙。\n"
    doc = doc_of(text, "某条例.md")
    assert ids(doc, "heading") == ["目录.第一章", "目录.第二章", "第一章", "第二章"]
    assert next(c for c in doc.clauses if c.id.endswith("#第二条")).headings == ("第二章 附则",)


def test_generic_markers_nest():
    text = "某方案\n\n一、总体要求\n\n（一）指导思想。坚持儿童优先。\n\n1.具体一。\n\n（二）目标。\n\n补充说明的段落。\n\n二、任务\n\n一是做好甲。\n"
    doc = doc_of(text)
    assert ids(doc) == ["一", "一.（一）", "一.（一）.第1目", "一.（二）", "一.（二）.段1", "二", "二.一是"]
    note = next(c for c in doc.clauses if c.id.endswith("#一.（二）.段1"))
    assert note.article_id.endswith("#一.（二）") and note.citation == "《某方案》第一部分第二项"
    mu = next(c for c in doc.clauses if c.id.endswith("#一.（一）.第1目"))
    assert mu.citation == "《某方案》第一部分第一项第一点" and mu.parent_id.endswith("#一.（一）")


def test_refs_are_recorded():
    doc = doc_of("某规定\n\n第一条 根据《中华人民共和国未成年人保护法》和《上海市未成年人保护条例》，制定本规定。\n")
    art = next(c for c in doc.clauses if c.kind == "article")
    assert art.refs == ("中华人民共和国未成年人保护法", "上海市未成年人保护条例")


# -- generated documents ---------------------------------------------------------------------------------------
CHARS = "的未成年人保护工作应当加强学校家庭社会政府网络司法部门负责监督管理，、：“”（）《》0123456789 \u3000"
words = st.text(alphabet=CHARS, min_size=1, max_size=40).map(lambda s: s.strip() or "内容")
title_words = st.text(alphabet="未成年人保护工作加强学校家庭社会网络", min_size=1, max_size=12)
sentence = st.builds(lambda w, p: w + p, words, st.sampled_from(["。", "；", "！", "？", "", "。”"]))
paragraph = st.lists(sentence, min_size=1, max_size=8).map("".join)


@st.composite
def law_text(draw):
    lines, n_articles, article = [], 0, 0
    for chapter in range(1, draw(st.integers(0, 3)) + 2):
        lines.append(f"第{int_to_cn(chapter)}章 {draw(title_words)}")
        for _ in range(draw(st.integers(0, 4))):
            article += 1
            n_articles += 1
            lines.append(f"第{int_to_cn(article)}条 {draw(paragraph)}")
            for k in range(draw(st.integers(0, 3))):
                kind = draw(st.sampled_from(["kuan", "item", "ref", "mu"]))
                body = draw(paragraph)
                lines.append({"kuan": body, "item": f"（{int_to_cn(k + 1)}）{body}",
                              "ref": f"依照本法第{int_to_cn(article + 5)}条{body}",
                              "mu": f"{k + 1}.{body}"}[kind])
    return lines, n_articles


@st.composite
def plan_text(draw):
    lines = []
    for s in range(1, draw(st.integers(1, 4)) + 1):
        lines.append(f"{int_to_cn(s)}、{draw(title_words)}")
        for p in range(1, draw(st.integers(0, 4)) + 1):
            lines.append(f"{int_to_cn(p)}是{draw(paragraph)}")
        if draw(st.booleans()):  # an unnumbered paragraph (one starting "1、" would be a numbered item)
            lines.append(draw(paragraph.filter(lambda t: not re.match(r"\s*[0-9]", t))))
    return lines


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(law_text(), st.sampled_from(["\n", "\n\n", "\r\n"]), st.booleans())
def test_generated_laws_keep_every_character_and_every_article(law, sep, markdown):
    lines, n_articles = law
    if markdown:
        text = "# 生成条例\n\n<!-- INFO END -->\n\n" + sep.join(f"## {ln}" if re.match(r"^第.+章", ln) else ln for ln in lines)
    else:
        text = "生成条例" + sep + sep.join(lines)
    doc = doc_of(text, "生成条例.md" if markdown else "生成条例.txt")
    assert_partition(doc)
    squash = lambda s: re.sub(r"[\s#]", "", s)  # noqa: E731
    assert squash(doc.body) == squash("".join(lines))
    assert len(ids(doc, "article")) == n_articles
    for c in doc.clauses:
        if c.kind == "article":
            assert c.text == doc.body[c.start:c.end] and c.citation.endswith(c.id.split("#")[1])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan_text())
def test_generated_work_plans_keep_every_character(lines):
    doc = doc_of("2030年某区未成年人保护工作要点\n" + "\n".join(lines))
    assert_partition(doc)
    assert re.sub(r"\s", "", doc.body) == re.sub(r"\s", "", "".join(lines))
    points = [ln for ln in lines if re.match(r"^[一二三四五六七八九十]+是", ln)]
    assert len([c for c in doc.clauses if c.kind == "paragraph"]) == len(points)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=60), min_size=1, max_size=12))
def test_arbitrary_text_never_breaks_the_invariant(lines):
    text = "\n".join(lines)
    if not re.sub(r"[\s\u3000]", "", text):
        return
    try:
        doc = doc_of(text)
    except Exception as exc:  # only the clear "no text" error is acceptable
        assert "no text" in str(exc)
        return
    assert_partition(doc)


def test_unnumbered_headings_are_named_in_citations_and_case_titles_come_from_the_file():
    text = "# 某人诉某公司案（提要：合同有效，应当履行。）\n\n<!-- INFO END -->\n\n## 序言\n\n第一段文字。\n\n## 裁判要点\n\n一、合同有效。\n"
    doc = doc_of(text, "某人诉某公司案.md")
    assert doc.title == "某人诉某公司案"
    cites = {c.id.split("#")[1]: c.citation for c in doc.clauses}
    assert cites["段1"] == "《某人诉某公司案》第一段"  # the holding line is kept as text, not lost
    assert cites["序言.段1"] == "《某人诉某公司案》序言第一段"
    assert cites["裁判要点.一"] == "《某人诉某公司案》裁判要点第一部分"


def test_old_style_items_and_grade_phrases():
    text = "某条例\n\n第五条 下列单位：\n\n一、学校；\n\n二、医院。\n\n一、二级客运站应当实行安全检查。\n\n第六条 甲。\n"
    doc = doc_of(text)
    assert ids(doc)[:5] == ["第五条", "第五条.第一款", "第五条.第一款.第一项", "第五条.第一款.第二项", "第五条.第二款"]
    plan = doc_of("某方案\n\n一、二级医院开展儿童保健服务。\n\n一、总体要求\n")
    assert ids(plan) == ["段1", "一"]


def test_marked_up_and_plain_section_lines_are_siblings():
    doc = doc_of("# 某方案\n\n### 一、目标\n\n建成十个。\n\n二、任务\n\n（一）建设空间。\n", "某方案.md")
    assert ids(doc) == ["一", "一.段1", "二", "二.（一）"]
    assert next(c for c in doc.clauses if c.id.endswith("#一.段1")).citation == "《某方案》第一部分第一段"
