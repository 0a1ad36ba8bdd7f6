"""Generators of hostile input files (issue 14), shared by the tests and evaluation/bench_hostile.py.

Every file is written on the fly into a folder the caller gives; none is committed. Each function returns the path.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  '<Default Extension="xml" ContentType="application/xml"/>'
                  '<Override PartName="/word/document.xml" ContentType="application/'
                  'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="word/document.xml"/></Relationships>')
_DOC_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W_NS}"><w:body>'
_DOC_TAIL = "</w:body></w:document>"


def _para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _docx(path: Path, chunks, level: int = 6) -> Path:
    """A minimal Word package whose document.xml is the concatenation of `chunks` (streamed, never held whole)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(_DOC_HEAD.encode())
            for chunk in chunks:
                fh.write(chunk.encode())
            fh.write(_DOC_TAIL.encode())
    return path


def deep_html(folder: Path, depth: int = 100_000) -> Path:
    """A page whose text sits inside `depth` nested <div>s, with text before and after."""
    path = folder / "deep.html"
    path.write_text("<html><head><meta charset='utf-8'><title>某区关于深层页面的通知</title></head><body>"
                    "<p>第一条 开头的文字。</p>" + "<div>" * depth + "<p>第二条 最深处的文字。</p>"
                    + "</div>" * depth + "<p>第三条 结尾的文字。</p></body></html>", encoding="utf-8")
    return path


def repeated_articles(folder: Path, repeats: int = 8_000) -> Path:
    """A text that repeats 第一条 `repeats` times (every repeat needs a ~k id suffix)."""
    path = folder / "repeated.txt"
    path.write_text("某重复条文的规定\n" + "第一条 本规定自发布之日起施行。\n" * repeats, encoding="utf-8")
    return path


def million_paragraph_docx(folder: Path, paragraphs: int = 1_000_000) -> Path:
    """A small .docx (~150 KB) holding `paragraphs` short paragraphs."""
    para = _para("本段落为测试文字。")
    block = para * 1000
    chunks = [_para("某百万段落的文件")] + [block] * (paragraphs // 1000) + [para] * (paragraphs % 1000)
    return _docx(folder / "million.docx", chunks, level=9)


def xml_bomb_docx(folder: Path, mib: int = 200) -> Path:
    """A .docx of a few hundred KB whose document.xml unzips to about `mib` MiB (zip-bomb-like)."""
    block = _para("重复的文字" * 50) * 200  # ~170 KB of XML per chunk
    n = mib * 2**20 // len(block.encode())
    return _docx(folder / "bomb.docx", [_para("某巨大文件")] + [block] * n, level=9)


def long_line(folder: Path, chars: int = 2_000_000) -> Path:
    """A title line, then one line of `chars` Chinese characters without any punctuation."""
    alphabet = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    line = (alphabet * (chars // len(alphabet) + 1))[:chars]
    path = folder / "longline.txt"
    path.write_text("某长行文件\n" + line + "\n", encoding="utf-8")
    return path


def control_chars(folder: Path) -> Path:
    """A law text with a form feed (pdftotext's page break), a vertical tab (Word's line break), C0/C1 controls
    and DEL inside sentences."""
    path = folder / "controls.txt"
    path.write_text("某控制字符办法\n第一条 为了规范管理，制定本办法。\x0b依照有关规定执行。\x0c第二条 本办法由\x01民政部门\x85"
                    "负责\x1b解释\x7f。\n"
                    "第三条 本办法自发布之日起施行。\t附件另行印发。\n", encoding="utf-8")
    return path


def utf16_bom(folder: Path) -> Path:
    """Windows "Unicode" text: UTF-16 little-endian with a byte-order mark, CRLF line ends."""
    path = folder / "unicode.txt"
    path.write_bytes("某统一编码办法\r\n第一条 为了规范管理，制定本办法。\r\n第二条 本办法自发布之日起施行。\r\n"
                     .encode("utf-16"))
    return path


def unknown_charset(folder: Path) -> Path:
    """A GBK page that declares a charset no codec knows."""
    path = folder / "unknown-charset.html"
    path.write_bytes("<html><head><meta charset='x-gov-legacy'><title>某未知编码办法</title></head><body>"
                     "<h1>某未知编码办法</h1><p>第一条 为了规范管理，制定本办法。</p>"
                     "<p>第二条 本办法自发布之日起施行。</p></body></html>".encode("gbk"))
    return path


def mislabelled_charset(folder: Path) -> Path:
    """A GBK page that declares ISO-8859-1: decodes without error, as mojibake."""
    path = folder / "latin1-label.html"
    path.write_bytes("<html><head><meta charset='iso-8859-1'><title>某错标编码办法</title></head><body>"
                     "<p>第一条 为了规范管理，制定本办法。</p><p>第二条 本办法自发布之日起施行。</p></body></html>"
                     .encode("gbk"))
    return path
