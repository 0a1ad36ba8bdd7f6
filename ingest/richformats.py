"""Readers for government web pages (HTML), Word files (DOCX) and PDFs, each giving a loaders.RawDoc."""
from __future__ import annotations

import codecs
import re
import zipfile
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


# -- HTML ------------------------------------------------------------------------------------------------------
# libxml2 stops parsing (and drops the rest of the page) past 256 open elements; a page nested deeper has its markup
# below this level flattened first, in one linear pass, so its text is kept and no step is quadratic in depth.
HTML_DEPTH = 200
_TAG = re.compile(r"<(/?)([a-zA-Z][-\w:]*)[^>]*>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.I)


def _html_text(data: bytes, path: Path) -> tuple[str, list[str]]:
    """The page decoded by its declared charset when that is a known one that fits, else by detection (+ a note)."""
    notes: list[str] = []
    m = _META_CHARSET.search(data[:4096])
    if m and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        declared = m.group(1).decode("ascii", "replace")
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            codec = ""
            notes.append(f"declares an unknown charset {declared!r}: decoded by detecting its encoding instead")
        if codec in ("gb2312", "gbk"):
            codec = "gb18030"  # pages labelled GB2312/GBK routinely hold GB18030 characters
        if codec:
            try:
                return data.decode(codec), notes
            except UnicodeDecodeError:
                notes.append(f"declares charset {declared!r} but its bytes are not {declared}: "
                             "decoded by detecting its encoding instead")
    return decode_bytes(data, path), notes


def _flatten(html: str, bound: int) -> str:
    """`html` with the tags nested deeper than `bound` removed (block tags become line breaks), text kept."""
    out: list[str] = []
    depth = pos = 0
    for m in _TAG.finditer(html):
        name = m.group(2).lower()
        if name in _VOID or m.group(0).endswith("/>"):
            continue
        if m.group(1):
            drop, depth = depth > bound, max(0, depth - 1)
        else:
            depth += 1
            drop = depth > bound
        if drop:
            out.append(html[pos:m.start()])
            out.append("\n" if name in BLOCK_TAGS else "")
            pos = m.end()
    out.append(html[pos:])
    return "".join(out)


def _parse_html(html: str, path: Path):
    """lxml's HTML tree of the page; a page nested deeper than libxml2 allows is flattened and parsed again."""
    import lxml.html
    from lxml import etree

    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)  # an XML declaration with an encoding is refused for str input
    notes: list[str] = []
    for attempt in (0, 1):
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
        try:
            root = lxml.html.document_fromstring(html, parser=parser)
        except (etree.ParserError, ValueError):
            raise IngestError(path, "HTML page without any text") from None
        if not any("Excessive depth" in e.message for e in parser.error_log):
            return root, notes
        if attempt:
            break
        html = _flatten(html, HTML_DEPTH)
        notes.append(f"markup nested deeper than {HTML_DEPTH} levels: flattened below that level (text kept)")
    raise IngestError(path, f"HTML nested too deeply to parse even after flattening below {HTML_DEPTH} levels")


def _text_of(el, limit: int = 0) -> str:
    """Like bs4's get_text(" ", strip=True); with `limit`, stops once that many characters are collected."""
    out: list[str] = []
    n = 0
    for s in el.itertext():
        s = s.strip()
        if s:
            out.append(s)
            n += len(s) + 1
            if limit and n >= limit:
                break
    return " ".join(out)


def _holds_content(el, h1_holders: set) -> bool:
    """A 'header'-ish element that carries the page's title or info block (class="article-header") stays."""
    if el.tag in ("script", "style", "noscript", "template", "svg", "iframe"):
        return False
    return el in h1_holders or bool(INFO_HINT.search(_text_of(el, 2000)[:2000]))


