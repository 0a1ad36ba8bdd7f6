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


def decode_bytes(data: bytes, path: str | Path) -> str:
    """Decode text bytes (UTF-8 with/without BOM, GB18030/GBK, Big5 …) or raise IngestError saying why not."""
    if not data.strip():
        raise IngestError(path, "empty file")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(path, "binary file (contains NUL bytes), not text")
    if len(_BINARY_CONTROL.findall(data[:4096])) > 8:
        raise IngestError(path, "binary file (control bytes), not text")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
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
    """Normalise line ends, drop zero-width characters, fold radical code points; punctuation stays as written."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    return _RADICALS.sub(_fold_radical, _INVISIBLE.sub("", text))
