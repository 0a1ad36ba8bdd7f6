"""The responsibility map written at index time and its queries, over the real index."""
from pathlib import Path

import pytest

from index.build import build_index
from index.responsibilities import DutyRecord, ResponsibilityMap, distinct, grouped, topic_phrases
from ingest.duties import unit_key


@pytest.fixture(scope="module")
def rmap(kb):
    m = ResponsibilityMap.open(kb.folder)
    yield m
    m.close()


def test_online_protection_unit_with_its_clause(kb, rmap):
    duties = rmap.duties_of("网信办")  # alias resolves to 网信部门
    assert duties and all(d.unit == "网信部门" for d in duties)
    sh = [d for d in duties if d.doc_title == "上海市未成年人保护条例" and "第四十九条" in d.citation]
    assert sh and sh[0].duty.startswith("负责统筹协调本市未成年人网络保护")
    for d in duties[:20]:
        text = kb.clause(d.clause_id).text
        assert d.text == text  # read from the clauses table: the duties table stores no text
        assert text[d.duty_start:d.duty_end] == d.duty
        assert text[d.start:d.end] == d.unit_text if not d.via else kb.clause(d.via).text.count(d.unit_text)


def test_unit_counts_add_up(rmap):
    units = rmap.units()
    names = [u["name"] for u in units]
    assert {"公安机关", "民政部门", "教育部门", "网信部门", "学校"} <= set(names)
    for u in units:
        assert sum(u["roles"].values()) == u["duties"] >= u["clauses"] >= 1
        assert rmap.count_of(u["name"]) == u["duties"]
    assert [u["duties"] for u in units] == sorted((u["duties"] for u in units), reverse=True)


def test_topic_to_units(rmap, kb):
    names = [m["name"] for m in rmap.units_for_topic(kb.query_terms("未成年人网络保护"))]
    assert "网信部门" in names[:5], names


def test_clauses_to_units(rmap):
    [d] = [d for d in rmap.duties_of("网信部门") if "第四十九条" in d.citation][:1]
    assert "网信部门" in {r.unit for r in rmap.for_clauses([d.clause_id])}
    assert rmap.for_clauses([]) == [] and rmap.duties_of("不存在的单位") == []


def test_build_writes_the_map(tmp_path):
    src = tmp_path / "corpus" / "示例市条例(2020-01-01).md"
    src.parent.mkdir()
    src.write_text("# 示例市条例\n\n<!-- INFO END -->\n\n第一条 市民政局负责儿童福利工作。\n\n"
                   "第二条 学校发现学生遭受侵害的，应当及时向公安机关报告。\n\n"
                   "第三条 区妇女儿童工作委员会依法履行以下职责：\n\n（一）组织协调儿童保护工作；\n\n"
                   "（二）督促有关部门处理投诉。\n\n"
                   "第四条 有下列情形之一的，民政部门应当进行临时监护：\n\n（一）流浪乞讨的；\n\n（二）监护人下落不明的。\n",
                   encoding="utf-8")
    build_index([src.parent], tmp_path / "kb", embedder="none")
    m = ResponsibilityMap.open(Path(tmp_path / "kb").resolve())
    try:
        assert {(u["name"]) for u in m.units()} == {"民政部门", "学校", "公安机关", "妇女儿童工作委员会"}
        d = m.duties_of("民政部门")[0]
        assert (d.level, d.role, d.unit_text) == ("市", "负责", "民政局")
        # the items of a list of duties belong to the lead-in's unit; a list of conditions does not
        lead, *items = m.duties_of("妇女儿童工作委员会")
        assert lead.duty == "依法履行以下职责：" and not lead.via
        assert [i.duty for i in items] == ["（一）组织协调儿童保护工作；", "（二）督促有关部门处理投诉。"]
        assert all(i.via == lead.clause_id and i.start == -1 for i in items)
        assert [d.duty for d in m.duties_of("民政部门")][1:] == ["应当进行临时监护："]
    finally:
        m.close()


