"""Query understanding: strip question scaffolding, guess the question type, map colloquial words to legal terms.

Staff and the public ask "娃网瘾太重，归哪个部门管？"; the clauses say "卫生健康部门应当指导…沉迷网络…". The words that
only shape the question (请问, 哪个部门, 吗) add noise to BM25 and to the embedding, while the type of question (who /
number / which document) tells the reranker what kind of clause answers it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from index.errors import InputError
from ingest.metadata import PROVINCES
from ingest.model import NATIONAL

QUESTION_TYPES = ("who", "number", "which_doc", "cross", "what")
MINED_FILE = Path(__file__).resolve().parent / "data" / "mined_terms.txt"  # evaluation/mine_terms.py writes it

# Patterns deciding the question type, tried in this order (first match wins).
_TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cross", re.compile(r"哪些(文件|法律|法规|规定|政策)|哪几部|分别(有|作了|怎么)")),
    ("which_doc", re.compile(
        r"哪(部|一部|个|份|项|条)(法律|法规|条例|文件|规定|规章|办法|司法解释|政策|法)|出自|依据是?(什么|哪)|"
        r"什么(法律|法规|文件|规定)(规定|要求|提出)|法律依据|哪里规定")),
    ("who", re.compile(
        r"哪(个|些|一级|级|家)?.{0,4}?(部门|单位|机关|机构|政府|组织)|什么(部门|单位|机关|机构)|由谁|谁(来|负责|管|监管|制定|确定)|"
        r"归(谁|哪)|找谁|向谁|到哪里|去哪里|哪里查|谁")),
    ("number", re.compile(
        r"几(岁|周岁|个|名|次|年|天|月|小时|份|家|类|项|成)|多少|多大|多久|多长|哪天|哪一天|何时|什么时候|几点|"
        r"年龄|比例|上限|下限|最低|最高|至少")),
)

# Question scaffolding removed for the search text; longest forms first so 哪个部门 goes before 哪个.
_SCAFFOLDING = sorted({
    "请问一下", "请问", "想问一下", "想问", "问一下", "我想知道", "想知道", "咨询一下", "请教",
    "哪个部门", "哪些部门", "什么部门", "哪个单位", "哪些单位", "哪个机构", "哪些机构", "哪个机关", "哪些机关",
    "哪一级", "哪级", "归哪个部门管", "归谁管", "由谁来", "由谁", "谁来", "找谁", "向谁", "谁负责",
    "哪部法律", "哪部法规", "哪一部法律", "哪个条例", "哪个法律", "哪个法规", "哪份文件", "哪个文件", "哪些文件",
    "哪项政策", "哪条", "出自", "依据是", "的规定", "规定是", "是哪部", "的是",
    "是什么", "是干啥的", "干啥的", "干什么的", "做什么的", "是啥", "什么意思",
    "怎么办", "怎么处理", "如何处理", "应该怎么", "该怎么", "怎么做", "怎么样", "怎样",
    "有没有", "能不能", "可不可以", "是不是", "会不会", "要不要", "算不算", "行不行", "可以吗", "合法吗",
}, key=lambda s: (-len(s), s))  # longest first; ties in a fixed order (not set order)
# One pass, longest phrase first; 请… is not scaffolding inside 申请 (申请教育救助 keeps its 请教).
_SCAFFOLD_RE = re.compile("|".join(("(?<!申)" if p.startswith("请") else "") + re.escape(p) for p in _SCAFFOLDING))
# Sentence-final particles, removed only where they end a clause (网吧 keeps its 吧).
_PARTICLES = re.compile(r"[吗呢吧啊呀嘛](?=[\s，。？！?!；;]|$)")

# Interrogative number words become the unit a clause would state (几岁 -> 周岁) rather than vanishing.
_NUMBER_WORDS = (
    ("几周岁", "周岁"), ("几岁", "周岁"), ("多大年龄", "周岁"), ("多大", "周岁"), ("多少岁", "周岁"),
    ("几年", "年"), ("几天", "日"), ("几次", "次"), ("几个", "个"), ("几名", "名"), ("多少名", "名"),
    ("多少个", "个"), ("多少", ""), ("多久", ""), ("多长时间", ""), ("哪天", "施行"), ("什么时候", ""),
)

_REGION_NAMES = ("上海", "本市", "沪")
_NATIONAL_WORDS = ("国家", "全国", "国务院", "中央")
_PUNCT = re.compile(r"[\s，。？！?!、；;：:“”\"'‘’（）()《》〈〉【】\[\]…·—-]+")


@dataclass(frozen=True)
class QueryAnalysis:
    """What the query asks and the text to search with."""

    original: str
    core: str  # scaffolding stripped, punctuation folded to spaces
    qtype: str  # one of QUESTION_TYPES
    expansions: tuple[str, ...] = ()  # legal terms for colloquial words found in the query
    region: str | None = None  # "上海" when the query names Shanghai, "全国" when it names the nation, else None
    colloquial: tuple[str, ...] = field(default=())  # the colloquial words that were mapped


def question_type(query: str) -> str:
    """Guess who / which_doc / cross / number / what from the wording of the question."""
    for qtype, pattern in _TYPE_PATTERNS:
        if pattern.search(query):
            return qtype
    return "what"


def strip_scaffolding(query: str) -> str:
    """Remove the words that only shape a question, keep its content words (never returns an empty string)."""
    text = _PARTICLES.sub(" ", query)
    for old, new in _NUMBER_WORDS:
        text = text.replace(old, f" {new} " if new else " ")
    text = _SCAFFOLD_RE.sub(" ", text)
    text = _PUNCT.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text or _PUNCT.sub(" ", query).strip() or query


def check_region(region: str) -> str:
    """The region as given when it is a province-level name (上海, 浙江…) or 全国; else an InputError naming it."""
    if region not in PROVINCES and region != NATIONAL:
        raise InputError(f"地区 {region!r} 无效：请用省级名称（如 上海、浙江）或 {NATIONAL}（POLICYKB_REGION）", "region")
    return region


def query_region(query: str, places: Mapping[str, str] | None = None) -> str | None:
    """The region a query names: 上海 (上海/本市/沪), another province or a place in it (浙江, 杭州 -> 浙江; places
    maps the corpus's place names to regions), 全国 (国家/全国/国务院), or None."""
    if any(name in query for name in _REGION_NAMES):
        return "上海"
    for name in PROVINCES:
        if name in query:
            return name
    for name, region in (places or {}).items():  # KnowledgeBase.places lists the longest names first
        if name in query:
            return region
    if any(word in query for word in _NATIONAL_WORDS):
        return "全国"
    return None


def colloquial_terms(query: str, synonyms: Mapping[str, Iterable[str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The (colloquial words, legal terms) for every synonym-table entry found in the query, longest words first."""
    found, terms = [], []
    covered = ""
    for word in sorted(synonyms, key=lambda w: (-len(w), w)):
        if len(word) < 2 or word not in query or word in covered:
            continue
        found.append(word)
        covered += "|" + word
        for term in synonyms[word]:
            if term and term not in terms and term not in query:
                terms.append(term)
    return tuple(found), tuple(terms)


def analyze(query: str, synonyms: Mapping[str, Iterable[str]] | None = None,
            places: Mapping[str, str] | None = None) -> QueryAnalysis:
    """Analyse one query: its type, region (places: corpus place name -> region), stripped core and legal-term
    expansions."""
    if not query or not query.strip():
        raise ValueError("query: empty query")
    query = query.strip()
    found, terms = colloquial_terms(query, synonyms or {})
    return QueryAnalysis(
        original=query,
        core=strip_scaffolding(query),
        qtype=question_type(query),
        expansions=terms,
        region=query_region(query, places),
        colloquial=found,
    )


def load_mined(path: Path | str = MINED_FILE) -> dict[str, list[str]]:
    """The mined colloquial -> legal terms (synonyms.txt format; evaluation/mine_terms.py); {} when not mined."""
    from ingest.tokenize import read_synonyms

    path = Path(path)
    return read_synonyms(path) if path.is_file() else {}


def merged_synonyms(hand: Mapping[str, Iterable[str]] | None,
                    mined: Mapping[str, Iterable[str]] | None) -> dict[str, list[str]]:
    """The hand synonym table with the mined terms added after the hand ones (hand entries first)."""
    out = {w: list(ts) for w, ts in (hand or {}).items()}
    for w, ts in (mined or {}).items():
        known = out.setdefault(w, [])
        known.extend(t for t in ts if t not in known)
    return out
