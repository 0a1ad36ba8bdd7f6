"""The clause tree: 编/章/节 headings, 条 articles with 款/项/目, and 一、/（一）/1./（1）/一是 paragraphs.

One pass over the blocks of a document. Leaves partition the body (the invariant of ingest/model.py); articles
and marked work-plan paragraphs are the citation units (`Clause.article_id`). Ids are `<doc_id>#<parts>`, parts
joined by '.': `第四十九条.第一款`, `第四十九条.第一款.2` (sentence 2), `三.三是`, `第一编.第二章` (headings).
Only a line *starting* with 第X条 can open an article, and only when it is numbered in sequence or followed by a
separator — "依照本法第五十八条" inside a sentence is a cross-reference, never a heading.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.blocks import Block, join_blocks
from ingest.citation import book_title, law_citation, notice_citation, plan_citation
from ingest.model import Clause
from ingest.numerals import NUMERAL_CHARS, cn_to_int, int_to_cn
from ingest.sentences import split_long

N = NUMERAL_CHARS
CN = "一二三四五六七八九十百零〇两兩"
HEADING_RE = re.compile(rf"^第([{N}]+)(编|編|分编|分編|章|节|節)(?=[\s\u3000]|$)")
ARTICLE_RE = re.compile(rf"^第([{N}]+)[条條](?:之([{N}]+))?")  # traditional 條 too
ITEM_RE = re.compile(rf"^[（(]([{CN}]+)[）)]")  # （一） 项
SUBITEM_RE = re.compile(r"^(?:(\d{1,3})[.．、](?!\d)|([\u2488-\u249b])|[（(](\d{1,3})[）)]|([\u2474-\u2487])|([\u2460-\u2473]))")
SECTION_RE = re.compile(rf"^([{CN}]+)、(?![{CN}]{{1,2}}[级类等档星批期线])")  # 一、 but not 一、二级
ITEM_REFERENCE_RE = re.compile(r"^(?:[至、和或及到]\s*[（(]|项)")
POINT_RE = re.compile(rf"^([{CN}]{{1,3}})是(?![是否])")  # 一是 / 二是 paragraphs of work plans
REF_RE = re.compile(r"《([^《》\n]{2,80})》")
SEPARATORS = " \t\u3000:：、"
NOT_AFTER_ARTICLE = "规規的所中至和或及第款项項条條之、，,。"
HEADING_RANK = {"编": 1, "編": 1, "分编": 2, "分編": 2, "章": 3, "节": 4, "節": 4}
ROLE_PART = {"preamble": "通知", "signature": "落款", "title": "标题", "note": "附注"}
ROLE_KIND = {"preamble": "preamble", "signature": "signature", "title": "heading", "note": "text"}


@dataclass
class _Marker:
    """An open generic marker (一、 / （一） / 1. / （1） / 一是) and what it became."""

    level: int
    part: str  # id part: 三 / （一） / 第1目 / （1） / 三是
    display: str  # as cited: 三、 / （一） / 1. / （1） / 三是
    heading_text: str | None  # full text when the marker line is a heading, else None
    clause_id: str


@dataclass
class _Article:
    clause: Clause
    label: str
    kuan: int = 0
    item: int = 0
    members: list[Clause] = field(default_factory=list)
    parts: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # clause id -> (款, 项, 目)


def _sanitize(text: str, limit: int = 24) -> str:
    """A readable id part: no white space, '/', '#', '?', '.', '%'."""
    return re.sub(r"[\s/#?.%]+", "_", text.strip())[:limit] or "_"


def _squash(text: str) -> str:
    """A line without its spaces (ASCII and ideographic), for matching a table of contents against the headings."""
    return text.replace(" ", "").replace("\u3000", "")


def _is_heading_like(text: str) -> bool:
    return len(text) <= 40 and not re.search(r"[。；;！!？?]", text) and not re.search(r"[：:，,、]$", text)


def _bare_heading(block: Block, following: list[Block]) -> bool:
    """A short unpunctuated line right before an article line: a chapter title printed without 第X章."""
    text = block.text
    return (not block.depth and not block.role and len(text) <= 20 and bool(following)
            and not re.search(r"[，。；：、,.;:！？!?（）()“”\"'《》\d]", text) and _marker(text) is None
            and not ARTICLE_RE.match(text)
            and bool(ARTICLE_RE.match(following[0].text)))


def find_refs(text: str) -> tuple[str, ...]:
    """Titles cited as 《…》 in `text`, in order, without repeats."""
    return tuple(dict.fromkeys(REF_RE.findall(text)))


def _marker_number(level: int, part: str) -> int:
    """The number a marker's id part stands for: 三 -> 3, （一） -> 1, 第1目 -> 1, （1） -> 1, 三是 -> 3."""
    digits = re.sub(r"\D", "", part)
    if digits:
        return int(digits)
    return cn_to_int(part.strip("（）()是"))


