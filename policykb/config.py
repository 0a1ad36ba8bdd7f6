"""All run-time settings in one place: a dataclass, filled from env vars, overridden by CLI flags.

Every field is documented in README.md ("Configuration"); tests/test_docs.py fails when one is not.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

ENV_PREFIX = "POLICYKB_"
COMMA_LISTS = {"trusted_proxies"}  # list settings separated by commas (the others by os.pathsep, like PATH)


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
    result_pool: int = 50  # POLICYKB_RESULT_POOL: results one query is ranked into (its total, sorts and pages)
    region: str = "上海"  # POLICYKB_REGION: the users' region; best search draws on its texts and national law
    # --- server: accounts, uploads, limits, operations (issue 14) ---
    users_db: Path | None = None  # POLICYKB_USERS_DB: users, tokens, jobs, audit log (default: users.sqlite beside the index)
    managed_corpus: Path | None = None  # POLICYKB_MANAGED_CORPUS: uploaded originals (default: managed/ beside the index)
    secret_key: str = ""  # POLICYKB_SECRET_KEY: session signing key (default: generated once, kept beside users_db)
    read_login: bool = False  # POLICYKB_READ_LOGIN: readers must log in too (default: anonymous reading)
    trusted_proxies: tuple[str, ...] = ()  # POLICYKB_TRUSTED_PROXIES: addresses whose remote-user header is trusted
    remote_user_header: str = "X-Remote-User"  # POLICYKB_REMOTE_USER_HEADER: the header a trusted proxy sets
    rate_limit: str = "30/minute"  # POLICYKB_RATE_LIMIT: per client, on ask, reply and .docx export
    login_rate_limit: str = "10/minute"  # POLICYKB_LOGIN_RATE_LIMIT: log-in attempts per client address
    expensive_slots: int = 2  # POLICYKB_EXPENSIVE_SLOTS: ask/reply/.docx requests computed at once (more: 503 busy)
    max_upload_bytes: int = 20 * 1024 * 1024  # POLICYKB_MAX_UPLOAD_BYTES: one upload request (all its files)
    max_json_depth: int = 32  # POLICYKB_MAX_JSON_DEPTH: deeper JSON bodies are rejected with 400
    query_cache_size: int = 4096  # POLICYKB_QUERY_CACHE_SIZE: query vectors kept in memory (LRU)
    connection_limit: int = 1000  # POLICYKB_CONNECTION_LIMIT: open connections waitress accepts
    channel_timeout: int = 30  # POLICYKB_CHANNEL_TIMEOUT: seconds before waitress drops an idle connection
    access_log: str = "-"  # POLICYKB_ACCESS_LOG: JSON-lines access log file; - for stderr, empty for none
    embed_batch_size: int = 64  # POLICYKB_EMBED_BATCH_SIZE: texts per checkpointed batch of `policykb embed`
    cluster: str = ""  # POLICYKB_CLUSTER: Dask scheduler (tcp://HOST:PORT) or local:N for `policykb embed`; "" = here
    reload_interval: float = 2.0  # POLICYKB_RELOAD_INTERVAL: seconds between the server's checks for a new index
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

    @property
    def users_path(self) -> Path:
        """The users/jobs/audit SQLite file: users_db, or users.sqlite beside (not inside) the index."""
        return Path(self.users_db) if self.users_db else Path(self.index_dir).parent / "users.sqlite"

    @property
    def managed_path(self) -> Path:
        """The folder uploaded originals live in: managed_corpus, or managed/ beside the index."""
        return Path(self.managed_corpus) if self.managed_corpus else Path(self.index_dir).parent / "managed"

    def with_overrides(self, **overrides) -> "Config":
        """Return a copy with the given non-None values replaced (CLI flags win over env)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _parse(name: str, type_name: str, raw: str):
    """Convert one environment value, naming the variable when it is malformed."""
    try:
        if "bool" in type_name:
            value = raw.strip().lower()
            if value not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                raise ValueError("expected 1/true/yes/on or 0/false/no/off")
            return value in ("1", "true", "yes", "on")
        if "Path" in type_name:
            return Path(raw)
        if "bool" in type_name:
            if raw.strip().lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
                raise ValueError("expected true or false")
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if "int" in type_name:
            return int(raw)
        if "float" in type_name:
            return float(raw)
        if "tuple" in type_name:
            if name in COMMA_LISTS:  # addresses: IPv6 ones hold colons
                return tuple(p.strip() for p in raw.split(",") if p.strip())
            return tuple(p for p in raw.split(os.pathsep) if p)
        return raw
    except ValueError as exc:
        raise ValueError(f"{ENV_PREFIX}{name.upper()}={raw!r}: {exc}") from None
