"""All run-time settings in one place: a dataclass, filled from env vars, overridden by CLI flags.

Every field is documented in README.md ("Configuration"); tests/test_docs.py fails when one is not.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

ENV_PREFIX = "POLICYKB_"


@dataclass(frozen=True)
class Config:
    """Settings shared by the CLI, the index builder and the web app."""

    index_dir: Path = Path("data/index")  # POLICYKB_INDEX_DIR: the built knowledge base folder
    cache_dir: Path = Path("data/cache")  # POLICYKB_CACHE_DIR: on-disk embedding cache
    embedder: str = "bundled"  # POLICYKB_EMBEDDER: bundled | none | st:<model name or path>
    corpus: tuple[str, ...] = ("corpus",)  # POLICYKB_CORPUS: folders/files to ingest (os.pathsep-separated)
    host: str = "127.0.0.1"  # POLICYKB_HOST
    port: int = 8000  # POLICYKB_PORT
    workers: int = 4  # POLICYKB_WORKERS: server threads
    max_query_chars: int = 500  # POLICYKB_MAX_QUERY_CHARS: longer queries are rejected
    max_top_k: int = 50  # POLICYKB_MAX_TOP_K: upper bound on results per request
    region: str = "上海"  # POLICYKB_REGION: the users' region; best search draws on its texts and national law
    # Per-file bounds of an ingest, far above any real office document (the largest of the 3,475 laws is 0.4 MB,
    # its longest line under 1,000 characters; the whole Civil Code is ~110,000 characters):
    ingest_max_file_mb: int = 256  # POLICYKB_INGEST_MAX_FILE_MB: larger files are rejected unread
    ingest_max_xml_mb: int = 128  # POLICYKB_INGEST_MAX_XML_MB: .docx XML once unzipped (a 1,000-page file: ~20)
    ingest_max_line_chars: int = 200_000  # POLICYKB_INGEST_MAX_LINE_CHARS: per line/paragraph
    ingest_timeout: float = 120.0  # POLICYKB_INGEST_TIMEOUT: seconds per file, then it is stopped (0: no budget)
    extra: dict = field(default_factory=dict, compare=False)  # free-form settings for tests

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Config":
        """Build a Config from POLICYKB_* environment variables, defaults for the rest."""
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.name, f.type, raw)
        return cls(**values)

    def with_overrides(self, **overrides) -> "Config":
        """Return a copy with the given non-None values replaced (CLI flags win over env)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _parse(name: str, type_name: str, raw: str):
    """Convert one environment value, naming the variable when it is malformed."""
    try:
        if "Path" in type_name:
            return Path(raw)
        if "int" in type_name:
            return int(raw)
        if "float" in type_name:
            return float(raw)
        if "tuple" in type_name:
            return tuple(p for p in raw.split(os.pathsep) if p)
        return raw
    except ValueError as exc:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r}: {exc}") from None
