"""Turning a file into a RawDoc (title, metadata lines, body blocks) — one reader per format.

Markdown of the shared law corpus: '# 标题', promulgation lines up to '<!-- INFO END -->', '## 第X章' headings.
Plain text: a notice page (see ingest/notice.py) or a law/policy text whose first short line is the title.
HTML, DOCX and PDF readers live in ingest/richformats.py and produce the same RawDoc.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.blocks import Block
from ingest.metadata import is_promulgation_line
from ingest.notice import NoticeParts, drop_furniture, parse_info, parse_notice
from ingest.segment import ARTICLE_RE, HEADING_RE

MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
COMMENT_RE = re.compile(r"^<!--.*-->$")


@dataclass
class RawDoc:
    """What a reader found, before metadata and structure are worked out."""

    title: str = ""
    blocks: list[Block] = field(default_factory=list)
    promulgation: list[str] = field(default_factory=list)  # dated 通过/修订/施行 lines
    info: dict[str, str] = field(default_factory=dict)  # 索取号, 发布机构, 文件编号 … as found
    notice: NoticeParts | None = None
    fmt: str = ""
    notes: list[str] = field(default_factory=list)  # what the reader wants the user to know (charset, depth …)


def _is_title_line(line: str) -> bool:
    return (len(line) <= 60 and not re.search(r"[。；;！!？?]", line) and not re.search(r"[：:，,、]$", line)
            and not ARTICLE_RE.match(line) and not HEADING_RE.match(line))


def from_lines(lines: list[str], fmt: str, title: str = "", depths: list[int] | None = None) -> RawDoc:
    """A RawDoc from cleaned non-empty lines (`depths[i]` = heading depth of line i): notice page or titled text."""
    depths = depths or [0] * len(lines)
    raw = RawDoc(fmt=fmt, title=title)
    if (notice := parse_notice(lines, title)) is not None:
        raw.notice, raw.title, raw.blocks, raw.info = notice, notice.title, notice.blocks, dict(notice.info)
        heading_depth = {line: d for line, d in zip(lines, depths) if d}
        for block in raw.blocks:
            if not block.role:
                block.depth = heading_depth.get(block.text, 0)
        return raw
    lines, depths = _without_furniture(lines, depths)
    start = 0
    if not raw.title and lines and _is_title_line(lines[0]):
        raw.title, start = lines[0], 1
    while start < len(lines) and start < 12:
        line = lines[start]
        if _same_title(line, raw.title) and start <= 1:
            pass  # the page repeats its title above the text
        elif is_promulgation_line(line) and not ARTICLE_RE.match(line) and not HEADING_RE.match(line):
            raw.promulgation.append(line)
        elif (info := parse_info(line)):
            raw.info.update(info)
        else:
            break
        start += 1
    raw.blocks = [Block(line, depth=d) for line, d in zip(lines[start:], depths[start:])]
    return raw


def _same_title(line: str, title: str) -> bool:
    return bool(title) and re.sub(r"\s", "", line) == re.sub(r"\s", "", title)


def _without_furniture(lines: list[str], depths: list[int]) -> tuple[list[str], list[int]]:
    kept = drop_furniture(lines)
    out_lines, out_depths, j = [], [], 0
    for line, d in zip(lines, depths):
        if j < len(kept) and line == kept[j]:
            out_lines.append(line)
            out_depths.append(d)
            j += 1
    return out_lines, out_depths


def read_markdown(text: str) -> RawDoc:
    """The shared law Markdown: title, promulgation lines before '<!-- INFO END -->', body with heading depths."""
    lines = [ln.strip(" \t\u3000") for ln in text.split("\n")]
    raw = RawDoc(fmt="md")
    has_info_end = any(ln.startswith("<!-- INFO END") for ln in lines)
    in_info = has_info_end
    for line in lines:
        if not line:
            continue
        if line.startswith("<!-- INFO END"):
            in_info = False
            continue
        if COMMENT_RE.match(line):
            continue  # <!-- FORCE BREAK --> and other markup comments
        m = MD_HEADING_RE.match(line)
        if m and len(m.group(1)) == 1 and not raw.title:
            raw.title = m.group(2)
            continue
        if in_info:
            if (info := parse_info(line)):
                raw.info.update(info)
            else:
                raw.promulgation.append(line)
            continue
        if m:
            if m.group(2):
                raw.blocks.append(Block(m.group(2), depth=len(m.group(1))))
        else:
            raw.blocks.append(Block(line))
    if not has_info_end:
        # no info marker: leading dated lines right after the title are promulgation lines
        while raw.blocks and not raw.blocks[0].depth and is_promulgation_line(raw.blocks[0].text) \
                and not ARTICLE_RE.match(raw.blocks[0].text):
            raw.promulgation.append(raw.blocks.pop(0).text)
    return raw


def read_plain(text: str) -> RawDoc:
    """A .txt file: a notice page or a titled text."""
    lines = [ln.strip(" \t\u3000") for ln in text.split("\n")]
    return from_lines([ln for ln in lines if ln], "txt")


def file_format(path: Path) -> str:
    """'md' | 'txt' | 'html' | 'docx' | 'pdf' from the suffix, or '' when unsupported."""
    return {".md": "md", ".markdown": "md", ".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html",
            ".docx": "docx", ".pdf": "pdf"}.get(path.suffix.lower(), "")
