"""Query understanding: types, scaffolding, regions and synonym mapping on typical staff/public wordings."""
import pytest

from index.ranking.query import analyze, query_region, question_type, strip_scaffolding


@pytest.mark.parametrize("query, qtype", [
    ("哪个部门负责未成年人网络保护？", "who"),
    ("哪一级人民政府对学前教育负主体责任", "who"),
    ("困境儿童由谁定期走访？", "who"),
    ("几岁以下坐车要用安全座椅？", "number"),
    ("今年要培训多少名社工", "number"),
    ("哪部法规要求设置未成年人模式？", "which_doc"),
    ("这条规定出自哪部法律", "which_doc"),
    ("孤独症关爱服务，哪些文件有要求？", "cross"),
    ("未成年人能进网吧吗", "what"),
])
def test_question_type(query, qtype):
    assert question_type(query) == qtype


def test_scaffolding_stripped_content_kept():
    assert strip_scaffolding("请问哪个部门负责未成年人网络保护？") == "负责未成年人网络保护"
    assert strip_scaffolding("心家园是干啥的？") == "心家园"


def test_particles_only_at_clause_end():
    # 网吧 keeps its 吧; the final 吗 goes
    assert strip_scaffolding("未成年人能进网吧吗") == "未成年人能进网吧"


def test_number_words_become_units():
    assert "周岁" in strip_scaffolding("孩子满几岁可以单独在家？")


def test_never_empty():
    assert strip_scaffolding("吗？") != ""


def test_scaffolding_is_not_cut_out_of_words():
    assert "申请教育救助" in strip_scaffolding("孩子读高中申请教育救助，由哪个部门审核？")  # not 请教
    assert strip_scaffolding("请问哪个部门负责网络保护？") == "负责网络保护"


def test_region():
    assert query_region("本市有哪些规定") == "上海"
    assert query_region("国家的残疾儿童康复救助") == "全国"
    assert query_region("学校能开除学生吗") is None
    assert query_region("浙江省对网吧有什么规定") == "浙江"  # a province by name
    assert query_region("杭州的网吧能让孩子进吗") is None  # a city is known only from the corpus's place names
    assert query_region("杭州的网吧能让孩子进吗", {"杭州": "浙江"}) == "浙江"
    assert query_region("上海和杭州有什么不同", {"杭州": "浙江"}) == "上海"  # the user's own region comes first


def test_synonyms_expand_longest_first():
    syn = {"网瘾": ["沉迷网络"], "戒网瘾": ["沉迷网络", "干预"], "网吧": ["互联网上网服务营业场所"]}
    a = analyze("孩子戒网瘾找谁？", syn)
    assert a.colloquial == ("戒网瘾",)
    assert a.expansions == ("沉迷网络", "干预")
    assert a.qtype == "who"


def test_empty_query_rejected():
    with pytest.raises(ValueError, match="empty"):
        analyze("  ")
