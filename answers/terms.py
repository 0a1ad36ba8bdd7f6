"""The words of a question and how much of them a clause holds ("support"): shared by the answer card, the reply
draft and the 依据 page, so all three judge a clause's relevance the same way."""
from __future__ import annotations

import re
from functools import lru_cache

from index.hit import Hit
from index.ranking.query import analyze


# Words that shape a question but say nothing about the answer (kept out of the support measure).
_STOP = frozenset(
    "的 了 是 在 和 与 及 或 等 有 要 能 会 可以 应当 应该 需要 什么 怎么 如何 哪 哪些 哪个 哪里 谁 我 我们 你 他 她 "
    "孩子 小孩 娃 家长 一下 现在 今年 这个 那个 没有 不 吗 呢 吧 啊 管 负责 部门 单位 机构 规定 要求 多少 几 "
    "以下 以上 必须 能否 不能 可不可以 是否 直接 一般 相关 有关 情况 问题".split()
)


_SENTENCE_END = re.compile(r"(?<=[。；;！!？?])")


@lru_cache(maxsize=1)
def _default_tokenizer():
    """The repository's tokenizer (domain dictionary + synonyms) — the process-wide one the index and KB use,
    so answering never builds a second jieba."""
    from index.tokens import shared_tokenizer

    return shared_tokenizer()


def _words(text: str, tokenizer=None) -> list[str]:
    """Words of a text, segmented as the search index segments them."""
    return (tokenizer or _default_tokenizer()).words(text)


def _subwords(text: str, tokenizer=None) -> list[str]:
    """Words and their dictionary sub-words (网络沉迷 -> 网络, 沉迷), as the search index splits them."""
    return (tokenizer or _default_tokenizer()).tokens(text)


def content_terms(query: str, tokenizer=None) -> tuple[str, ...]:
    """The question's content words: scaffolding stripped, tokenised, function words and single characters dropped."""
    core = analyze(query).core
    terms: list[str] = []
    for tok in _words(core, tokenizer):
        tok = tok.strip()
        if len(tok) < 2 or tok in _STOP or tok in terms:
            continue
        if not any("\u4e00" <= ch <= "\u9fff" or ch.isalnum() for ch in tok):
            continue
        terms.append(tok)
    if not terms:  # a question of single characters: fall back to its CJK bigrams
        cjk = re.sub(r"[^\u4e00-\u9fff]", "", core)
        terms = list(dict.fromkeys(cjk[i : i + 2] for i in range(len(cjk) - 1)))
    return tuple(terms)


def alternatives(terms: tuple[str, ...], tokenizer=None) -> dict[str, tuple[tuple[str, ...], ...]]:
    """For each colloquial term, the official terms it stands for, each as the words that must all occur
    (网瘾 -> 网络沉迷 -> (网络, 沉迷), so 沉迷网络 in a clause supports 网瘾)."""
    synonyms = (tokenizer or _default_tokenizer()).synonyms
    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for t in terms:
        alts = []
        for official in synonyms.get(t, ()):
            alts.append((official,))
            parts = tuple(w for w in _subwords(official, tokenizer) if len(w) > 1 and w != official)
            if parts:
                alts.append(parts)
        if alts:
            out[t] = tuple(alts)
    return out


def support(terms: tuple[str, ...], text: str, alts: dict | None = None) -> float:
    """Share of the terms (weighted by length) found in text; a colloquial term counts when one of its official
    terms occurs; a term counts half when only its first/last two characters occur (教育部门 ~ 教育)."""
    if not terms:
        return 0.0
    total = got = 0.0
    for t in terms:
        w = float(len(t))
        total += w
        if t in text or any(all(word in text for word in words) for words in (alts or {}).get(t, ())):
            got += w
        elif len(t) > 2 and (t[:2] in text or t[-2:] in text):
            got += w / 2
    return got / total


def sentences_of(text: str) -> list[str]:
    """Split a clause into sentences (。；！？), keeping each a verbatim span."""
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text or "")) if s]


def clause_support(terms: tuple[str, ...], hit: Hit, alts: dict | None = None) -> float:
    """How well a hit's clause covers the question: its own text, or (slightly discounted) its whole article,
    each read with its document title (a question may name the document: 校外实践教育促进规定从哪天施行)."""
    own = support(terms, f"{hit.doc_title} {hit.text}", alts)
    return max(own, 0.9 * support(terms, f"{hit.doc_title} {hit.article_text or ''}", alts))


def supports(query: str, hits: list[Hit], tokenizer=None) -> list[float]:
    """The support of each hit's clause for the question (see clause_support), e.g. to rank documents."""
    terms = content_terms(query, tokenizer)
    alts = alternatives(terms, tokenizer)
    return [clause_support(terms, h, alts) for h in hits]
