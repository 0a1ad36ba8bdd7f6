"""The jieba tokenizer with the repository's dictionary, stop words and synonym table."""
from __future__ import annotations

import pytest

from ingest.tokenize import SYNONYMS, Tokenizer, read_synonyms


@pytest.fixture(scope="module")
def tk():
    return Tokenizer.default()


def test_domain_words_stay_whole(tk):
    toks = tk.tokens("追光小屋和爱心暑托班由市民政局、团市委、网信部门推进，儿童主任参与强制报告")
    for word in ("追光小屋", "爱心暑托班", "市民政局", "团市委", "网信部门", "儿童主任", "强制报告"):
        assert word in toks, word


def test_stop_words_punctuation_and_case(tk):
    toks = tk.tokens("请问，哪个部门负责ABC的网络保护吗？")
    assert "请问" not in toks and "的" not in toks and "吗" not in toks and "，" not in toks and "？" not in toks
    assert "abc" in toks and "部门" in toks and "负责" in toks


def test_search_mode_adds_sub_words(tk):
    toks = tk.tokens("未成年人保护委员会")
    assert "未成年人保护委员会" in toks or "未成年人" in toks
    assert "委员会" in toks


def test_synonym_expansion_maps_colloquial_to_official(tk):
    expanded = tk.query_weights("孩子去网吧打游戏")
    assert "互联网上网服务营业场所" in expanded or {"上网", "服务", "营业", "场所"} <= set(expanded)
    assert "网络游戏" in expanded or {"网络", "游戏"} <= set(expanded)
    assert set(tk.tokens("孩子去网吧打游戏")) <= set(expanded)
    assert "未成年人保护" in tk.query_tokens("未保工作怎么做") or "未成年人" in tk.query_tokens("未保工作怎么做")


def test_query_weights_count_a_compound_word_once(tk):
    weights = tk.query_weights("孩子不去上学")
    assert weights["上学"] == 1.0 and weights["孩子"] == 1.0
    subs = tk.tokens("未成年人")  # 孩子 -> 未成年人: its search-mode pieces share one word's weight
    assert len(subs) > 1 and all(abs(weights[t] - 1 / len(subs)) < 1e-9 for t in subs)
    assert abs(sum(weights[t] for t in subs) - 1.0) < 1e-9
    assert list(weights) == tk.query_tokens("孩子不去上学")


def test_synonym_table_is_well_formed():
    table = read_synonyms(SYNONYMS)
    assert table["网吧"] == ["互联网上网服务营业场所"]
    assert "网络游戏" in table["打游戏"] and table["未保"] == ["未成年人保护"]


def test_dictionary_hash_follows_the_files(tmp_path, tk):
    userdict = tmp_path / "userdict.txt"
    synonyms = tmp_path / "synonyms.txt"
    stop = tmp_path / "stop.txt"
    userdict.write_text("# comment\n测试词语 n\n", encoding="utf-8")
    synonyms.write_text("小测 = 测试词语\n", encoding="utf-8")
    stop.write_text("的\n", encoding="utf-8")
    a = Tokenizer(userdict, synonyms, stop)
    assert "测试词语" in a.tokens("这是测试词语的例子") and "小测" in a.synonyms
    synonyms.write_text("小测 = 测试词语 | 例子\n", encoding="utf-8")
    b = Tokenizer(userdict, synonyms, stop)
    assert a.dictionary_hash != b.dictionary_hash != tk.dictionary_hash
    assert Tokenizer(userdict, synonyms, stop).dictionary_hash == b.dictionary_hash


def test_malformed_files_name_the_line(tmp_path):
    bad = tmp_path / "syn.txt"
    bad.write_text("网吧 互联网上网服务营业场所\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"syn.txt:1: expected 'COLLOQUIAL = OFFICIAL"):
        read_synonyms(bad)
    ud = tmp_path / "ud.txt"
    ud.write_text("词 abc 12\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"ud.txt:1"):
        Tokenizer(ud, SYNONYMS)
