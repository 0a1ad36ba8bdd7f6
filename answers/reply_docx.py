"""Export a draft reply as an official-looking .docx (python-docx): title, 文号-style header, body, citation list.

Layout follows the usual 公文 conventions: A4, 方正小标宋/宋体 二号 title, 仿宋 三号 body with a two-character
first-line indent, a 文号 line (left blank for the office to fill), and the cited clauses listed at the end.
"""
from __future__ import annotations

import copy
import io

from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from answers.reply import Reply
from answers.xmltext import xml_safe

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
NUMBER_LINE = "〔    〕    号"
MAX_DRAFT_CHARS = 20000


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(doc, text: str, font: str = BODY_FONT, size: float = 16, align=None, indent: bool = True,
          bold: bool = False):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(p.add_run(xml_safe(text)), font, size, bold)
    return p


class _Writer:
    """Adds formatted paragraphs in constant time each: the first paragraph of each style is made by python-docx,
    later ones are copies of it placed before the section properties (python-docx's own add_paragraph scans the
    body on every call, which made a 10,000-line draft take 20 s)."""

    def __init__(self, doc) -> None:
        self.doc = doc
        self.templates: dict[tuple, object] = {}
        self.sect = doc.element.body.find(qn("w:sectPr"))

    def para(self, text: str, font: str = BODY_FONT, size: float = 16, align=None, indent: bool = True,
             bold: bool = False) -> None:
        key = (font, size, align, indent, bold)
        template = self.templates.get(key)
        if template is None or self.sect is None:
            self.templates[key] = _para(self.doc, text, font, size, align, indent, bold)._p
            return
        element = copy.deepcopy(template)
        element.find(qn("w:r")).find(qn("w:t")).text = xml_safe(text)
        self.sect.addprevious(element)


def reply_docx(reply: Reply, draft: str | None = None) -> bytes:
    """The .docx bytes of `reply`; `draft` replaces the generated body (the user's edited text) when given."""
    body = reply.draft if draft is None else draft
    if not isinstance(body, str):
        raise ValueError("draft: must be a string")
    if len(body) > MAX_DRAFT_CHARS:
        raise ValueError(f"draft: {len(body)} characters, at most {MAX_DRAFT_CHARS} allowed")
    doc = DocxDocument()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    doc.core_properties.title = xml_safe(reply.title)
    doc.core_properties.subject = xml_safe(reply.inquiry[:200])

    w = _Writer(doc)
    w.para(NUMBER_LINE, size=16, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    w.para(reply.title, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    w.para("来信内容：" + reply.inquiry, size=14, indent=True)
    salutation = body.strip().split("\n")[0].strip()
    for line in body.split("\n"):
        line = line.strip()
        if not line:
            continue
        is_heading = line[:2] in ("一、", "二、", "三、", "四、")
        is_salutation = line == salutation
        w.para(line, font=HEADING_FONT if is_heading else BODY_FONT, indent=not is_salutation)
    if reply.citations:
        w.para("引用依据", font=HEADING_FONT, size=16, indent=False)
        for i, c in enumerate(reply.citations, 1):
            w.para(f"{i}. {c.citation}：“{c.text}”", size=12, indent=False)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
