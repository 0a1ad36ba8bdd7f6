"""Tokenising for the index: one shared jieba Tokenizer per process, and a parallel batch path for big builds."""
from __future__ import annotations

import threading
from typing import Sequence

PARALLEL_MIN = 20_000  # below this many units one process is faster than forking workers
_LOCK = threading.Lock()
_TOKENIZERS: dict[str, object] = {}


def shared_tokenizer():
    """The repository's Tokenizer, built once per dictionary content (building one costs seconds)."""
    from ingest.tokenize import STOPWORDS, SYNONYMS, USERDICT, Tokenizer, files_digest

    key = files_digest((USERDICT, SYNONYMS, STOPWORDS))
    with _LOCK:
        tok = _TOKENIZERS.get(key)
        if tok is None:
            tok = _TOKENIZERS[key] = Tokenizer.default()
        return tok


def _tokenize_chunk(units: Sequence[Sequence[str]]) -> list[str]:
    """Space-joined tokens per unit; repeated parts (titles, headings) are tokenised once."""
    tok = shared_tokenizer()
    memo: dict[str, str] = {}
    out = []
    for parts in units:
        joined = []
        for part in parts:
            t = memo.get(part)
            if t is None:
                t = " ".join(tok.tokens(part))
                if len(part) < 80:
                    memo[part] = t
            if t:
                joined.append(t)
        out.append(" ".join(joined))
    return out


def tokenize_passages(units: Sequence[Sequence[str]]) -> list[str]:
    """Tokens (space-joined) of each unit given as its text parts; large batches use forked worker processes."""
    from index.parallel import parallel_map

    shared_tokenizer()  # build it before any fork, so every worker inherits it ready
    size = 5000
    chunks = [units[i:i + size] for i in range(0, len(units), size)]
    return [t for part in parallel_map(_tokenize_chunk, chunks, min_items=PARALLEL_MIN // size, chunk=1)
            for t in part]
