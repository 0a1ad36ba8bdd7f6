"""The responsibility map written at index time and its queries, over the real index."""
from pathlib import Path

import pytest

from index.build import build_index
from index.responsibilities import ResponsibilityMap


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


def test_missing_table_is_a_clear_error(tmp_path):
    import sqlite3

    db = tmp_path / "kb.sqlite"
    sqlite3.connect(db).close()
    with pytest.raises(LookupError, match="no duties table"):
        ResponsibilityMap(db)
