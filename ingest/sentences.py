"""Splitting a long paragraph into sentence retrieval units at 。；！？ (closing quotes stay with their sentence)."""
from __future__ import annotations

import re

LONG_PARAGRAPH = 120  # characters: longer paragraphs with several sentences are split into sentence leaves
MAX_UNIT = 1000  # characters: a longer sentence (the longest leaf of the 3,475 laws has 922) is cut into pieces
_PAUSE = re.compile(r"[，、,：:\s]")
_SENTENCE = re.compile(r"[^。；！？;!?]*(?:[。；！？;!?]+[”’」』）)】》\"']*|$)", re.S)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`, stripped of surrounding white space, in order."""
    spans: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        if spans and not any(ch.isalnum() for ch in text[s:e]):
            spans[-1] = (spans[-1][0], e)  # a stray run of punctuation belongs to the sentence before
        else:
            spans.append((s, e))
    return spans


def _pieces(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """(s, e) cut into pieces of at most MAX_UNIT characters, after a comma or space when one is near the end."""
    out = []
    while e - s > MAX_UNIT:
        cut = s + MAX_UNIT
        window = text[cut - MAX_UNIT // 4:cut]
        pauses = [m.end() for m in _PAUSE.finditer(window)]
        if pauses:
            cut = cut - MAX_UNIT // 4 + pauses[-1]
        out.append((s, cut))
        s = cut
        while s < e and text[s].isspace():
            s += 1
    if s < e:
        out.append((s, e))
    return out


def split_long(text: str, limit: int = LONG_PARAGRAPH) -> list[tuple[int, int]] | None:
    """Sentence spans when `text` is long enough and has several sentences, else None (keep it whole). A sentence
    over MAX_UNIT characters (a line without punctuation) is cut into pieces, so no retrieval unit is unbounded."""
    if len(text) <= limit:
        return None
    spans = sentence_spans(text)
    if any(e - s > MAX_UNIT for s, e in spans):
        spans = [p for s, e in spans for p in _pieces(text, s, e)]
    return spans if len(spans) >= 2 else None
