"""Search tokens for BM25: one jieba tokenizer with the repository's domain dictionary, stop words and synonyms.

Build it once (`Tokenizer.default()`), reuse it everywhere; nothing is loaded at import time.
File formats (plain UTF-8, '#' starts a comment line):
  ingest/data/userdict.txt   WORD [FREQUENCY] [POS-TAG]          e.g. `追光小屋 n`
  ingest/data/synonyms.txt   COLLOQUIAL = OFFICIAL [| OFFICIAL]  e.g. `网吧 = 互联网上网服务营业场所`
  ingest/data/stopwords.txt  one word a line                     e.g. `请问`
"""
from __future__ import annotations

import hashlib
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

DATA_DIR = Path(__file__).resolve().parent / "data"
USERDICT = DATA_DIR / "userdict.txt"
SYNONYMS = DATA_DIR / "synonyms.txt"
STOPWORDS = DATA_DIR / "stopwords.txt"
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)
_BUILD_LOCK = threading.Lock()
_USERDICT_LINE = re.compile(r"^(\S+)(?:\s+(\d+))?(?:\s+([A-Za-z]+))?$")


def _lines(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of the non-comment, non-blank lines of a data file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return [(n, ln.strip()) for n, ln in enumerate(text.splitlines(), 1) if ln.strip() and not ln.lstrip().startswith("#")]


def read_userdict(path: Path) -> list[tuple[str, int | None, str | None]]:
    """Entries (word, frequency or None, POS tag or None); a malformed line raises ValueError naming it."""
    out = []
    for n, line in _lines(path):
        m = _USERDICT_LINE.match(line)
        if not m:
            raise ValueError(f"{path}:{n}: expected 'WORD [FREQUENCY] [POS-TAG]', got {line!r}")
        out.append((m.group(1), int(m.group(2)) if m.group(2) else None, m.group(3)))
    return out


def read_synonyms(path: Path) -> dict[str, list[str]]:
    """{colloquial: [official, …]}; a line without '=' or with an empty side raises ValueError naming it."""
    out: dict[str, list[str]] = {}
    for n, line in _lines(path):
        left, sep, right = line.partition("=")
        targets = [t.strip() for t in right.split("|") if t.strip()]
        if not sep or not left.strip() or not targets:
            raise ValueError(f"{path}:{n}: expected 'COLLOQUIAL = OFFICIAL [| OFFICIAL …]', got {line!r}")
        known = out.setdefault(left.strip().lower(), [])
        known.extend(t for t in targets if t not in known)
    return out


def files_digest(paths: Sequence[Path]) -> str:
    """sha256 over the dictionary files' bytes (a missing file counts as empty): names what a tokenizer was built from."""
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes() if p.exists() else b"")
        h.update(b"\0")
    return h.hexdigest()


@dataclass
class Tokenizer:
    """jieba with the domain dictionary: `tokens(text)` for indexing and queries, `expand(tokens)` for synonyms."""

    userdict: Path = USERDICT
    synonyms_path: Path = SYNONYMS
    stopwords_path: Path = STOPWORDS
    synonyms: dict[str, list[str]] = field(init=False, repr=False)
    stopwords: frozenset[str] = field(init=False, repr=False)
    dictionary_hash: str = field(init=False)
    _jieba: object = field(init=False, repr=False)
    _entries: list = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # files are read and checked now (errors name the line); jieba itself loads on first use (~2 s)
        self.synonyms = read_synonyms(self.synonyms_path)
        self.stopwords = frozenset(w for _, w in _lines(self.stopwords_path))
        self._entries = read_userdict(self.userdict)
        self._jieba = None
        self.dictionary_hash = files_digest((self.userdict, self.synonyms_path, self.stopwords_path))[:16]

    @property
    def jieba(self):
        """The jieba.Tokenizer with the domain words (built once, on first use)."""
        if self._jieba is None:
            with _BUILD_LOCK:  # server threads may ask at once: build one jieba, not several
                if self._jieba is None:
                    self._jieba = self._build_jieba()
        return self._jieba

    def _build_jieba(self):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tk = jieba.Tokenizer()
        tk.initialize()
        for word, freq, tag in self._entries:
            tk.add_word(word, freq, tag)
        known = {w for w, _, _ in self._entries}
        for key, targets in self.synonyms.items():
            for word in (key, *targets):
                if word not in known and len(word) > 1 and not word.isascii():
                    tk.add_word(word)
                    known.add(word)
        return tk

    @classmethod
    def default(cls) -> "Tokenizer":
        """The tokenizer with the repository's dictionary, synonym and stop-word files."""
        return cls()

    def words(self, text: str) -> list[str]:
        """jieba's segmentation of `text` (precise mode), punctuation and white space dropped, ASCII lower-cased."""
        text = unicodedata.normalize("NFKC", text)
        return [w.lower() for w in self.jieba.lcut(text) if _WORDLIKE.search(w)]

    def tokens(self, text: str) -> list[str]:
        """Search tokens: words plus their dictionary sub-words (jieba search mode), stop words removed."""
        text = unicodedata.normalize("NFKC", text)
        return [w.lower() for w in self.jieba.lcut_for_search(text)
                if _WORDLIKE.search(w) and w.lower() not in self.stopwords]

    def _officials(self, tokens: list[str], text: str = "") -> list[str]:
        """The official terms the colloquial words among `tokens` (single, adjacent pairs, or any multi-character
        synonym-table word standing in `text`) map to, in order."""
        folded = unicodedata.normalize("NFKC", text).lower()
        words = list(tokens) + [a + b for a, b in zip(tokens, tokens[1:])]
        words += [k for k in self.synonyms if len(k) > 1 and k in folded and k not in tokens]
        return list(dict.fromkeys(o for w in words for o in self.synonyms.get(w, ())))

    def query_weights(self, text: str) -> dict[str, float]:
        """BM25 query tokens of a user query with their weights: the search-mode sub-tokens of one word share its
        weight (未成年人 -> 未成年人/未成年/成年人/未成/成年 at 1/5 each), so a long compound word counts once rather
        than five times; the official terms of its colloquial words (孩子 -> 未成年人, 儿童) are added the same way."""
        weights: dict[str, float] = {}

        def add(word: str) -> None:
            subs = self.tokens(word)
            for t in subs:
                weights[t] = max(weights.get(t, 0.0), 1.0 / len(subs))

        for word in self.words(text):
            add(word)
        for official in self._officials(self.tokens(text), text):
            add(official)
        return weights

    def query_tokens(self, text: str) -> list[str]:
        """Tokens of a user query with synonym expansion (the keys of `query_weights`)."""
        return list(self.query_weights(text))
