"""Reading text files whatever their encoding, and the light clean-up every loader applies."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from charset_normalizer import from_bytes

from ingest.errors import IngestError

# Zero-width and BOM characters that some sources scatter through the text; never meaningful in a policy text.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_BINARY_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# Control characters (C0 but tab/newline, DEL, C1), lone surrogates and the non-characters XML forbids: no policy
# text holds them and a .docx export cannot. A form feed (pdftotext's page break), a vertical tab (Word's manual
# line break) and the Unicode line/paragraph separators end a line.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\x0b\x0c\u2028\u2029]")
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# Signs of text decoded with the wrong code page: U+FFFD, or runs of Latin-1 letters where Chinese was expected.
_MOJIBAKE = re.compile("\ufffd|[\u00c0-\u00ff][\u0080-\u00ff]")


def decode_bytes(data: bytes, path: str | Path) -> str:
    """Decode text bytes (UTF-8 with/without BOM, GB18030/GBK, Big5 …) or raise IngestError saying why not."""
    if not data.strip():
        raise IngestError(path, "empty file")
    for bom, encoding in _BOMS:  # a byte-order mark settles it (Windows "Unicode" text is UTF-16 LE with a BOM)
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise IngestError(path, f"starts with a {encoding.upper()} byte-order mark but is not valid "
                                        f"{encoding.upper()} (byte {exc.start + len(bom)})") from None
    if b"\x00" in data[:4096]:
        raise IngestError(path, "binary file (contains NUL bytes), not text")
    if len(_BINARY_CONTROL.findall(data[:4096])) > 8:
        raise IngestError(path, "binary file (control bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise IngestError(path, "undecodable text: no encoding (UTF-8, GB18030, Big5 …) fits its bytes")
    text = str(best)
    # charset-normalizer sometimes prefers a legacy single-byte guess; GB-family texts should decode as such.
    if best.encoding not in ("gb18030", "gbk", "gb2312", "big5", "big5hkscs", "utf_16", "utf_16_le", "utf_16_be"):
        for enc in ("gb18030", "big5"):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                continue
    return text


def read_text(path: str | Path) -> str:
    """Read a text file with its encoding detected; CRLF/CR become LF, invisible characters are dropped."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise IngestError(p, f"unreadable: {exc.strerror or exc}") from None
    return clean_text(decode_bytes(data, p))


# PDF text layers often map CJK glyphs to radical code points (⼈ U+2F08 for 人, ⻓ U+2ED3 for 长): fold them back.
_SUPPLEMENT = dict(zip(
    "⺁⺌⺍⺟⺠⺡⺢⺣⺦⺧⺨⺩⺫⺬⺭⺮⺯⺰⺶⺹⺼⺾⺿⻀⻁⻂⻄⻅⻆⻈⻉⻊⻋⻌⻏⻐⻑⻓⻔⻖⻗⻘⻙⻚⻛⻜⻝⻟⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
    "厂小小母民氵氺灬丬牛犭王罒示礻竹糸纟羊耂月艹艹艹虎衤西见角讠贝足车辶阝金長长门阝雨青韦页风飞食饣马骨鬼鱼鸟卤麦黄黾齐齿龙龟"))
_RADICALS = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf]")


def _fold_radical(m: re.Match) -> str:
    ch = m.group(0)
    return _SUPPLEMENT.get(ch) or unicodedata.normalize("NFKC", ch)


def clean_text(text: str) -> str:
    """Normalise line ends (form feeds too), drop zero-width and control characters, fold radical code points;
    tabs, new lines and punctuation stay as written."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    text = _CONTROL.sub("", _LINE_BREAKS.sub("\n", text))
    return _RADICALS.sub(_fold_radical, _INVISIBLE.sub("", text))


def mojibake_note(text: str) -> str | None:
    """A warning when decoded text looks mis-decoded (replacement characters, Latin-1 pairs instead of Chinese)."""
    bad = len(_MOJIBAKE.findall(text))
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    if bad >= 3 and bad * 20 > han:
        return (f"text looks mis-decoded (mojibake: {bad} replacement or Latin-1 sequences against {han} Chinese "
                "characters): check the file's encoding")
    return None


def longest_line(text: str) -> tuple[int, int]:
    """(1-based line number, length) of the longest line of `text`, in one pass."""
    best, number = 0, 0
    for i, line in enumerate(text.split("\n"), 1):
        if len(line) > best:
            best, number = len(line), i
    return number, best
