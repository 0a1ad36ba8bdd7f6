"""On-disk embedding cache: a SQLite file keyed by (embedder name, sha256 of the text), so no text is embedded twice."""
from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

CACHE_FILE = "embeddings.sqlite"


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB chunks (uploads, backups, the model file a conversion came from)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def text_hash(text: str) -> str:
    """The cache key of a text: sha256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class CacheStats:
    """How many vectors came from the cache and how many had to be computed."""

    hits: int = 0
    misses: int = 0


class EmbeddingCache:
    """Vectors stored as float32 blobs; `None` path means an in-memory cache (nothing persisted)."""

    def __init__(self, cache_dir: Path | str | None) -> None:
        if cache_dir is None:
            target = ":memory:"
        else:
            folder = Path(cache_dir)
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ValueError(f"cache dir {folder}: cannot create it ({exc})") from None
            target = str(folder / CACHE_FILE)
        self._db = sqlite3.connect(target)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, dim INTEGER, vec BLOB, PRIMARY KEY (model, hash))"
        )
        self.stats = CacheStats()

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached vectors for the given hashes (missing ones are absent from the result)."""
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            rows = self._db.execute(
                f"SELECT hash, vec FROM vectors WHERE model=? AND hash IN ({','.join('?' * len(chunk))})",
                [model, *chunk],
            )
            for h, blob in rows:
                found[h] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model: str, items: Sequence[tuple[str, np.ndarray]]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)",
                [(model, h, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for h, v in items],
            )

    def embed(
        self,
        model: str,
        texts: Sequence[str],
        encode: Callable[[list[str]], np.ndarray],
        known: dict[str, np.ndarray] | None = None,
        batch: int = 64,
        on_batch: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Vectors for `texts` in order: from `known`, then the cache, computing (and storing) only the rest."""
        hashes = [text_hash(t) for t in texts]
        have = dict(known or {})
        missing = [h for h in dict.fromkeys(hashes) if h not in have]
        have.update(self.get_many(model, missing))
        todo: dict[str, str] = {}
        for h, t in zip(hashes, texts):
            if h not in have:
                todo.setdefault(h, t)
        self.stats.hits += len(hashes) - len(todo)  # repeated texts are embedded once: they count as hits
        self.stats.misses += len(todo)
        items = list(todo.items())
        for i in range(0, len(items), batch):
            chunk = items[i : i + batch]
            vecs = encode([t for _, t in chunk])
            pairs = list(zip((h for h, _ in chunk), vecs))
            self.put_many(model, pairs)
            have.update(pairs)
            if on_batch:
                on_batch(len(chunk))
        if not hashes:
            return np.zeros((0, 0), dtype=np.float32)
        return np.ascontiguousarray(np.stack([have[h] for h in hashes]), dtype=np.float32)

    def close(self) -> None:
        self._db.close()
