"""Chinese numerals as written in article and chapter numbers (第一百二十三条, 第十七条之一)."""
from __future__ import annotations

from functools import lru_cache

DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS) + "0123456789０１２３４５６７８９"


@lru_cache(maxsize=4096)
def cn_to_int(text: str) -> int:
    """Value of a Chinese (or Arabic, half/full-width) numeral: '一百零五' -> 105, '十七' -> 17, '12' -> 12."""
    text = text.strip()
    if not text:
        raise ValueError("empty numeral")
    ascii_digits = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if ascii_digits.isdigit():
        return int(ascii_digits)
    total, current = 0, 0
    for ch in text:
        if ch in DIGITS:
            current = DIGITS[ch]
        elif ch in UNITS:
            total += (current or 1) * UNITS[ch]
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + current


@lru_cache(maxsize=4096)
def int_to_cn(n: int) -> str:
    """The Chinese numeral for 0 < n < 10**8 as laws write it: 105 -> '一百零五', 15 -> '十五', 10005 -> '一万零五'
    (a document can have more than 9,999 unnumbered paragraphs, cited 第一万二千段)."""
    if not 0 < n < 10**8:
        raise ValueError(f"numeral out of range: {n}")
    if n >= 10000:
        high, low = divmod(n, 10000)
        return int_to_cn(high) + "万" + ("" if not low else ("零" if low < 1000 else "") + int_to_cn(low))
    names = "零一二三四五六七八九"
    parts: list[str] = []
    zero = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, unit_value)
        if d:
            if zero:
                parts.append("零")
            parts.append(names[d] + unit)
            zero = False
        elif parts:
            zero = True
    out = "".join(parts)
    return out[1:] if out.startswith("一十") else out
