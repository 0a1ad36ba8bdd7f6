"""The answer card for /ask: from the top hits, the responsible units ("who"), the sentence holding the figure
("number"), or the best clauses; `found=False` when nothing clears the confidence threshold.

Every item carries the clause it was taken from (citation + clause_id): there is never an answer without a clause.
Confidence is lexical support: the share of the question's content words (weighted by length) that the clause
contains — model-independent and explainable. CONFIDENCE_THRESHOLD is calibrated on the dev set (evaluation/).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Mapping

from answers.found import ITEMS, FoundModel, found_features, load_found
from answers.terms import alternatives, clause_support, content_terms, sentences_of, support
from index.hit import Hit
from index.records import CitedClause
from index.ranking.query import analyze
from index.ranking.rerank import LEARNED

CONFIDENCE_THRESHOLD = 0.5  # min support of the best clause for found=True (python -m evaluation.calibrate_none)
SUPPORT_DEPTH = 10  # hits considered for the answer (the results shown under the card)
MAX_UNITS = 12
MAX_SENTENCES = 3
MAX_CLAUSES = 3
MAX_NEAREST = 3

# "Where do I go" questions: the answer is the unit a duty points to (向公安机关报告), not the one that must act.
_CONTACT_QUESTION = re.compile(r"找谁|向谁|找哪|到哪里|去哪里|去哪儿|哪里查|哪儿查|哪里报|哪里举报|哪里投诉")
_CN_NUM = "零〇一二两三四五六七八九十百千万亿半"
_FIGURE = re.compile(
    r"[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日|"
    rf"(?:[0-9０-９]+(?:[.．][0-9０-９]+)?|[{_CN_NUM}]+)\s*"
    r"(周岁|岁|个月|月|日|天|工作日|小时|分钟|学时|课时|年|周|次|名|人|户|个|家|所|间|项|类|元|万元|亿元|%|％|倍|米|公里|平方米|层)"
    r"|百分之[0-9０-９" + _CN_NUM + r"]+"
    r"|每(?:个)?(?:年度|年|学年|学期|季度|月|周|日|天)"  # frequencies: 每年发布一次
)
# Question wording -> the measure words a figure answering it must carry (first match wins).
_EXPECTED_MEASURES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"几周?岁|多大|年龄|多少岁|未满|年满"), ("周岁", "岁")),
    (re.compile(r"多少钱|补贴多少|金额|费用|罚款|罚多少|多少元"), ("元", "万元", "亿元")),
    (re.compile(r"比例|百分|占比|几成"), ("%", "％", "百分之", "成")),
    (re.compile(r"什么时候|何时|哪天|哪一天|截止|起施行|生效"), ("日",)),  # a day, not just a year
    (re.compile(r"几次|多少次"), ("次",)),
    (re.compile(r"几年|多少年"), ("年",)),
    (re.compile(r"几个月|多少个月"), ("个月", "月")),
    (re.compile(r"几天|多少天|几日|多少日"), ("日", "天", "工作日")),
    (re.compile(r"几个?小时|多少小时|多久|多长时间"), ("小时", "分钟", "日", "天", "工作日", "月", "年")),
    (re.compile(r"几名|多少名|多少人|几个人"), ("名", "人")),
    (re.compile(r"学时|课时"), ("学时", "课时")),
)


@dataclass
class AnswerItem(CitedClause):
    """One piece of the answer and the clause it rests on (`text`: the sentence or clause shown, a verbatim span of
    the clause)."""

    doc_title: str
    support: float = 0.0  # share of the question's content words the clause holds
    unit: str | None = None  # who questions: the responsible unit
    duty: str | None = None  # who questions: what the clause makes it responsible for


@dataclass
class Answer:
    """The answer card: the question type, whether an answer was found, and its items with their clauses."""

    query: str
    qtype: str  # who | number | which_doc | cross | what
    found: bool
    confidence: float
    threshold: float
    kind: str  # units | sentences | clauses | none
    units: list[AnswerItem] = field(default_factory=list)
    sentences: list[AnswerItem] = field(default_factory=list)
    clauses: list[AnswerItem] = field(default_factory=list)
    nearest: list[AnswerItem] = field(default_factory=list)  # shown as "nearest clauses" when found is False

    def to_dict(self) -> dict:
        return {
            "type": self.qtype,
            "found": self.found,
            "confidence": round(self.confidence, 4),
            "threshold": self.threshold,
            "answer": {
                "kind": self.kind,
                "units": [asdict(i) for i in self.units],
                "sentences": [asdict(i) for i in self.sentences],
                "clauses": [asdict(i) for i in self.clauses],
                "nearest": [asdict(i) for i in self.nearest],
            },
        }


def expected_measures(query: str) -> tuple[str, ...]:
    """The measure words (岁, 元, 日…) a figure must carry to answer this number question (empty: any figure)."""
    for pattern, measures in _EXPECTED_MEASURES:
        if pattern.search(query):
            return measures
    return ()


def figures(sentence: str) -> list[str]:
    """The figures (number + measure word, percentages, dates) a sentence states."""
    return [m.group(0) for m in _FIGURE.finditer(sentence)]


def _item(hit: Hit, text: str, score: float, **extra) -> AnswerItem:
    return AnswerItem(
        clause_id=hit.clause_id, doc_id=hit.doc_id, citation=hit.citation, text=text, doc_title=hit.doc_title,
        support=round(score, 4), **extra,
    )


def _number_items(query: str, terms: tuple[str, ...], alts: dict, hits: list[Hit]) -> list[AnswerItem]:
    """Sentences stating a figure of the expected unit, best supported first."""
    measures = expected_measures(query)
    found: list[tuple[float, int, AnswerItem]] = []
    for rank, hit in enumerate(hits):
        for s in sentences_of(hit.text):
            figs = figures(s)
            if measures:
                figs = [f for f in figs if any(m in f for m in measures)]
            if not figs:
                continue
            sup = support(terms, s, alts)
            found.append((sup, -rank, _item(hit, s, sup)))
    found.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return [it for _, _, it in found[:MAX_SENTENCES]]


def _unit_items(query: str, terms: tuple[str, ...], alts: dict, hits: list[Hit],
                duties: Mapping[str, list]) -> list[AnswerItem]:
    """Responsible units of the best clauses (the duties the build stored, `duties`: clause id -> records), each
    with its duty and clause. Units that must act (负责) come first within a clause; for "where do I go" questions
    (找谁/向谁/到哪里查) the units a duty points to (向公安机关报告/查询) come first across all clauses."""
    from ingest.duties import CONTACT, HOLDER

    contact_first = bool(_CONTACT_QUESTION.search(query))
    found = []
    for rank, hit in enumerate(hits):
        sup = support(terms, hit.text, alts)
        for duty in duties.get(hit.clause_id, ()):
            preferred = duty.role == (CONTACT if contact_first else HOLDER)
            key = (not preferred, rank, duty.start) if contact_first else (rank, not preferred, duty.start)
            found.append((key, hit, sup, duty))
    items: list[AnswerItem] = []
    seen: set[str] = set()
    for _, hit, sup, duty in sorted(found, key=lambda t: t[0]):
        name = f"{duty.level}{duty.unit}" if duty.level in ("国家",) else duty.unit
        if name in seen:
            continue
        seen.add(name)
        items.append(_item(hit, hit.text, sup, unit=name, duty=duty.duty.strip().rstrip("。；;，,")))
        if len(items) >= MAX_UNITS:
            break
    return items


def extracted(hits: list[Hit]) -> dict[str, list]:
    """Duties extracted from the hits' own texts (for hits that do not come from a built index's duties table)."""
    from ingest.duties import extract_duties

    return {h.clause_id: extract_duties(h.text) for h in hits}


def build_answer(query: str, hits: list[Hit], threshold: float = CONFIDENCE_THRESHOLD, tokenizer=None,
                 decision: FoundModel | None | str = "auto", duties: Mapping[str, list] | None = None) -> Answer:
    """The answer card for `query` from its ranked hits; found=False when the answer is not trusted.

    Hits ranked by the learned ranker are judged by the calibrated decision (answers/found.py; `decision`: "auto"
    loads the fitted one, None forces the support cut); other rankings by the support cut `threshold`.
    `tokenizer` (default: the repository's ingest.tokenize.Tokenizer, as the index uses) gives the domain
    segmentation and the colloquial synonyms; `duties` maps clause ids to their stored duties
    (KnowledgeBase.duties) for "who" questions (default: extracted from the hits' texts)."""
    if decision == "auto":
        decision = load_found() if hits and LEARNED in (hits[0].ranks or {}) else None
    if decision is not None:
        return _calibrated_answer(query, hits, decision, tokenizer, duties)
    qtype = analyze(query).qtype
    terms = content_terms(query, tokenizer)
    alts = alternatives(terms, tokenizer)
    scored = [(clause_support(terms, h, alts), h) for h in hits[:SUPPORT_DEPTH]]  # retrieval order kept
    confidence = max((s for s, _ in scored), default=0.0)
    answer = Answer(query=query, qtype=qtype, found=False, confidence=confidence, threshold=threshold, kind="none")
    by_support = sorted(scored, key=lambda t: -t[0])  # stable: retrieval order among equal support
    nearest = by_support[:MAX_NEAREST]
    answer.nearest = [_item(h, h.text, s) for s, h in nearest]
    supported = [h for s, h in scored if s >= threshold]
    if not supported:
        return answer
    if qtype == "number":
        answer.sentences = _number_items(query, terms, alts, supported)
        if not answer.sentences:  # no figure of the asked kind in any supported clause
            return answer
        answer.kind = "sentences"
    elif qtype == "who" and (units := _unit_items(query, terms, alts, [h for s, h in by_support if s >= threshold],
                                                    duties if duties is not None else extracted(hits))):
        answer.units, answer.kind = units, "units"
    else:
        answer.clauses = [_item(h, h.text, s) for s, h in scored if s >= threshold][:MAX_CLAUSES]
        answer.kind = "clauses"
    answer.found, answer.nearest = True, []
    return answer


def _calibrated_answer(query: str, hits: list[Hit], decision: FoundModel, tokenizer=None,
                       duties: Mapping[str, list] | None = None) -> Answer:
    """The card judged by the calibrated decision: its items come from the best ITEMS clauses of the ranking
    (units for "who", the sentences stating the asked figure for "number" — none of the asked kind: not found —
    else the clauses themselves)."""
    qtype = analyze(query).qtype
    terms = content_terms(query, tokenizer)
    alts = alternatives(terms, tokenizer)
    p = decision.probability(found_features(query, hits, tokenizer)) if hits else 0.0
    answer = Answer(query=query, qtype=qtype, found=False, confidence=p, threshold=decision.threshold, kind="none")
    top = hits[:ITEMS]
    scored = [(clause_support(terms, h, alts), h) for h in top]
    if not hits or p < decision.threshold:
        answer.nearest = [_item(h, h.text, s) for s, h in scored[:MAX_NEAREST]]
        return answer
    if qtype == "number":
        answer.sentences = _number_items(query, terms, alts, top)
        if not answer.sentences:  # no figure of the asked kind (多少钱 -> 元) in the card's clauses: not found
            answer.nearest = [_item(h, h.text, s) for s, h in scored[:MAX_NEAREST]]
            return answer
        answer.kind = "sentences"
    elif qtype == "who" and (units := _unit_items(query, terms, alts, top,
                                                    duties if duties is not None else extracted(top))):
        answer.units, answer.kind = units, "units"
    else:
        answer.clauses, answer.kind = [_item(h, h.text, s) for s, h in scored], "clauses"
    answer.found = True
    return answer
