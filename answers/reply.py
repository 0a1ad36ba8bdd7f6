"""Draft replies to public inquiries (政策咨询留言), composed only of quotations and fixed connectives.

From the clauses retrieved for an inquiry: a salutation, each rule quoted verbatim with its citation, the units
those clauses make responsible (or direct people to), the contact channels the corpus names (e.g. 12345 热线),
and a closing. When no clause clears the threshold, the draft says so and names the units the nearest clauses
mention. Candidates are returned with ids so a UI can include or drop each and re-render.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Mapping

from answers.card import CONFIDENCE_THRESHOLD
from answers.terms import content_terms, sentences_of, support
from index.errors import InputError, NotFoundError
from index.hit import Filters
from index.records import CitedClause, cited
from index.ranking.ranker import Ranker
from ingest.duties import CONTACT, HOLDER, PARTNER
from ingest.model import NATIONAL

MAX_INQUIRY_CHARS = 1000  # longer inquiries are rejected (the search itself uses the first max_query_chars)
CANDIDATES = 8  # clauses offered as checkboxes
MAX_SELECTED = 4  # clauses quoted by default
MAX_PER_DOCUMENT = 2  # ... at most this many from one document, so the law, the regulation and the local rules all speak
MAX_UNITS = 8
NEAR_DUPLICATE = 0.9  # quotes this similar are one rule stated twice
CHANNEL_QUERY = "未成年人保护热线 投诉 举报 热线电话"
_CHANNEL = re.compile(r"热线|服务电话|举报电话")
_PHONE = re.compile(r"[0-9０-９]{5,}")
_ARTICLE_PREFIX = re.compile(r"^\s*第[一二三四五六七八九十百零〇]+条\s*")

# Fixed wording of the draft (the only text that is not a quotation).
SALUTATION = "您好！"
OPENING = "感谢您的来信。经查阅相关法律法规和政策文件，现就您反映的问题答复如下："
RULES_LEAD = "一、相关规定"
UNITS_LEAD = "二、相关职责单位"
CHANNELS_LEAD = "三、反映渠道"
HOLDERS_LEAD = "依照上述规定负有相应职责的单位："
CONTACTS_LEAD = "上述规定指明的报告、受理单位："
NO_BASIS = "经检索现行法律法规和政策文件，暂未找到能够直接回答您所反映问题的明确规定。"
NONE_CHOSEN = "（未选择引用条款）"
CONSULT_LEAD = "建议您向以下单位咨询（依据相近规定列出，供参考）："
CLOSING = "感谢您对未成年人保护工作的关心和支持。"
SIGNATURE = "（答复单位）\n（日期）"


class ReplyInputError(InputError):
    """The inquiry or the requested clause ids are unusable (HTTP 400)."""


class UnknownClauseError(NotFoundError):
    """A requested clause id is not in the index (HTTP 404)."""


@dataclass
class Candidate(CitedClause):
    """A clause the draft may quote (`text`: the clause verbatim, its leading 第X条 dropped since the citation names
    it); `selected` says whether it is quoted now."""

    doc_title: str
    score: float
    support: float
    selected: bool = False
    region: str = ""  # 上海 / 全国 …: local rules are quoted before national ones of equal relevance


@dataclass
class ReplyUnit(CitedClause):
    """A unit named by a quoted clause, with the duty phrase and the clause it comes from (`text`: that clause as
    the draft quotes it)."""

    name: str
    unit_text: str
    role: str  # 负责 / 协同 / 受理
    duty: str


@dataclass
class Reply:
    """A draft reply: its text, what it quotes, the units it names, and the candidates it chose from."""

    inquiry: str
    found: bool
    title: str
    draft: str
    citations: list[CitedClause] = field(default_factory=list)  # the quoted clauses, then the channels' sentences
    units: list[ReplyUnit] = field(default_factory=list)
    channels: list[CitedClause] = field(default_factory=list)  # text: the sentence naming the hotline
    candidates: list[Candidate] = field(default_factory=list)
    threshold: float = CONFIDENCE_THRESHOLD

    def to_dict(self) -> dict:
        d = asdict(self)
        d["unit_names"] = list(dict.fromkeys(u.name for u in self.units))
        return d


def check_inquiry(inquiry) -> str:
    """The inquiry stripped, or ReplyInputError naming what is wrong."""
    if not isinstance(inquiry, str):
        raise ReplyInputError("留言内容必须是文字", "inquiry")
    text = inquiry.strip()
    if not text:
        raise ReplyInputError("请填写留言内容", "inquiry")
    if len(text) > MAX_INQUIRY_CHARS:
        raise ReplyInputError(f"留言过长：{len(text)} 个字，最多 {MAX_INQUIRY_CHARS} 个字", "inquiry")
    return text


# Narrative filler of public letters that carries no topic (kept out of the relevance measure).
_FILLER = frozenset("我家 我们 我们家 我能 我想 我要 不管 不理 经常 总是 一直 已经 应该 希望 为什么 但是 可是 因为 所以 "
                    "结果 时候 这样 那样 怎么 一下 老是 没人 没人管 反映 请问 想问 情况 问题 现在".split())


def inquiry_terms(inquiry: str) -> tuple[str, ...]:
    """The inquiry's topic words: the answer card's content terms without the filler of a public letter."""
    return tuple(t for t in content_terms(inquiry) if t not in _FILLER)


def _quote(text: str) -> str:
    return _ARTICLE_PREFIX.sub("", text).strip()


def candidates_for(ranker: Ranker, inquiry: str, k: int = CANDIDATES, mode: str = "best") -> list[Candidate]:
    """The clauses the ranker retrieves for the inquiry (its first max_query_chars characters), best first, with
    their lexical support. `best`: the learned ranking over the texts binding the office (ranker.region + national
    law), as search and the answer card rank."""
    terms = inquiry_terms(inquiry)
    synonyms = ranker.kb.tokenizer.synonyms
    alts = {t: tuple((s,) for s in synonyms.get(t, ())) for t in terms}  # a colloquial term counts via its synonyms
    out, seen = [], set()
    for hit in ranker.search(inquiry[:ranker.max_query_chars], k=k * 2, mode=mode):
        if hit.clause_id in seen:
            continue
        seen.add(hit.clause_id)
        sup = max(support(terms, hit.text, alts), 0.9 * support(terms, hit.article_text or "", alts))
        out.append(Candidate(clause_id=hit.clause_id, doc_id=hit.doc_id, citation=hit.citation,
                             text=_quote(hit.text), doc_title=hit.doc_title, score=float(hit.score), support=sup,
                             region=hit.region))
        if len(out) >= k:
            break
    return out


def _near_duplicate(a: str, b: str) -> bool:
    """The same rule in two documents (a national law and the Shanghai regulation restating it)."""
    from difflib import SequenceMatcher

    return a in b or b in a or SequenceMatcher(None, a, b, autojunk=False).ratio() >= NEAR_DUPLICATE


def default_selection(cands: list[Candidate], threshold: float, region: str) -> list[str]:
    """Ids quoted when the user has not chosen: the supported candidates in the ranking's order (the same ranking
    as search), near-duplicates dropped — the office's own region's copy of a rule replaces the national one it
    restates — at most MAX_PER_DOCUMENT from one document and MAX_SELECTED in all."""
    chosen: list[Candidate] = []
    for c in cands:
        if c.support < threshold:
            continue
        twin = next((i for i, o in enumerate(chosen) if _near_duplicate(c.text, o.text)), None)
        if twin is not None:
            if c.region == region and chosen[twin].region != region:
                chosen[twin] = c
        elif sum(o.doc_title == c.doc_title for o in chosen) < MAX_PER_DOCUMENT:
            chosen.append(c)
    return [c.clause_id for c in chosen[:MAX_SELECTED]]


def _clause_candidate(kb, clause_id: str) -> Candidate:
    clause = kb.clause(clause_id)
    if clause is None:
        raise UnknownClauseError(f"条款 {clause_id!r} 不在知识库中", "clause_ids")
    doc = kb.document(clause.doc_id, clauses=False)
    return Candidate(clause_id=clause.id, doc_id=clause.doc_id, citation=clause.citation, text=_quote(clause.text),
                     doc_title=doc.title if doc else "", score=0.0, support=0.0)


def units_of(quoted: list[Candidate], duties: Mapping[str, list]) -> list[ReplyUnit]:
    """Departments the quoted clauses name (`duties`: clause id -> the duties the build stored, in text order):
    those that must act first, then partners, then report/complaint targets."""
    found: list[tuple[int, int, ReplyUnit]] = []
    seen: set[tuple[str, str]] = set()
    order = {HOLDER: 0, PARTNER: 1, CONTACT: 2}
    for i, c in enumerate(quoted):
        for d in duties.get(c.clause_id, ()):
            if (d.unit, d.role) in seen:
                continue
            seen.add((d.unit, d.role))
            found.append((order[d.role], i, ReplyUnit(clause_id=c.clause_id, doc_id=c.doc_id, citation=c.citation,
                                                      text=c.text, name=d.unit, unit_text=d.unit_text, role=d.role,
                                                      duty=_quote(d.duty))))
    found.sort(key=lambda t: (t[0], t[1]))
    return [u for _, _, u in found][:MAX_UNITS]


def channels_for(ranker: Ranker) -> list[CitedClause]:
    """Sentences naming a hotline with its number (e.g. 12345), each with its clause, from the texts of the office's
    region and national law (never another province's hotline)."""
    out, seen = [], set()
    binding = Filters(regions=(ranker.region, NATIONAL))
    for hit in ranker.search(CHANNEL_QUERY, k=10, filters=binding, mode="hybrid"):
        for s in sentences_of(hit.text):
            s = _quote(s)
            if _CHANNEL.search(s) and _PHONE.search(s) and s not in seen:
                seen.add(s)
                out.append(CitedClause(clause_id=hit.clause_id, doc_id=hit.doc_id, citation=hit.citation, text=s))
    return out[:2]


def _title(inquiry: str) -> str:
    return "关于您反映问题的答复（草稿）"


def compose_reply(ranker: Ranker, inquiry: str, clause_ids: list[str] | None = None,
                  threshold: float = CONFIDENCE_THRESHOLD, k: int = CANDIDATES, mode: str = "best") -> Reply:
    """Draft a reply to `inquiry` from the clauses `ranker` finds (in `mode`); `clause_ids` overrides which
    candidates are quoted."""
    inquiry = check_inquiry(inquiry)
    if clause_ids is not None:
        if not isinstance(clause_ids, list) or not all(isinstance(x, str) and x for x in clause_ids):
            raise ReplyInputError("clause_ids 必须是条款编号（字符串）的列表", "clause_ids")
        if len(clause_ids) > 2 * CANDIDATES:
            raise ReplyInputError(f"clause_ids 最多 {2 * CANDIDATES} 个", "clause_ids")
    cands = candidates_for(ranker, inquiry, k, mode)
    by_id = {c.clause_id: c for c in cands}
    chosen = (default_selection(cands, threshold, ranker.region) if clause_ids is None
              else list(dict.fromkeys(clause_ids)))
    quoted = []
    for cid in chosen:
        if cid not in by_id:
            extra = _clause_candidate(ranker.kb, cid)
            cands.append(extra)
            by_id[cid] = extra
        by_id[cid].selected = True
        quoted.append(by_id[cid])
    channels = channels_for(ranker)
    found = bool(quoted)
    none_chosen = clause_ids is not None and not clause_ids  # the user dropped every clause: no claim of absence
    named = quoted if found else [] if none_chosen else cands[:3]
    units = units_of(named, ranker.kb.duties([c.clause_id for c in named]))
    lines = [SALUTATION, OPENING]
    citations = []
    if found:
        lines.append(RULES_LEAD)
        for n, c in enumerate(quoted, 1):
            lines.append(f"{n}. {c.citation}规定：“{c.text}”")
            citations.append(cited(c))
        if units:
            lines.append(UNITS_LEAD)
            for lead, roles in ((HOLDERS_LEAD, (HOLDER, PARTNER)), (CONTACTS_LEAD, (CONTACT,))):
                named = [u for u in units if u.role in roles]
                if named:
                    lines.append(lead + "、".join(dict.fromkeys(u.name for u in named)) + "。")
    elif none_chosen:
        lines.append(NONE_CHOSEN)
    else:
        lines.append(NO_BASIS)
        if units:
            lines.append(CONSULT_LEAD)
            named: set[str] = set()
            for u in units:
                if u.name in named:
                    continue
                named.add(u.name)
                lines.append(f"{u.name}（见{u.citation}）")
                if not any(x.clause_id == u.clause_id for x in citations):
                    citations.append(cited(by_id[u.clause_id]))
    if channels:
        lines.append(CHANNELS_LEAD if found else "您也可以通过以下渠道反映：")
        for ch in channels:
            lines.append(f"{ch.citation}规定：“{ch.text}”")
            if ch not in citations:  # the same clause and sentence
                citations.append(cited(ch))
    lines += [CLOSING, SIGNATURE]
    return Reply(inquiry=inquiry, found=found, title=_title(inquiry), draft="\n".join(lines), citations=citations,
                 units=units, channels=channels, candidates=cands, threshold=threshold)


def plain_text(reply: Reply) -> str:
    """The draft as plain text: title, body, and the list of cited clauses."""
    out = [reply.title, "", reply.draft, "", "引用依据："]
    out += [f"{i}. {c.citation}（{c.clause_id}）" for i, c in enumerate(reply.citations, 1)]
    return "\n".join(out) + "\n"
