"""Reranking signals on hand-made hits: coverage, type signals, region applicability, article grouping, ablation."""
import pytest

from index.hit import Hit
from index.query import analyze
from index.rerank import (PipelineOptions, bigrams, coverage, features, group_by_article, score_candidates)


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


def test_region_applicability():
    a = analyze("学校能开除学生吗")  # names no region: the user's (上海)
    assert features(a, hit("x", region="上海"), 1.0, set())["region"] == 1.0
    assert features(a, hit("x", region="全国"), 1.0, set())["region"] == 0.5
    assert features(a, hit("x", region="山东"), 1.0, set())["region"] == 0.0
    national = analyze("国家对学校开除学生有什么规定")  # names the nation
    assert features(national, hit("x", region="全国"), 1.0, set())["region"] == 1.0


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
