"""The 2024 work plan: notice metadata, preamble/signature clauses, four sections with their 一是… paragraphs."""
from __future__ import annotations

import re

import pytest

from ingest.pipeline import load_file
from tests.conftest import WORKPLAN

TITLE = "2024年上海市未成年人保护工作要点"


@pytest.fixture(scope="module")
def plan():
    return load_file(WORKPLAN)


def test_metadata(plan):
    assert plan.title == TITLE
    assert plan.id == f"{TITLE}@2024-04-10"
    assert plan.issuer == "上海市未成年人保护委员会"  # the issuing body, not the site that published it
    assert plan.info["发布机构"] == "上海市民政局"
    assert plan.doc_number == "沪未保委〔2024〕1 号"
    assert plan.published == "2024-04-10" and plan.adopted == "2024-04-02"
    assert plan.issuing_notice == f"上海市未成年人保护委员会关于印发《{TITLE}》的通知"
    assert plan.level == "工作要点" and plan.region == "上海" and plan.status == "current"
    assert plan.info["索取号"] == "0024204128/2024-00030" and plan.info["公开类别"] == "主动公开"


def test_furniture_and_info_block_are_not_in_the_body(plan):
    assert "政策性文件留言咨询" not in plan.body and "索取号" not in plan.body and "只接收" not in plan.body
    assert "请遵照执行" in plan.body  # the notice preamble stays, as a clause


def test_preamble_and_signature(plan):
    by_kind = {c.kind: c for c in plan.clauses if c.kind in ("preamble", "signature")}
    assert by_kind["preamble"].text.startswith("市未成年人保护委员会各成员单位")
    assert by_kind["preamble"].text.endswith("请遵照执行。")
    assert by_kind["signature"].text.split() == ["上海市未成年人保护委员会", "2024年4月2日"]
    assert by_kind["preamble"].citation == f"《上海市未成年人保护委员会关于印发〈{TITLE}〉的通知》正文"


def test_four_sections_and_their_paragraphs(plan):
    sections = [c for c in plan.clauses if c.kind == "heading" and re.match(r"^[一二三四]、", c.text)]
    assert [c.id.split("#")[1] for c in sections] == ["一", "二", "三", "四"]
    assert sections[2].text == "三、完善工作体系,优化成长环境"
    paragraphs = [c for c in plan.clauses if c.kind == "paragraph"]
    assert [c.id.split("#")[1] for c in paragraphs] == [
        "一.一是", "一.二是", "一.三是", "二.一是", "二.二是", "二.三是",
        "三.一是", "三.二是", "三.三是", "四.一是", "四.二是", "四.三是"]
    p = next(c for c in paragraphs if c.id.endswith("#三.三是"))
    assert p.text.startswith("三是紧紧守牢清朗网络空间。") and p.locator == ("三、", "三是")
    assert p.citation == f"《{TITLE}》第三部分第三项" and p.article_id == p.id and not p.leaf
    assert p.headings == ("三、完善工作体系,优化成长环境",)
    assert p.refs == ("未成年人网络保护条例",)


def test_sentence_leaves_point_at_their_paragraph(plan):
    s2 = next(c for c in plan.clauses if c.id == f"{TITLE}@2024-04-10#三.三是.2")
    assert s2.kind == "sentence" and s2.leaf and s2.locator == ("三、", "三是", "2")
    assert s2.text == "宣传贯彻落实2024年1月1日起施行的《未成年人网络保护条例》。"
    assert s2.article_id == s2.parent_id == f"{TITLE}@2024-04-10#三.三是"
    assert s2.citation == f"《{TITLE}》第三部分第三项"
    sentences = [c for c in plan.clauses if c.parent_id == s2.parent_id]
    assert "".join(c.text for c in sentences) == plan.body[sentences[0].start:sentences[-1].end]
