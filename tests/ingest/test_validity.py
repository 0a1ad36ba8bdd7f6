"""Validity rules (ingest/validity.py) and the metadata rules behind them: 施行日期, issuers, 文号, version labels."""
from __future__ import annotations

from pathlib import Path

from ingest.loaders import read_markdown, read_plain
from ingest.metadata import (doc_number_in, inferred_issuer, parse_promulgation, stated_effective, title_issuers)
from ingest.pipeline import build_document
from ingest.validity import (AMENDED, CURRENT, PENDING, REPEALED, VersionFacts, in_force_from, repealed_titles,
                             status_of, statuses, version_label)
from ingest.versions import resolve_versions


def facts(i: str, vd: str | None, eff: str | None, chain: str = "某法", repealed: str | None = None) -> VersionFacts:
    return VersionFacts(i, chain, (vd is not None, vd or ""), in_force_from(eff, vd), repealed)


def test_in_force_from_is_the_later_of_effective_and_version_date():
    assert in_force_from("2021-06-01", "2024-04-26") == "2024-04-26"  # an amended text applies from its amendment
    assert in_force_from("2025-06-01", "2024-11-08") == "2025-06-01"  # a new law from the day it names
    assert in_force_from(None, None) is None


def test_statuses_of_a_chain_on_different_days():
    old, new = facts("v1", "2019-03-01", "2019-05-01"), facts("v2", "2029-06-01", "2030-01-01")
    chain = [old, new]
    assert statuses(chain, "2019-04-01") == {"v1": PENDING, "v2": PENDING}
    assert statuses(chain, "2025-01-01") == {"v1": CURRENT, "v2": PENDING}  # passed, not yet in force
    assert statuses(chain, "2030-01-01") == {"v1": AMENDED, "v2": CURRENT}
    gone = facts("x", "2010-01-01", "2010-03-01", chain="旧办法", repealed="2020-03-01")
    assert status_of(gone, [gone], "2019-12-31") == CURRENT and status_of(gone, [gone], "2020-03-01") == REPEALED
    undated = facts("u", None, None)
    assert status_of(undated, [undated], "2025-01-01") == CURRENT


def test_stated_effective_dates_and_repeals_in_final_provisions():
    assert stated_effective("……\n第七十三条 本条例自2015年3月1日起施行。", None) == "2015-03-01"
    assert stated_effective("第九条 本办法自公布之日起施行。", "2020-01-02") == "2020-01-02"
    assert stated_effective("依照本法第五条处理。", "2020-01-02") is None
    text = "第二十三条 本法自2004年1月1日起施行，《中华人民共和国居民身份证条例》同时废止。"
    assert repealed_titles(text) == ("中华人民共和国居民身份证条例",)


def test_issuers_by_general_rules():
    p = parse_promulgation(["2023年1月3日 最高人民法院审判委员会第1878次会议、2023年3月2日最高人民检察院第十三届"
                            "检察委员会第一百一十四次会议通过", "2023年6月1日 施行"])
    assert p.issuer == "最高人民法院、最高人民检察院" and p.effective == "2023-06-01"  # a joint interpretation
    assert title_issuers("最高人民法院、最高人民检察院关于办理某类案件的解释") == "最高人民法院、最高人民检察院"
    assert title_issuers("关于进一步加强某工作的意见") == ""
    assert inferred_issuer("行政法规", "未成年人网络保护条例", "全国") == "国务院"
    assert inferred_issuer("地方性法规", "上海市精神卫生条例", "上海") == "上海市人民代表大会常务委员会"
    assert inferred_issuer("规范性文件", "某通知", "上海") == ""
    assert doc_number_in(["2014年2月21日 中华人民共和国国务院令第649号公布"]) == "国务院令第649号"


def test_undated_text_is_labelled_by_its_stated_date_and_issuer_is_inferred():
    md = "# 上海市某某条例\n\n<!-- INFO END -->\n\n第一条 为了某事，制定本条例。\n\n第二条 本条例自2005年3月1日起施行。\n"
    doc = build_document(Path("地方性法规/上海市某某条例.md"), read_markdown(md))
    assert doc.id == "上海市某某条例@2005-03-01" and doc.effective == "2005-03-01"  # no hash in the label
    assert doc.issuer == "上海市人民代表大会常务委员会" and doc.info["发布机构依据"] == "按文件类别推定"
    bare = build_document(Path("x/某某办法.txt"), read_plain("某某办法\n\n第一条 甲。\n\n第二条 乙。\n"))
    assert version_label(bare.version_date) == "未注明日期"


def test_notice_published_plan_is_credited_to_the_issuing_body():
    page = ("某区未成年人保护委员会关于印发《2025年某区未成年人保护工作要点》的通知 ( 2025-03-01 )\n"
            "索取号: 1 发布机构: 某区民政局\n文件编号: 某未保委〔2025〕2 号 公开类别: 主动公开\n各街镇：\n"
            "现将《2025年某区未成年人保护工作要点》印发给你们。\n某区未成年人保护委员会\n2025年2月20日\n"
            "2025年某区未成年人保护工作要点\n一、总体要求\n一是坚持儿童优先。\n")
    doc = build_document(Path("plan.txt"), read_plain(page))
    assert doc.issuer == "某区未成年人保护委员会" and doc.info["发布机构"] == "某区民政局"
    assert doc.doc_number == "某未保委〔2025〕2 号"


def test_resolve_versions_stores_validity_and_repeals():
    old = build_document(Path("规章/某市旧办法.md"), read_markdown(
        "# 某市旧办法\n\n2010年1月1日 某市人民政府令第3号公布\n\n<!-- INFO END -->\n\n第一条 甲。\n\n"
        "第二条 本办法自2010年3月1日起施行。\n"))
    new = build_document(Path("规章/某市新办法.md"), read_markdown(
        "# 某市新办法\n\n2020年1月1日 某市人民政府令第9号公布\n\n<!-- INFO END -->\n\n第一条 乙。\n\n"
        "第二条 本办法自2020年3月1日起施行，《某市旧办法》同时废止。\n"))
    resolve_versions([old, new], today="2021-01-01")
    assert old.repealed_by == new.id and old.validity == REPEALED and new.validity == CURRENT
    assert new.validity_date == "2021-01-01" and new.doc_number == "某市人民政府令第9号"
