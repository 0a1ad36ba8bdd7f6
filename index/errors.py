"""Errors of the index layer; each message says what is wrong and which command fixes it."""
from __future__ import annotations

from pathlib import Path


class KBIndexError(RuntimeError):
    """The index folder cannot be used (missing, corrupt, or built with other models)."""


def build_hint(index_dir: Path | str) -> str:
    return f"build it with: policykb ingest PATH... --index {index_dir}"


class IndexMissingError(KBIndexError):
    def __init__(self, index_dir: Path | str, detail: str = "") -> None:
        super().__init__(f"no index at {index_dir}{': ' + detail if detail else ''}; {build_hint(index_dir)}")


class IndexCorruptError(KBIndexError):
    def __init__(self, index_dir: Path | str, detail: str) -> None:
        super().__init__(f"index at {index_dir} is unreadable ({detail}); rebuild it with: "
                         f"policykb ingest PATH... --index {index_dir}")


class IndexMismatchError(KBIndexError):
    """The index was built with another embedder, tokenizer dictionary or schema than the one asked for."""

    def __init__(self, index_dir: Path | str, detail: str) -> None:
        super().__init__(f"index at {index_dir}: {detail}; rebuild it with: "
                         f"policykb ingest PATH... --index {index_dir} --embedder SPEC")