def _drop_furniture(root, is_furniture) -> None:
    """Remove (keeping tail text) every outermost element `is_furniture` picks that holds no content; linear."""
    from lxml import etree

    h1_holders = {a for h1 in root.iter("h1") for a in h1.iterancestors()}
    doomed = []
    walker = etree.iterwalk(root, events=("start",))
    for _, el in walker:
        if is_furniture(el) and not _holds_content(el, h1_holders):
            doomed.append(el)
            walker.skip_subtree()
    for el in doomed:
        el.drop_tree()


def _hinted(el) -> bool:
    hint = " ".join([el.get("id") or "", el.get("class") or ""])
    return el.tag not in ("html", "body") and bool(hint.strip()) and bool(FURNITURE_HINT.search(hint))


def _body_text(body) -> str:
    """The text of `body`, block elements on lines of their own, a table row as one line of its cells."""
    from lxml import etree

    parts: list[str] = []
    walker = etree.iterwalk(body, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if event == "start":
            if tag == "tr":  # an info table row ('索取号：' | 'X' | '发布机构：' | 'Y') reads as one line
                cells = (_text_of(c) for c in el.iter("td", "th"))
                parts.append("\n" + " ".join(c for c in cells if c) + "\n")
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if el.text and tag != "tr":
                parts.append(el.text)
        else:
            if tag in BLOCK_TAGS and tag not in ("br", "tr"):
                parts.append("\n")
            if el is not body and el.tail:
                parts.append(el.tail)
    return "".join(parts)


def read_html(path: Path) -> RawDoc:
    """A saved government page: title (h1, else <title> without the site name), info block, text without furniture.

    lxml parses (linear time, depth bounded); furniture is removed in one walk per rule, never per nested element.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"unreadable: {exc.strerror or exc}") from None
    html, notes = _html_text(data, path)
    root, more = _parse_html(html, path)
    notes += more
    _drop_furniture(root, lambda el: el.tag in FURNITURE_TAGS)
    _drop_furniture(root, _hinted)
    h1 = next(root.iter("h1"), None)
    title_el = next(root.iter("title"), None)
    title = _text_of(h1) if h1 is not None else ""
    if not title and title_el is not None:
        title = TITLE_SUFFIX.sub("", _text_of(title_el))
    for el in (h1, title_el):
        if el is not None and el.getparent() is not None:
            el.drop_tree()
    body = root.find("body")
    body = root if body is None else body
    depths: dict[str, int] = {}
    for h in body.iter("h2", "h3", "h4", "h5", "h6"):
        depths[_text_of(h)] = int(h.tag[1])
    lines = _lines_of(_body_text(body))
    if not lines and not title:
        raise IngestError(path, "HTML page without any text")
    raw = from_lines(lines, "html", title=title, depths=[depths.get(ln, 0) for ln in lines])
    raw.notes.extend(notes)
    return raw


# -- DOCX ------------------------------------------------------------------------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


def _docx_part(zf: zipfile.ZipFile, name: str, limit: int):
    """A part of the package, opened for streaming; its declared size (which zipfile never reads past) is bounded."""
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise ValueError(name)
    return zf.open(info)


def _docx_styles(zf: zipfile.ZipFile, limit: int) -> dict[str, str]:
    """styleId -> style name (lower case), from word/styles.xml."""
    from lxml import etree

    if "word/styles.xml" not in zf.namelist():
        return {}
    names = {}
    with _docx_part(zf, "word/styles.xml", limit) as fh:
        for _, el in etree.iterparse(fh, tag=f"{_W}style", resolve_entities=False, no_network=True):
            name = el.find(f"{_W}name")
            if el.get(f"{_W}styleId") and name is not None:
                names[el.get(f"{_W}styleId")] = (name.get(f"{_W}val") or "").strip().lower()
            el.clear()
    return names


def _docx_title(zf: zipfile.ZipFile, limit: int) -> str:
    from lxml import etree

    if "docProps/core.xml" not in zf.namelist():
        return ""
    with _docx_part(zf, "docProps/core.xml", limit) as fh:
        root = etree.parse(fh, etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    el = root.find("{http://purl.org/dc/elements/1.1/}title")
    return (el.text or "").strip() if el is not None else ""


def _para_text(p) -> str:
    """A paragraph's text as Word shows it: runs' text, tabs, line breaks (deleted text is not w:t)."""
    out = []
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if el.tag == f"{_W}t":
            out.append(el.text or "")
        else:
            out.append("\t" if el.tag == f"{_W}tab" else "\n")
    return "".join(out)


def read_docx(path: Path, max_xml_bytes: int) -> RawDoc:
    """A Word file: paragraphs and table rows in order; 'Heading N' / '标题 N' styles give heading depths.

    The XML is streamed (lxml iterparse, each body paragraph freed once read) and its unzipped size is bounded by
    `max_xml_bytes` before anything is unzipped, so neither a million paragraphs nor a zip bomb can stall ingest.
    """
    from lxml import etree

    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(path, f"not a readable .docx file ({type(exc).__name__}: {exc})") from None
    with zf:
        names = set(zf.namelist())
        if "word/document.xml" not in names:
            raise IngestError(path, "not a readable .docx file (no word/document.xml: not a Word document)")
        xml_size = sum(i.file_size for i in zf.infolist() if i.filename.endswith((".xml", ".rels")))
        if xml_size > max_xml_bytes:
            raise IngestError(path, f".docx XML unzips to {xml_size / 2**20:,.0f} MiB, over the limit of "
                                    f"{max_xml_bytes / 2**20:,.0f} MiB (POLICYKB_INGEST_MAX_XML_MB): not read")
        lines: list[str] = []
        depths: list[int] = []
        try:
            styles = _docx_styles(zf, max_xml_bytes)
            title = _docx_title(zf, max_xml_bytes)
            with _docx_part(zf, "word/document.xml", max_xml_bytes) as fh:
                top = (f"{_W}body", f"{_W}sdtContent")
                for _, el in etree.iterparse(fh, tag=(f"{_W}p", f"{_W}tbl"), resolve_entities=False,
                                             no_network=True, huge_tree=True):
                    parent = el.getparent()
                    if parent is None or parent.tag not in top:
                        continue  # a paragraph inside a table: read with its row
                    if el.tag == f"{_W}p":
                        title = _docx_paragraph(el, styles, title, lines, depths)
                    else:
                        _docx_table(el, lines, depths)
                    el.clear()
                    while el.getprevious() is not None:  # free what was read
                        del parent[0]
        except (etree.XMLSyntaxError, zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
            raise IngestError(path, f"not a readable .docx file ({type(exc).__name__}: {exc})") from None
    if not lines:
        raise IngestError(path, "empty .docx: no paragraph text")
    return from_lines(lines, "docx", title=title, depths=depths)


def _docx_paragraph(p, styles: dict[str, str], title: str, lines: list[str], depths: list[int]) -> str:
    """Append one body paragraph's lines (with its heading depth); returns the title, set by a Title paragraph."""
    text = clean_text(_para_text(p)).strip(" \t\u3000\n")
    if not text:
        return title
    sid = p.find(f"{_W}pPr/{_W}pStyle")
    style = styles.get(sid.get(f"{_W}val"), sid.get(f"{_W}val", "").lower()) if sid is not None else ""
    if style in ("title", "标题") and not title:
        return text
    m = _HEADING_STYLE.match(style)
    for ln in _lines_of(text):
        lines.append(ln)
        depths.append(int(m.group(1)) + 1 if m else 0)
    return title


def _docx_table(tbl, lines: list[str], depths: list[int]) -> None:
    """One line per table row: its cells' text, repeated (merged) cells once."""
    for tr in tbl.iterchildren(f"{_W}tr"):
        cells = []
        for tc in tr.iterchildren(f"{_W}tc"):
            cells.append(clean_text("\n".join(_para_text(p) for p in tc.iterchildren(f"{_W}p"))).strip())
        row_text = " ".join(dict.fromkeys(c for c in cells if c))
        if row_text:
            lines.append(row_text.replace("\n", " "))
            depths.append(0)


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


