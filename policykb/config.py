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
    embedder: str = "bundled"  # POLICYKB_EMBEDDER: bundled | onnx | none | st:<model name or path>
    embed_superseded: bool = False  # POLICYKB_EMBED_SUPERSEDED: also embed superseded versions (BM25 has them anyway)
    embed_text: str = "full"  # POLICYKB_EMBED_TEXT: text embedded per unit: full | heading+text | text
    corpus: tuple[str, ...] = ("corpus",)  # POLICYKB_CORPUS: folders/files to ingest (os.pathsep-separated)
    host: str = "127.0.0.1"  # POLICYKB_HOST
    port: int = 8000  # POLICYKB_PORT
    workers: int = 4  # POLICYKB_WORKERS: server threads
    max_query_chars: int = 500  # POLICYKB_MAX_QUERY_CHARS: longer queries are rejected
    max_top_k: int = 50  # POLICYKB_MAX_TOP_K: upper bound on results per request
    region: str = "上海"  # POLICYKB_REGION: the users' region; best search draws on its texts and national law
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
        if "bool" in type_name:
            if raw.strip().lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                raise ValueError("expected true or false")
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if "int" in type_name:
            return int(raw)
        if "tuple" in type_name:
            return tuple(p for p in raw.split(os.pathsep) if p)
        return raw
    except ValueError as exc:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r}: {exc}") from None
