"""Splitting a long paragraph into sentence retrieval units at 。；！？ (closing quotes stay with their sentence)."""
from __future__ import annotations

import re

LONG_PARAGRAPH = 120  # characters: longer paragraphs with several sentences are split into sentence leaves
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


def split_long(text: str, limit: int = LONG_PARAGRAPH) -> list[tuple[int, int]] | None:
    """Sentence spans when `text` is long enough and has several sentences, else None (keep it whole)."""
    if len(text) <= limit:
        return None
    spans = sentence_spans(text)
    return spans if len(spans) >= 2 else None
