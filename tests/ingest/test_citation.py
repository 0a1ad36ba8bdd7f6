"""The house citation style, one test per clause kind (README "Citations"): the texts are segmented for real and
the stored citation is what the UI, the copy button, replies and the .docx print."""
from __future__ import annotations

from pathlib import Path

from ingest.citation import book_title, law_citation, plan_citation
from ingest.loaders import read_plain
from ingest.pipeline import build_document

LAW = """某市未成年人保护条例

第一条 为了保护未成年人，制定本条例。

第四十一条 学校应当履行下列职责：

（一）建立制度；

（二）开展教育：

1. 安全教育；

2. 法治教育；

（三）配备人员；

（四）及时报告。

前款规定的职责，由教育部门监督。

第四十二条 本条例自2030年1月1日起施行。
"""

PLAN = """2024年某市未成年人保护工作要点

2024年，本市未成年人保护工作要以法治为引领。

一、紧盯重点环节

一是压实家庭监护主体责任。开展家庭教育立法调研。

二是丰富思想道德教育手段。推进思政课一体化。

二、聚焦特殊群体

（一）困境儿童

本项工作由民政部门牵头。

一是提升困境儿童关爱服务质量。

各区按季度报送进展。
"""


def doc_of(text: str, name: str):
    return build_document(Path(name), read_plain(text))


def cites(doc) -> dict[str, str]:
    return {c.id.split("#", 1)[1]: c.citation for c in doc.clauses}


def test_article_kuan_item_and_mu_in_the_official_style():
    c = cites(doc_of(LAW, "law.txt"))
    t = "《某市未成年人保护条例》"
    assert c["第一条"] == c["第一条.第一款"] == t + "第一条"  # a one-paragraph article names no 款
    assert c["第四十一条.第一款"] == t + "第四十一条第一款"  # several 款: the 款 is named
    assert c["第四十一条.第一款.第四项"] == t + "第四十一条第一款第四项"  # 第四项, never 第（四）项
    assert c["第四十一条.第一款.第二项.第1目"] == t + "第四十一条第一款第二项第一目"
    assert c["第四十一条.第二款"] == t + "第四十一条第二款"


def test_work_plan_heading_paragraph_sentence_and_unnumbered_paragraphs():
    doc = doc_of(PLAN, "plan.txt")
    c = cites(doc)
    t = "《2024年某市未成年人保护工作要点》"
    assert c["段1"] == t + "第一段"  # the opening paragraph, before any section
    assert c["一"] == t + "第一部分"  # 一、 heading
    assert c["一.二是"] == t + "第一部分第二项"  # 一是 paragraph: reads 《…》第一部分第二项
    para = next(x for x in doc.clauses if x.id.endswith("#一.一是"))
    sentences = [x for x in doc.clauses if x.parent_id == para.id]
    assert all(s.citation == t + "第一部分第一项" for s in sentences)  # a sentence cites its paragraph
    assert c["二.（一）"] == t + "第二部分第一项"  # （一） heading
    assert c["二.（一）.一是"] == t + "第二部分第一项第一点"  # 一是 under a （一）
    assert c["二.（一）.段1"] == t + "第二部分第一项第一段"  # unnumbered text under a heading: its 第N段
    assert c["二.（一）.一是.段1"] == t + "第二部分第一项第一点"  # text after a 一是 paragraph belongs to it


def test_notice_parts_name_the_notice():
    page = ("某区未成年人保护委员会关于印发《某区工作方案》的通知 ( 2025-03-01 )\n索取号: 1 发布机构: 某区民政局\n"
            "各街镇：\n现将《某区工作方案》印发给你们，请遵照执行。\n某区未成年人保护委员会\n2025年2月20日\n"
            "(此件主动公开)\n某区工作方案\n一、总体要求\n一是坚持儿童优先。\n")
    doc = doc_of(page, "notice.txt")
    by_kind = {x.kind: x.citation for x in doc.clauses}
    n = "《某区未成年人保护委员会关于印发〈某区工作方案〉的通知》"
    assert by_kind["preamble"] == n + "正文" and by_kind["signature"] == n + "落款"
    assert cites(doc)["一.一是"] == "《某区工作方案》第一部分第一项"


def test_the_functions_and_nested_book_title_marks():
    assert book_title("上海市实施《中华人民共和国义务教育法》办法") == "《上海市实施〈中华人民共和国义务教育法〉办法》"
    assert book_title("《上海市某条例》") == "《上海市某条例》"  # never 《《…》》
    assert law_citation("《某法》", "第十条", 2, 3, 0, many_kuan=True) == "《某法》第十条第二款第三项"
    assert law_citation("《某法》", "第十条", 1, 0, 0) == "《某法》第十条"
    assert plan_citation("《某要点》", "", [(1, 3), (5, 2)]) == "《某要点》第三部分第二项"
    assert plan_citation("《某案》", "基本案情", [], paragraph=2) == "《某案》基本案情第二段"


def test_a_zero_marker_is_cited_as_written():
    """A work-plan line numbered "0." must not stop the document from being ingested."""
    from ingest.citation import plan_citation

    assert plan_citation("《某方案》", "", [(1, 1), (5, 0)]).startswith("《某方案》第一部分第0")
