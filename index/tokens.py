"""One shared jieba Tokenizer per process and dictionary version (building one costs seconds)."""
from __future__ import annotations

import hashlib
import threading

_LOCK = threading.Lock()
_TOKENIZERS: dict[str, object] = {}


def _files_hash() -> str:
    from ingest.tokenize import STOPWORDS, SYNONYMS, USERDICT

    h = hashlib.sha256()
    for p in (USERDICT, SYNONYMS, STOPWORDS):
        h.update(p.read_bytes() if p.exists() else b"")
        h.update(b"\0")
    return h.hexdigest()


def shared_tokenizer():
    """The repository's Tokenizer, built once per dictionary content (rebuilt when the files change)."""
    from ingest.tokenize import Tokenizer

    key = _files_hash()
    with _LOCK:
        tok = _TOKENIZERS.get(key)
        if tok is None:
            tok = _TOKENIZERS[key] = Tokenizer.default()
        return tok