def test_the_duties_table_keeps_its_columns_and_every_reader_gives_whole_records(kb, rmap):
    """The stored columns are the table's, in order (an index built before records carried `text` stays readable:
    no schema change), and the knowledge base reads duties through the one row-to-record function (items a tuple,
    not the stored JSON, and the clause's text)."""
    import sqlite3
    from dataclasses import fields

    from index.responsibilities import COLUMNS

    db = sqlite3.connect(Path(kb.folder) / "kb.sqlite")
    try:
        stored = [r[1] for r in db.execute("PRAGMA table_info(duties)")]
    finally:
        db.close()
    assert stored == ["id", *COLUMNS]
    assert {f.name for f in fields(DutyRecord)} == {*COLUMNS, "text"}
    [lead] = [r for r in rmap.duties_of("民政部门", limit=2000)
              if r.citation == "《中华人民共和国未成年人保护法》第九十二条"]
    [same] = [r for r in kb.duties([lead.clause_id])[lead.clause_id] if (r.unit, r.duty_start) == (lead.unit, lead.duty_start)]
    assert same == lead and isinstance(same.items, tuple) and len(same.items) == 7
    assert same.text == kb.clause(lead.clause_id).text


def test_missing_table_is_a_clear_error(tmp_path):
    import sqlite3

    db = tmp_path / "kb.sqlite"
    sqlite3.connect(db).close()
    with pytest.raises(LookupError, match="no duties table"):
        ResponsibilityMap(db)


# --- issue 13: no near-duplicate units, a unit page grouped without repeats, duties with their lists ----------


def test_no_two_units_are_near_duplicates(rmap):
    names = [u["name"] for u in rmap.units()]
    keys = [unit_key(n) for n in names]
    assert len(keys) == len(set(keys)), sorted(n for n in names if keys.count(unit_key(n)) > 1)
    assert "房屋管理部门" in names and "房屋部门" not in names and "其他部门" not in names


def test_unit_page_groups_by_role_and_document_without_repeats(rmap):
    groups = grouped(rmap.duties_of("民政部门", limit=2000))
    assert [g.role for g in groups] == ["负责", "协同", "受理"]
    for g in groups:
        seen = set()
        for d in g.documents:
            assert {r.doc_id for r in d.duties} == {d.doc_id}
            for r in d.duties:
                assert (r.clause_id, r.duty_start) not in seen
                seen.add((r.clause_id, r.duty_start))
    holder = [r for d in groups[0].documents for r in d.duties]
    # 第八十三条第二款 names 民政部门 twice in one sentence: one duty, the whole sentence
    art83 = [r for r in holder if r.citation.endswith("第八十三条第二款")]
    assert len(art83) == 1 and art83[0].duty.startswith("市、区人民政府及其民政部门应当设立")
    assert sum(g.count for g in groups) < rmap.count_of("民政部门")


def test_duty_brings_the_list_it_introduces(rmap):
    [lead] = [r for r in rmap.duties_of("民政部门", limit=2000)
              if r.citation == "《中华人民共和国未成年人保护法》第九十二条"]
    assert lead.duty == "应当依法对未成年人进行临时监护："
    assert len(lead.items) == 7 and lead.items[0].startswith("（一）未成年人流浪乞讨") and lead.items[-1] == "（七）法律规定的其他情形。"


def test_distinct_keeps_the_longer_overlapping_reading_and_hides_items_under_their_lead():
    def rec(duty, start, end, clause="d#第一条", via="", items=()):
        return DutyRecord(clause_id=clause, doc_id="d", citation="《示例》第一条", text="区政府及其民政部门应当设立机构。",
                          unit="民政部门", unit_text="民政", level="", category="政府部门", role="负责", duty=duty,
                          article_id=clause, doc_title="示例", status="current", start=0, end=2, duty_start=start,
                          duty_end=end, via=via, items=tuple(items))

    short, long_ = rec("应当设立机构。", 10, 17), rec("区政府及其民政部门应当设立机构。", 0, 17)
    other = rec("应当定期会商。", 18, 25)
    assert distinct([short, long_, other]) == [long_, other]
    lead = rec("依法履行以下职责：", 0, 9, items=["（一）甲；"])
    item = rec("（一）甲；", 0, 5, clause="d#第一条.第一项", via="d#第一条")
    assert distinct([lead, item]) == [lead]


def test_topic_is_matched_as_a_phrase_before_its_parts(rmap, kb):
    topic = "临时监护"
    assert topic_phrases(topic) == [topic]
    names = [m["name"] for m in rmap.units_for_topic(kb.query_terms(topic), phrases=topic_phrases(topic))]
    assert names and names[0] == "民政部门", names
    assert not {"学校", "幼儿园", "医疗机构"} & set(names), names
    # the parts alone do pull them in: the phrase is what keeps them out
    parts = [m["name"] for m in rmap.units_for_topic(kb.query_terms(topic))]
    assert {"学校", "幼儿园", "医疗机构"} <= set(parts)
    # a topic no duty holds as a phrase falls back to its parts
    assert rmap.units_for_topic(kb.query_terms("网络 保护"), phrases=topic_phrases("网络 保护"))
