"""The house citation style: one place that turns a clause's position into the text a reply cites.

Laws (条/款/项/目), in the official style of 国家法律法规数据库: 《标题》第四十一条第二款第四项第一目 — numbers in
Chinese numerals, no brackets, 款 named only when the article has more than one.
Work plans and other documents numbered 一、/（一）/1./一是 (house style, see README "Citations"):
一、 -> 第X部分, （一） -> 第X项, 1. and （1） -> 第X点, 一是 -> 第X项 (第X点 under a （一）), so 二、一是 reads
《2024年上海市未成年人保护工作要点》第二部分第一项. Unnumbered paragraphs are 第N段 of what encloses them; a sentence
is cited as the paragraph it belongs to. The covering notice's parts: 《通知》正文 / 落款 / 附注.
"""
from __future__ import annotations

from typing import Sequence

from ingest.numerals import int_to_cn

# levels of the generic markers (ingest/segment.py): 1 一、  2 （一）  3 1.  4 （1）  5 一是
PLAN_UNITS = {1: "部分", 2: "项", 3: "点", 4: "点", 5: "项"}
NOTICE_PARTS = {"preamble": "正文", "signature": "落款", "note": "附注"}


def book_title(title: str) -> str:
    """《title》 with any 《》 inside turned into 〈〉, as nested book-title marks are printed."""
    inner = title.strip()
    if inner.startswith("《") and inner.endswith("》") and inner.count("《") == 1:
        inner = inner[1:-1]
    return f"《{inner.replace('《', '〈').replace('》', '〉')}》"


def law_citation(doc_cite: str, article: str, kuan: int = 0, item: int = 0, mu: int = 0,
                 many_kuan: bool = False) -> str:
    """《…》第X条[第Y款][第Z项][第N目]; the 款 is named only when the article has several (`many_kuan`)."""
    out = doc_cite + article
    if many_kuan:
        out += f"第{int_to_cn(max(kuan, 1))}款"
    if item:
        out += f"第{int_to_cn(item)}项"
    if mu:
        out += f"第{int_to_cn(mu)}目"
    return out


def plan_citation(doc_cite: str, context: str, markers: Sequence[tuple[int, int]], paragraph: int = 0) -> str:
    """《…》[context]第二部分第一项[第N段]: `markers` are the enclosing (level, number) pairs, outermost first;
    `paragraph` the number of an unnumbered paragraph under them (0: none)."""
    out = doc_cite + context
    prev = 0
    for level, n in markers:
        unit = "点" if level == 5 and prev == 2 else PLAN_UNITS[level]
        out += f"第{int_to_cn(n) if n > 0 else n}{unit}"  # a "0." marker is cited as written
        prev = level
    if paragraph:
        out += f"第{int_to_cn(paragraph)}段"
    return out


def notice_citation(notice_cite: str, role: str) -> str:
    """The covering notice's preamble, signature or note: 《…的通知》正文 / 落款 / 附注."""
    return notice_cite + NOTICE_PARTS.get(role, "")
