"""Readers for government web pages (HTML), Word files (DOCX) and PDFs, each giving a loaders.RawDoc."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ingest.errors import IngestError
from ingest.loaders import RawDoc, from_lines
from ingest.textio import clean_text, decode_bytes

# Elements that are page furniture on government sites, by tag or by id/class fragment.
FURNITURE_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "button",
                  "select", "template", "svg")
FURNITURE_HINT = re.compile(r"nav|menu|footer|header|breadcrumb|crumb|share|sidebar|toolbar|banner|"
                            r"bottom|copyright|search|related|xgwj|print|font-?size|qrcode|ewm|weixin", re.I)
INFO_HINT = re.compile(r"索取号|文件编号|发文字号")
BLOCK_TAGS = ("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table", "section", "article",
              "td", "dt", "dd", "blockquote", "pre")
TITLE_SUFFIX = re.compile(r"\s*[-_|—–]\s*[^-_|—–]{2,30}(网|政府|门户|官网|平台|局|委员会)[^-_|—–]*$")


def _lines_of(text: str) -> list[str]:
    return [ln.strip(" \t\u3000") for ln in clean_text(text).split("\n") if ln.strip(" \t\u3000")]


def _holds_content(tag) -> bool:
    """A 'header'-ish element that carries the page's title or info block (class="article-header") stays."""
    if tag.name in ("script", "style", "noscript", "template", "svg", "iframe"):
        return False
    return tag.find("h1") is not None or bool(INFO_HINT.search(tag.get_text(" ", strip=True)[:2000]))


def read_html(path: Path) -> RawDoc:
    """A saved government page: title (h1, else <title> without the site name), info block, text without furniture."""
    from bs4 import BeautifulSoup

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"unreadable: {exc.strerror or exc}") from None
    head = data[:2048].lower()
    if b"charset=" in head:
        soup = BeautifulSoup(data, "lxml")  # the page declares its charset: let lxml honour it
    else:
        soup = BeautifulSoup(decode_bytes(data, path), "lxml")
    for tag in soup(FURNITURE_TAGS):
        if not _holds_content(tag):
            tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.attrs is None:
            continue
        hint = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
        if hint.strip() and FURNITURE_HINT.search(hint) and tag.name not in ("html", "body") \
                and not _holds_content(tag):
            tag.decompose()
    h1 = soup.find("h1")
    title = h1.get_text(" ", strip=True) if h1 else ""
    if not title and soup.title:
        title = TITLE_SUFFIX.sub("", soup.title.get_text(" ", strip=True))
    if h1:
        h1.decompose()
    if soup.title:
        soup.title.decompose()
    body = soup.body or soup
    depths: dict[str, int] = {}
    for h in body.find_all(re.compile(r"^h[2-6]$")):
        depths[h.get_text(" ", strip=True)] = int(h.name[1])
    for tr in body.find_all("tr"):  # an info table row ('索取号：' | 'X' | '发布机构：' | 'Y') reads as one line
        cells = [c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])]
        tr.replace_with("\n" + " ".join(c for c in cells if c) + "\n")
    for br in body.find_all("br"):
        br.replace_with("\n")
    for tag in body.find_all(BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = _lines_of(body.get_text())
    if not lines and not title:
        raise IngestError(path, "HTML page without any text")
    raw = from_lines(lines, "html", title=title, depths=[depths.get(ln, 0) for ln in lines])
    return raw


def read_docx(path: Path) -> RawDoc:
    """A Word file: paragraphs and table rows in order; 'Heading N' / '标题 N' styles give heading depths."""
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for a damaged or non-Word file
        raise IngestError(path, f"not a readable .docx file ({type(exc).__name__}: {exc})") from None
    lines: list[str] = []
    depths: list[int] = []
    title = (document.core_properties.title or "").strip()
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            para = docx.text.paragraph.Paragraph(child, document)
            text = clean_text(para.text).strip(" \t\u3000\n")
            if not text:
                continue
            style = (para.style.name if para.style is not None else "") or ""
            if style in ("Title", "标题") and not title:
                title = text
                continue
            m = re.match(r"^(?:Heading|标题)\s*(\d)$", style)
            for ln in _lines_of(text):
                lines.append(ln)
                depths.append(int(m.group(1)) + 1 if m else 0)
        elif child.tag == qn("w:tbl"):
            table = docx.table.Table(child, document)
            for row in table.rows:
                cells = [clean_text(c.text).strip() for c in row.cells]
                row_text = " ".join(dict.fromkeys(c for c in cells if c))
                if row_text:
                    lines.append(row_text.replace("\n", " "))
                    depths.append(0)
    if not lines:
        raise IngestError(path, "empty .docx: no paragraph text")
    return from_lines(lines, "docx", title=title, depths=depths)


PAGE_NUMBER = re.compile(r"^(?:[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d{1,4})$")
PARAGRAPH_END = re.compile(r"[。；：:！？!?”」』）)]$")
LINE_STARTS_UNIT = re.compile(r"^(第[一二三四五六七八九十百零〇\d]+(?:[编章节]|条(?:之[一二三四五六七八九十]+)?)[\s\u3000]|"
                              r"[一二三四五六七八九十]+[、是]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、]|[⒈-⒛])")


def read_pdf(path: Path) -> RawDoc:
    """A PDF with a text layer: lines re-joined into paragraphs (a line continues unless the previous one ended
    a sentence or the next starts an article/item); page numbers dropped. No text layer -> IngestError."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                raise IngestError(path, "encrypted PDF: cannot read its text") from None
        pages = [page.extract_text() or "" for page in reader.pages]
    except PdfReadError as exc:
        raise IngestError(path, f"not a readable PDF ({exc})") from None
    if not reader.pages:
        raise IngestError(path, "PDF without pages")
    if not "".join(pages).strip():
        raise IngestError(path, f"PDF has no text layer ({len(reader.pages)} page(s) of images?): "
                                "run OCR first, nothing was ingested")
    page_lines = [_lines_of(page) for page in pages]
    # running headers/footers: a first or last line repeated on most pages
    edges = Counter(ln for lines in page_lines if lines for ln in {lines[0], lines[-1]})
    running = {ln for ln, n in edges.items() if len(pages) >= 3 and n > len(pages) / 2}
    paragraphs: list[str] = []
    for lines in page_lines:
        for line in lines:
            if PAGE_NUMBER.match(line) or line in running:
                continue
            if paragraphs and not PARAGRAPH_END.search(paragraphs[-1]) and not LINE_STARTS_UNIT.match(line) \
                    and len(paragraphs) > 1:
                paragraphs[-1] += line
            else:
                paragraphs.append(line)
    title = ((reader.metadata or {}).get("/Title") or "").strip() if reader.metadata else ""
    return from_lines(paragraphs, "pdf", title=title if title and "untitled" not in title.lower() else "")


READERS = {"html": read_html, "docx": read_docx, "pdf": read_pdf}