def _marker(text: str) -> tuple[int, str, str] | None:
    """(level, id part, display) of a generic paragraph marker at the start of `text`."""
    if m := SECTION_RE.match(text):
        return 1, m.group(1), m.group(0)
    if m := ITEM_RE.match(text):
        return 2, f"（{m.group(1)}）", f"（{m.group(1)}）"
    if m := SUBITEM_RE.match(text):
        if m.group(1) or m.group(2):
            n = int(m.group(1)) if m.group(1) else ord(m.group(2)) - 0x2487
            return 3, f"第{n}目", f"{n}."
        if m.group(3) or m.group(4):
            n = int(m.group(3)) if m.group(3) else ord(m.group(4)) - 0x2473
            return 4, f"（{n}）", f"（{n}）"
        n = ord(m.group(5)) - 0x245F
        return 4, f"（{n}）", f"（{n}）"
    if (m := POINT_RE.match(text)) and len(text) > len(m.group(0)):
        return 5, m.group(0), m.group(0)
    return None


class Segmenter:
    """Builds the clauses of one document from its blocks; use `segment()` rather than this directly."""

    def __init__(self, doc_id: str, title: str, notice: str = "") -> None:
        self.doc_id = doc_id
        self.cite = book_title(title)
        self.notice_cite = book_title(notice) if notice else self.cite
        self.clauses: list[Clause] = []
        self.used: set[str] = set()
        self.next_suffix: dict[str, int] = {}  # base id -> last ~k tried, so repeats cost O(1) each
        self.body = ""
        self.headings: list[tuple[int, str, str]] = []  # (rank, id part, full text) of 编/章/节 and markup headings
        self.markers: list[_Marker] = []
        self.article: _Article | None = None
        self.last_article: tuple[int, int] = (0, 0)
        self.text_counts: dict[str, int] = {}
        self.n_articles = 0
        self.n_structured = 0
        self.last_role: Clause | None = None

    # -- helpers ---------------------------------------------------------------------------------------------
    def _id(self, parts: list[str]) -> str:
        base = f"{self.doc_id}#{'.'.join(parts)}"
        k = self.next_suffix.get(base, 1)
        cid = base if k == 1 else f"{base}~{k}"
        while cid in self.used:
            k += 1
            cid = f"{base}~{k}"
        self.next_suffix[base] = k
        self.used.add(cid)
        return cid

    def _cite_context(self) -> tuple[str, list[tuple[int, int]]]:
        """What a citation names above a paragraph: unnumbered headings (序言, 基本案情…) as text, and the
        (level, number) of numbered headings (一、 marked up as a heading) and open markers; 第X章 is not named."""
        text, marks = "", []
        for _, _, heading in self.headings:
            if HEADING_RE.match(heading):
                continue
            mk = _marker(heading)
            if mk:
                marks.append((mk[0], _marker_number(mk[0], mk[1])))
            else:
                text += re.sub(r"\s+", "", heading)
        return text, marks + [(m.level, _marker_number(m.level, m.part)) for m in self.markers]

    def _heading_texts(self) -> tuple[str, ...]:
        return tuple(h[2] for h in self.headings) + tuple(m.heading_text for m in self.markers if m.heading_text)

    def _add(self, **kw) -> Clause:
        start, end = kw["start"], kw["end"]
        text = self.body[start:end]
        clause = Clause(doc_id=self.doc_id, text=text, refs=find_refs(text), **kw)
        self.clauses.append(clause)
        return clause

    def _paragraph(self, parts: list[str], locator: tuple[str, ...], citation: str, kind: str, start: int, end: int,
                   parent_id: str | None, article_id: str | None, own_article: bool = False) -> Clause:
        """A paragraph-like clause: a leaf, or a container of sentence leaves when it is long."""
        cid = self._id(parts)
        art = cid if own_article else article_id
        spans = split_long(self.body[start:end])
        para = self._add(id=cid, locator=locator, citation=citation, kind=kind, start=start, end=end,
                         leaf=spans is None, parent_id=parent_id, article_id=art, headings=self._heading_texts())
        for k, (s, e) in enumerate(spans or (), 1):
            self._add(id=f"{cid}.{k}", locator=locator + (str(k),), citation=citation, kind="sentence",
                      start=start + s, end=start + e, leaf=True, parent_id=cid, article_id=art,
                      headings=para.headings)
            self.used.add(f"{cid}.{k}")
        return para

    # -- headings ---------------------------------------------------------------------------------------------
    def _structural_heading(self, block: Block) -> tuple[int, str] | None:
        text = block.text
        m = HEADING_RE.match(text)
        if m and _is_heading_like(text):
            return HEADING_RANK[m.group(2)], f"第{m.group(1)}{m.group(2)}"
        if block.depth:
            mk = _marker(text)
            part = mk[1] if mk and mk[0] != 5 else _sanitize(text)
            return min(max(block.depth, 2), 4) + 1, part
        return None

    def _heading(self, rank: int, part: str, start: int, end: int) -> None:
        self._close_article()
        self.markers.clear()
        while self.headings and self.headings[-1][0] >= rank:
            self.headings.pop()
        parents = self._heading_texts()
        self.headings.append((rank, part, self.body[start:end]))
        parts = [h[1] for h in self.headings]
        numbered = "".join(p for p in parts if HEADING_RE.match(p + " "))
        if part.startswith("第") and numbered:
            citation = self.cite + numbered
        elif _marker(self.body[start:end]):
            citation = plan_citation(self.cite, *self._cite_context())
        else:
            citation = self.cite + self.body[start:end]
        self._add(id=self._id(parts), locator=tuple(h[2] for h in self.headings), citation=citation,
                  kind="heading", start=start, end=end, leaf=True, parent_id=None, article_id=None, headings=parents)
        self.n_structured += 1

    # -- articles ---------------------------------------------------------------------------------------------
    def _article_start(self, text: str) -> tuple[int, int, str] | None:
        m = ARTICLE_RE.match(text)
        if not m:
            return None
        try:
            n = cn_to_int(m.group(1))
            sub = cn_to_int(m.group(2)) if m.group(2) else 0
        except ValueError:
            return None
        rest = text[m.end():]
        key = (n, sub)
        separated = rest == "" or rest[0] in SEPARATORS
        last_n, last_sub = self.last_article
        if separated:
            ok = key > self.last_article or n == 1 or self.n_articles == 0
        else:
            ok = (key == (last_n + 1, 0) or key == (last_n, last_sub + 1)) and rest[0] not in NOT_AFTER_ARTICLE
        return (n, sub, m.group(0)) if ok else None

    def _open_article(self, n: int, sub: int, label: str, start: int, end: int) -> None:
        self._close_article()
        self.markers.clear()
        self.last_article = (n, sub)
        self.n_articles += 1
        self.n_structured += 1
        head = tuple(h[2] for h in self.headings)
        clause = self._add(id=self._id([label]), locator=head + (label,), citation=self.cite + label, kind="article",
                           start=start, end=end, leaf=False, parent_id=None, article_id=None,
                           headings=self._heading_texts())
        clause.article_id = clause.id
        self.article = _Article(clause=clause, label=label)
        self._article_part(start, end, "kuan")

    def _article_part(self, start: int, end: int, what: str, sub: int = 0) -> None:
        art = self.article
        assert art is not None
        if what == "kuan":
            art.kuan += 1
            art.item = 0
            parts, kind, key = [art.label, f"第{int_to_cn(art.kuan)}款"], "paragraph", (art.kuan, 0, 0)
        elif what == "item":
            art.item = sub
            parts = [art.label, f"第{int_to_cn(max(art.kuan, 1))}款", f"第{int_to_cn(sub)}项"]
            kind, key = "item", (art.kuan, sub, 0)
        else:
            parts = [art.label, f"第{int_to_cn(max(art.kuan, 1))}款"]
            if art.item:
                parts.append(f"第{int_to_cn(art.item)}项")
            parts.append(f"第{sub}目")
            kind, key = "item", (art.kuan, art.item, sub)
        before = len(self.clauses)
        head = tuple(h[2] for h in self.headings)
        self._paragraph(parts, head + tuple(parts), "", kind, start, end, art.clause.id, art.clause.id)
        for c in self.clauses[before:]:
            art.members.append(c)
            art.parts[c.id] = key
        art.clause.end = end

    def _close_article(self) -> None:
        art = self.article
        if art is None:
            return
        art.clause.text = self.body[art.clause.start:art.clause.end]
        art.clause.refs = find_refs(art.clause.text)
        for c in art.members:
            kuan, item, mu = art.parts[c.id]
            c.citation = law_citation(self.cite, art.label, kuan, item, mu, many_kuan=art.kuan > 1)
        self.article = None

    def _in_article(self, text: str, start: int, end: int) -> None:
        m = ITEM_RE.match(text) or SECTION_RE.match(text)  # older laws number their items 一、二、
        if m and not ITEM_REFERENCE_RE.match(text[m.end():]):
            n = cn_to_int(m.group(1))
            assert self.article is not None
            if n in (1, self.article.item + 1):  # （一）至（三）项所列… after （五） is a paragraph, not an item
                self._article_part(start, end, "item", n)
                return
        mk = _marker(text)
        if mk and mk[0] in (3, 4):
            self._article_part(start, end, "mu", int(re.sub(r"\D", "", mk[1])))
        else:
            self._article_part(start, end, "kuan")

    # -- generic paragraphs -------------------------------------------------------------------------------------
    def _generic(self, text: str, start: int, end: int) -> None:
        mk = _marker(text)
        if mk and self.headings and (top := _marker(self.headings[-1][2])) and top[0] == mk[0]:
            self.headings.pop()  # '二、…' as a plain line after '一、…' marked up as a heading: siblings
        head_parts = [h[1] for h in self.headings]
        head = tuple(h[2] for h in self.headings)
        if mk is None:
            enclosing = next((m for m in reversed(self.markers) if m.heading_text is None), None)
            prefix = head_parts + [m.part for m in self.markers]
            key = ".".join(prefix)
            self.text_counts[key] = self.text_counts.get(key, 0) + 1
            n = self.text_counts[key]
            citation = plan_citation(self.cite, *self._cite_context(), paragraph=0 if enclosing else n)
            self._paragraph(prefix + [f"段{n}"], head + tuple(m.display for m in self.markers) + (f"段{n}",), citation,
                       "text", start, end, self.markers[-1].clause_id if self.markers else None,
                       enclosing.clause_id if enclosing else None, own_article=enclosing is None)
            return
        level, part, display = mk
        while self.markers and self.markers[-1].level >= level:
            self.markers.pop()
        parent = self.markers[-1].clause_id if self.markers else None
        parts = head_parts + [m.part for m in self.markers] + [part]
        locator = head + tuple(m.display for m in self.markers) + (display,)
        context, marks = self._cite_context()
        citation = plan_citation(self.cite, context, marks + [(level, _marker_number(level, part))])
        self.n_structured += 1
        if level != 5 and _is_heading_like(text):
            parents = self._heading_texts()
            clause = self._add(id=self._id(parts), locator=locator, citation=citation, kind="heading", start=start,
                               end=end, leaf=True, parent_id=parent, article_id=None, headings=parents)
            self.markers.append(_Marker(level, part, display, text, clause.id))
            return
        para = self._paragraph(parts, locator, citation, "paragraph", start, end, parent, None, own_article=True)
        self.markers.append(_Marker(level, part, display, None, para.id))

    def _role(self, role: str, start: int, end: int) -> None:
        self._close_article()
        prev = self.last_role
        if prev is not None and prev.kind == ROLE_KIND[role] and self.clauses and self.clauses[-1] is prev \
                and role != "title":
            prev.end = end
            prev.text = self.body[prev.start:end]
            prev.refs = find_refs(prev.text)
            return
        part = ROLE_PART[role]
        cite = notice_citation(self.notice_cite, role) if role in ("preamble", "signature", "note") else self.cite
        clause = self._add(id=self._id([part]), locator=(part,), citation=cite, kind=ROLE_KIND[role], start=start,
                           end=end, leaf=True, parent_id=None, article_id=None, headings=())
        clause.article_id = clause.id if role == "preamble" else None
        self.last_role = clause

    def _toc(self, blocks: list[Block]) -> set[int]:
        """Indices of a table of contents: a run of >= 2 headings before the first article, repeated later."""
        first_article = next((i for i, b in enumerate(blocks) if ARTICLE_RE.match(b.text)), len(blocks))
        heads = [i for i in range(first_article) if self._structural_heading(blocks[i]) is not None
                 or blocks[i].text in ("目录", "目 录")]
        run: list[int] = []
        texts: set[str] = set()
        for i in heads:
            key = _squash(blocks[i].text)
            if run and (i != run[-1] + 1 or key in texts):
                break
            run.append(i)
            texts.add(key)
        if len(run) < 2:
            return set()
        later = {_squash(b.text) for b in blocks[run[-1] + 1:]}
        repeated = [i for i in run if _squash(blocks[i].text) in later]
        return set(run) if len(repeated) >= len(run) // 2 + 1 else set()

    # -- driver -------------------------------------------------------------------------------------------------
    def run(self, blocks: list[Block]) -> tuple[str, list[Clause], tuple[str, ...]]:
        self.body, spans = join_blocks(blocks)
        toc = self._toc(blocks)
        for i, (block, (start, end)) in enumerate(zip(blocks, spans)):
            text = block.text
            if block.role:
                self._role(block.role, start, end)
                continue
            if i in toc:
                part = (self._structural_heading(block) or (0, _sanitize(text)))[1]
                self._add(id=self._id(["目录", part]), locator=("目录", text), citation=self.cite + "目录",
                          kind="heading", start=start, end=end, leaf=True, parent_id=None, article_id=None)
                continue
            if (h := self._structural_heading(block)) is None and _bare_heading(block, blocks[i + 1:i + 2]):
                h = (3, _sanitize(text))  # a chapter title printed without its 第X章 number
            if h is not None:
                self._heading(h[0], h[1], start, end)
            elif (a := self._article_start(text)) is not None:
                self._open_article(a[0], a[1], a[2], start, end)
            elif self.article is not None:
                self._in_article(text, start, end)
            else:
                self._generic(text, start, end)
        self._close_article()
        notes: tuple[str, ...] = ()
        if blocks and self.n_structured == 0:
            notes = ("no structure recognised (no 章/条 or 一、/（一）/一是 markers): ingested as plain paragraphs",)
        return self.body, self.clauses, notes


def segment(doc_id: str, title: str, blocks: list[Block], notice: str = "") -> tuple[str, list[Clause], tuple[str, ...]]:
    """Body text, clauses and notes for one document's blocks (see the module docstring for the scheme)."""
    return Segmenter(doc_id, title, notice).run(blocks)
