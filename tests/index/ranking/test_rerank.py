"""Reranking signals on hand-made hits (coverage, type signals, authority, article grouping, ablation) and the
jurisdiction pool on a small real index."""
import pytest

from index.build import build_index
from index.errors import InputError, QueryError
from index.hit import Filters, Hit
from index.kb import KnowledgeBase
from index.ranking.query import analyze
from index.ranking.ranker import Ranker
from index.ranking.rerank import (PipelineOptions, bigrams, binding_filters, coverage, features, group_by_article,
                                  score_candidates)
from policykb.config import Config


def hit(text, *, title="上海市未成年人保护条例", region="上海", level="地方性法规", article="a1", score=1.0, cid=None):
    return Hit(clause_id=cid or f"{title}#{article}#{text[:4]}", doc_id=title, doc_title=title,
               citation=f"《{title}》{article}", locator=(article,), text=text, article_id=f"{title}#{article}",
               article_text=text, level=level, region=region, issuer="", date=None, status="current", score=score)


def test_bigrams_and_coverage():
    grams = bigrams("网络保护 2024")
    assert {"网络", "络保", "保护", "2024"} <= grams
    assert coverage(grams, "本市未成年人网络保护工作 2024年") == 1.0
    assert coverage(set(), "任何") == 0.0


def test_who_signal_needs_a_unit_with_a_duty():
    a = analyze("哪个部门负责网络保护？")
    grams = bigrams(a.core)
    assert features(a, hit("网信部门负责统筹协调网络保护工作"), 1.0, grams)["who"] == 1.0
    assert features(a, hit("未成年人享有网络保护的权利"), 1.0, grams)["who"] == 0.0
    assert features(analyze("网络保护有什么规定"), hit("网信部门负责统筹"), 1.0, grams)["who"] == 0.0


def test_number_signal():
    a = analyze("几岁以下要用安全座椅？")
    assert features(a, hit("未满四周岁的未成年人应当使用儿童安全座椅"), 1.0, set())["number"] == 1.0
    assert features(a, hit("应当使用儿童安全座椅"), 1.0, set())["number"] == 0.0


def test_binding_filters_narrow_to_the_users_jurisdictions():
    assert binding_filters(None, None, "上海").regions == ("上海", "全国")  # names no region: the user's + national
    assert binding_filters(None, "浙江", "上海").regions == ("浙江", "上海", "全国")
    assert binding_filters(None, "全国", "上海").regions == ("全国", "上海")
    kept = binding_filters(Filters(levels=("法律",)), None, "上海")
    assert kept.levels == ("法律",) and kept.regions == ("上海", "全国")
    chosen = Filters(regions=("山东",))  # the caller's own region choice stands
    assert binding_filters(chosen, None, "上海") is chosen


BULLYING = "第{n}条 学校发现学生欺凌行为的，应当立即制止，通知{who}，并依法处理。"


@pytest.fixture(scope="module")
def region_kb(tmp_path_factory):
    """One rule in three jurisdictions (hand-written): Shanghai, national, and a Shandong city's copy."""
    root = tmp_path_factory.mktemp("regions") / "corpus"
    docs = {
        "地方性法规/上海市校园关爱条例(2024-01-01).md": ("上海市校园关爱条例", "区教育行政部门"),
        "法律/中华人民共和国校园关爱法(2023-01-01).md": ("中华人民共和国校园关爱法", "教育行政部门"),
        "山东地方法规/济南市校园关爱条例(2022-01-01).md": ("济南市校园关爱条例", "学生欺凌防治机构和学生欺凌行为人的父母"),
    }
    for rel, (title, who) in docs.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {title}\n\n{BULLYING.format(n='一', who=who)}\n\n第二条 本条例自公布之日起施行。\n",
                        encoding="utf-8")
    build_index([root], root.parent / "kb", embedder="none")
    kb = KnowledgeBase.open(root.parent / "kb")
    yield kb
    kb.close()


def test_jurisdiction_keeps_other_provinces_out_of_the_candidates(region_kb):
    assert region_kb.places.get("济南") == "山东" and region_kb.places.get("上海") == "上海"
    query = "学生欺凌行为人的父母会被通知吗"  # the Shandong copy matches these words best
    shanghai = Ranker(region_kb, "上海", 500)
    unbound = shanghai.search(query, k=10, options=PipelineOptions().without("jurisdiction"))
    assert unbound[0].region == "山东"
    bound = shanghai.search(query, k=10)
    assert bound and {h.region for h in bound} == {"上海", "全国"}
    asked = shanghai.search("济南的学生欺凌行为人的父母会被通知吗", k=10)  # a city names its province
    assert asked[0].region == "山东"


def test_authority():
    a = analyze("医美机构")
    assert features(a, hit("x", level="其他"), 1.0, set())["authority"] == 0.0
    assert features(a, hit("x", level="法律"), 1.0, set())["authority"] == 1.0


def test_group_by_article_keeps_first():
    h1, h2, h3 = hit("甲", article="a1", cid="1"), hit("乙", article="a1", cid="2"), hit("丙", article="a2", cid="3")
    assert [h.clause_id for h in group_by_article([h1, h2, h3])] == ["1", "3"]


def test_coverage_reorders_and_ablation_restores_base_order():
    a = analyze("孩子被同学欺凌学校怎么处理")
    weak = hit("学校应当建立图书馆", score=1.0, article="a1")
    strong = hit("学校对学生欺凌行为应当立即制止并处理", score=0.9, article="a2")
    best = score_candidates(a, [weak, strong], PipelineOptions(strip=True))
    assert best[0][2] is strong
    plain = score_candidates(a, [weak, strong], PipelineOptions().without("rerank"))
    assert plain[0][2] is weak


def test_without_unknown_name():
    with pytest.raises(ValueError, match="unknown pipeline improvement"):
        PipelineOptions().without("magic")


def test_users_region_comes_from_the_config(region_kb):
    """POLICYKB_REGION reaches the pipeline through Ranker.from_config; a bad name is refused, naming it."""
    shandong = Ranker.from_config(region_kb, Config(region="山东"))
    assert {h.region for h in shandong.search("学校发现学生欺凌行为应当怎么办", k=10)} == {"山东", "全国"}
    with pytest.raises(InputError, match="'Shanghai'") as err:
        Ranker.from_config(region_kb, Config(region="Shanghai"))
    assert err.value.param == "region" and err.value.code == "invalid_parameter"


def test_query_length_is_checked_on_what_the_user_typed(region_kb):
    """A question at the limit is searched even though the synonym terms make the searched text longer; one
    over it is refused in Chinese."""
    ranker = Ranker(region_kb, "上海", 30)
    question = ("孩子" * 15)[:30]  # 孩子 -> 未成年人 | 儿童 is appended to the searched text
    ranker.search(question, k=3)
    with pytest.raises(QueryError, match="问题过长：31 个字，最多 30 个字"):
        ranker.search(question + "吗", k=3)
