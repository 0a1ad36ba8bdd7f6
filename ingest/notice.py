"""Government notice pages (saved as text or HTML): header, info block, preamble, signature, furniture.

Shape handled (the 2024 work plan is one):
    上海市未成年人保护委员会关于印发《2024年上海市未成年人保护工作要点》的通知 ( 2024-04-10 )
    索取号: … 发布机构: 上海市民政局 / 文件编号: 沪未保委〔2024〕1 号 公开类别: 主动公开
    <addressee:> <preamble paragraph>   <signing body> <signing date>   (此件主动公开)
    <title of the issued document> <its body>   政策性文件留言咨询 (page furniture, dropped)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.blocks import Block
from ingest.metadata import iso_date, norm_title

INFO_KEYS = ("索取号", "发布机构", "文件编号", "发布日期", "公开类别", "主题分类", "成文日期", "发文字号", "发文机关",
             "实施日期", "有效性", "发布时间", "来源")
INFO_RE = re.compile(rf"({'|'.join(INFO_KEYS)})\s*[:：]\s*")
HEADER_RE = re.compile(r"^(.+?)\s*[(（]\s*(\d{4}-\d{1,2}-\d{1,2})\s*[)）]$")
ISSUED_RE = re.compile(r"关于(?:印发|转发|发布)\s*《(.+?)》")
# Page furniture: from such a line to the end of the page everything is dropped; single lines are dropped alone.
TAIL_FURNITURE = ("政策性文件留言咨询", "相关文件", "相关解读", "扫一扫在手机打开当前页")
LINE_FURNITURE = re.compile(r"^(首页\s*[>›].*|当前位置[:：].*|您当前的位置.*|分享到[:：]?.*|浏览次数[:：].*|字号[:：].*)$")
FURNITURE_TOKENS = re.compile(r"打印本页|关闭窗口|【?打印】?|【?关闭】?|【?字体[:：]\s*大\s*中\s*小】?|返回顶部|【?收藏】?|"
                              r"\[\s*[大中小]\s*\]|[\s|｜/]+")
PUBLIC_NOTE_RE = re.compile(r"^[(（]此件.{0,10}公开[)）]$")
SIGN_BODY_RE = re.compile(r"(委员会|政府|办公厅|办公室|局|厅|部|委|院|会|中心|法院|检察院|小组)$")


@dataclass
class NoticeParts:
    """What a notice page yields: the document title, its metadata and the body blocks with roles."""

    title: str = ""
    notice: str = ""  # the covering notice's title when the page issues another document
    published: str | None = None
    signed: str | None = None
    signer: str = ""  # the signing body (落款): the notice's issuer, whatever site published the page
    info: dict[str, str] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


def drop_furniture(lines: list[str]) -> list[str]:
    """Remove navigation and footer lines, and everything after a tail marker like 政策性文件留言咨询."""
    out: list[str] = []
    for line in lines:
        if line.replace(" ", "") in TAIL_FURNITURE and out:  # exact lines only: never cut a sentence's text
            break
        if LINE_FURNITURE.match(line) or not FURNITURE_TOKENS.sub("", line):
            continue
        out.append(line)
    return out


def parse_info(line: str) -> dict[str, str]:
    """'索取号: X 发布机构: Y' -> {'索取号': 'X', '发布机构': 'Y'} (empty when the line is no info line)."""
    matches = list(INFO_RE.finditer(line))
    if not matches or matches[0].start() > 2:
        return {}
    out = {}
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        out[m.group(1)] = line[m.end():end].strip()
    return out


def _same(a: str, b: str) -> bool:
    return norm_title(a) == norm_title(b)


def _signature_at(lines: list[str], i: int) -> bool:
    """lines[i] is a signing body and lines[i+1] its date."""
    return (i + 1 < len(lines) and len(lines[i]) <= 40 and not re.search(r"[。，,；：:]", lines[i])
            and bool(SIGN_BODY_RE.search(lines[i])) and iso_date(lines[i + 1]) is not None and len(lines[i + 1]) <= 20)


def parse_notice(lines: list[str], title: str = "") -> NoticeParts | None:
    """Split a notice page into metadata and role-tagged blocks, or None when `lines` is not such a page.
    `title` is the page title when the reader already knows it (an HTML <h1>)."""
    lines = drop_furniture(lines)
    parts = NoticeParts(notice=title)
    i = 0
    if lines and _same(lines[0], title):
        i = 1
    elif lines and (m := HEADER_RE.match(lines[0])):
        parts.notice, parts.published = m.group(1).strip(), iso_date(m.group(2))
        i = 1
    # short furniture lines (字号, 分享 …) that survived between the header and the info block are dropped
    j = i
    while j < min(len(lines), i + 4) and not parse_info(lines[j]) and len(lines[j]) <= 40:
        j += 1
    if j < len(lines) and j > i and parse_info(lines[j]):
        i = j
    while i < len(lines) and i < 12 and (info := parse_info(lines[i])):
        parts.info.update(info)
        i += 1
    if not parts.info and not (parts.notice and parts.published):
        return None
    if not parts.notice and lines[i:]:
        parts.notice = lines[i]
        i += 1
    parts.published = parts.published or iso_date(parts.info.get("发布日期", "") or parts.info.get("发布时间", ""))
    rest = lines[i:]
    issued = ISSUED_RE.search(parts.notice)
    title_at = next((k for k, line in enumerate(rest) if issued and _same(line, issued.group(1))), None)
    parts.title = issued.group(1) if issued and title_at is not None else parts.notice
    head_end = title_at if title_at is not None else len(rest)
    k = 0
    while k < len(rest):
        line = rest[k]
        if k < head_end and _signature_at(rest, k):
            parts.signed = parts.signed or iso_date(rest[k + 1])
            parts.signer = parts.signer or line.strip()
            parts.blocks += [Block(line, role="signature"), Block(rest[k + 1], role="signature")]
            k += 2
            continue
        if PUBLIC_NOTE_RE.match(line):
            parts.blocks.append(Block(line, role="note"))
        elif k == title_at:
            parts.blocks.append(Block(line, role="title"))
        elif title_at is not None and k < title_at:
            parts.blocks.append(Block(line, role="preamble"))
        else:
            parts.blocks.append(Block(line))
        k += 1
    if parts.signed:
        parts.info.setdefault("成文日期", parts.signed)
    return parts
