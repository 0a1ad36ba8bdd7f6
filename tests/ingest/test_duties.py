"""Duty extraction: the sentence shapes the documents use, unit lists, roles, verbatim spans, normalisation."""
import pytest

from ingest.duties import CONTACT, HOLDER, PARTNER, extract_duties, free_unit, load_units, normalize_unit, unit_key


def units(text, role=None):
    return [(d.unit, d.role) for d in extract_duties(text) if role is None or d.role == role]


def test_holder_with_fuze_keeps_duty_verbatim():
    text = "第四十九条 网信部门负责统筹协调本市未成年人网络保护和相关监督管理工作。"
    [d] = extract_duties(text)
    assert (d.unit, d.unit_text, d.role) == ("网信部门", "网信", HOLDER)
    assert d.duty == "负责统筹协调本市未成年人网络保护和相关监督管理工作。"
    assert text[d.start:d.end] == d.unit_text and text[d.duty_start:d.duty_end] == d.duty


def test_unit_list_sharing_one_suffix_with_you():
    text = "具体范围由烟草专卖、市场监管、民政和体育等主管部门确定。"
    assert units(text) == [("烟草专卖部门", HOLDER), ("市场监管部门", HOLDER), ("民政部门", HOLDER), ("体育部门", HOLDER)]
    assert all(d.duty == text for d in extract_duties(text))


def test_huitong_partner_and_national_level():
    text = "国务院教育部门应当将网络素养教育纳入学校素质教育内容，并会同国家网信部门制定未成年人网络素养测评指标。"
    ds = extract_duties(text)
    assert [(d.unit, d.level, d.role) for d in ds] == [("教育部门", "国家", HOLDER), ("网信部门", "国家", PARTNER)]
    assert ds[1].duty == "制定未成年人网络素养测评指标。"


def test_report_target_is_contact_not_holder():
    text = "对严重的欺凌行为，学校不得隐瞒，应当及时向公安、教育部门报告，并配合相关部门依法处理。"
    assert units(text) == [("学校", HOLDER), ("公安机关", CONTACT), ("教育部门", CONTACT)]


def test_each_responsibility_and_mass_organisations():
    text = ("共产主义青年团、妇女联合会、工会以及其他人民团体、有关社会组织，按照各自职责，"
            "协助各级人民政府及其有关部门、人民检察院、人民法院做好未成年人保护工作。")
    assert units(text, HOLDER) == [("共青团", HOLDER), ("妇女联合会", HOLDER), ("工会", HOLDER)]
    assert [u for u, _ in units(text, PARTNER)] == ["人民政府", "人民检察院", "人民法院"]


def test_generic_departments_and_objects_are_not_units():
    assert extract_duties("县级以上人民政府有关部门应当做好相关工作。") == []
    assert extract_duties("国务院教育部门应当将网络素养教育纳入学校素质教育内容。")[0].unit == "教育部门"
    assert [d.unit for d in extract_duties("国务院教育部门应当将网络素养教育纳入学校素质教育内容。")] == ["教育部门"]


def test_city_level_alias_and_government_prefix():
    assert [(d.unit, d.level) for d in extract_duties("市民政局会同市教委开展工作。")] == [("民政部门", "市"), ("教育部门", "市")]
    [d] = extract_duties("县级以上人民政府民政部门负责本行政区域内的社会救助管理工作。")
    assert (d.unit, d.level) == ("民政部门", "县级以上")


@pytest.mark.parametrize("name,canonical", [
    ("网信办", "网信部门"), ("网络安全和信息化部门", "网信部门"), ("国家网信部门", "网信部门"),
    ("市民政局", "民政部门"), ("公安", "公安机关"), ("公安部门", "公安机关"), ("教育行政部门", "教育部门"),
    ("妇联", "妇女联合会"), ("团市委", "共青团"), ("不存在的单位", None),
])
def test_normalize_unit(name, canonical):
    assert normalize_unit(name) == canonical


def test_malformed_dictionary_names_file_and_line(tmp_path):
    bad = tmp_path / "units.txt"
    bad.write_text("网信部门\t政府部门\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"units.txt:1"):
        load_units(str(bad))


def test_list_items_missing_from_the_dictionary_become_units():
    got = [(d.unit, d.unit_text) for d in extract_duties("教育部门应当加强与公安、应急管理、气象等相关部门的应急联动。")]
    assert got == [("教育部门", "教育"), ("公安机关", "公安"), ("应急管理部门", "应急管理"), ("气象部门", "气象")]
    assert [d.unit for d in extract_duties("市公安、国家安全机关应当依法处理。")] == ["公安机关", "国家安全机关"]


def test_no_unit_in_plain_text():
    assert extract_duties("国家鼓励创作有利于未成年人健康成长的图书。任何组织或者个人不得开拆。") == []
    with pytest.raises(TypeError):
        extract_duties(None)


def test_long_unit_list_without_suffix_is_linear_not_exponential():
    # A 20-name list that never reaches 部门/机关 once made the mention regex try every split of the list
    # (one such clause in the laws corpus took three minutes); it must stay well under a second.
    import time

    names = ["文化旅游", "农业农村", "发展改革", "财政", "自然资源", "生态环境", "住房城乡建设", "交通运输", "水利",
             "商务", "卫生健康", "应急管理", "市场监管", "体育", "统计", "林业", "公安", "教育", "民政", "气象"]
    text = "其他有关单位" + "、".join(names) + "按照各自职能，做好乡村旅游促进工作。"
    extract_duties("公安机关负责调查。")  # compile the dictionary's regex outside the timed part
    started = time.perf_counter()
    extract_duties(text)
    assert time.perf_counter() - started < 1.0
    listed = "、".join(names) + "等部门应当按照各自职责做好相关工作。"
    assert len({d.unit for d in extract_duties(listed)}) == len(names)


# --- alias rules: one unit, one name (issue 13) ---------------------------------------------------------------


@pytest.mark.parametrize("a, b", [("房屋管理部门", "房屋部门"), ("教育行政部门", "教育部门"), ("文化和旅游部门", "文化旅游部门"),
                                  ("气象主管部门", "气象部门")])
def test_unit_key_joins_names_of_one_unit(a, b):
    assert unit_key(a) == unit_key(b)


def test_unit_key_keeps_distinct_units_apart():
    keys = [unit_key(u.name) for u in load_units()]
    assert len(keys) == len(set(keys)), "two dictionary units share an alias key"
    assert unit_key("公安机关") != unit_key("人民检察院")


def test_functional_names_merge_by_the_rules():
    # the dictionary and the tail rule agree: both spellings give one canonical unit
    both = {d.unit for t in ("民政、房屋管理等部门按照各自职责负责救助工作。", "民政、房屋等部门应当作出决定。")
            for d in extract_duties(t)}
    assert both == {"民政部门", "房屋管理部门"}
    # a name the dictionary lacks still merges its spellings
    assert free_unit("气象主管").name == free_unit("气象").name == "气象部门"


def test_words_naming_no_unit_are_dropped():
    units = [d.unit for d in extract_duties("由文化、广播电视、电影、新闻出版或者其他有关部门责令改正。")]
    assert "其他部门" not in units and units == ["文化旅游部门", "广播电视部门", "电影部门", "新闻出版部门"]
    assert free_unit("其他") is None and free_unit("有关") is None
