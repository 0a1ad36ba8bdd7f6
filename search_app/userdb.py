"""The server's own SQLite file (Config.users_path, beside the index): accounts, API tokens, the audit log, jobs.

Passwords are hashed with argon2 (argon2-cffi); API tokens are 32 random bytes shown once and stored as their
sha256 (a high-entropy secret needs no slow hash). Every call opens its own short connection, so the CLI and the
server's threads may use the file at the same time.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES: tuple[str, ...] = ("reader", "editor", "admin")  # each role may do what the ones before it may
NAME_CHARS = 64
SCHEMA = """
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, pw_hash TEXT NOT NULL,
                                  created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
                                   created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user TEXT NOT NULL,
                                  action TEXT NOT NULL, target TEXT NOT NULL, sha256 TEXT NOT NULL DEFAULT '',
                                  job TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, user TEXT NOT NULL, state TEXT NOT NULL,
                                 stage TEXT NOT NULL DEFAULT '', progress REAL NOT NULL DEFAULT 0,
                                 message TEXT NOT NULL DEFAULT '', spec TEXT NOT NULL, rejected TEXT NOT NULL DEFAULT '[]',
                                 result TEXT NOT NULL DEFAULT '{}', created TEXT NOT NULL, updated TEXT NOT NULL,
                                 owner TEXT NOT NULL DEFAULT '');
"""


class UserError(ValueError):
    """A bad user name, role or password, or an unknown user (the message names which)."""


@dataclass(frozen=True)
class User:
    """An account: its name and role (reader, editor or admin)."""

    name: str
    role: str

    def may(self, role: str) -> bool:
        """Whether this user holds `role` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)


def now() -> str:
    """The current UTC time as the ISO string every row stores."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the server database, creating the file and its tables on first use."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(SCHEMA)
    return db


def _hasher() -> PasswordHasher:
    return PasswordHasher()


def check_name(name: str) -> str:
    """A user name: 1…64 characters, no spaces or control characters."""
    name = (name or "").strip()
    if not name or len(name) > NAME_CHARS or any(c.isspace() or ord(c) < 32 for c in name):
        raise UserError(f"user name {name[:NAME_CHARS]!r}: 1…{NAME_CHARS} characters without spaces")
    return name


def add_user(path: Path, name: str, role: str, password: str) -> User:
    """Create an account (or reset its role and password when it exists)."""
    name = check_name(name)
    if role not in ROLES:
        raise UserError(f"role {role!r}: must be one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise UserError("password: at least 8 characters")
    pw_hash = _hasher().hash(password)
    with closing(connect(path)) as db:
        db.execute("INSERT INTO users VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET role=excluded.role, "
                   "pw_hash=excluded.pw_hash", (name, role, pw_hash, now()))
    return User(name, role)


def remove_user(path: Path, name: str) -> None:
    """Delete an account and its tokens; UserError when there is no such user."""
    with closing(connect(path)) as db:
        if db.execute("DELETE FROM users WHERE name=?", (name,)).rowcount == 0:
            raise UserError(f"no user {name!r}")


def list_users(path: Path) -> list[dict]:
    """Every account: name, role, created, number of API tokens."""
    with closing(connect(path)) as db:
        rows = db.execute("SELECT u.name, u.role, u.created, COUNT(t.hash) AS tokens FROM users u "
                          "LEFT JOIN tokens t ON t.user = u.name GROUP BY u.name ORDER BY u.name")
        return [dict(r) for r in rows]


def get_user(path: Path, name: str) -> User | None:
    with closing(connect(path)) as db:
        row = db.execute("SELECT name, role FROM users WHERE name=?", (name,)).fetchone()
    return User(row["name"], row["role"]) if row else None


def authenticate(path: Path, name: str, password: str) -> User | None:
    """The user when `password` is theirs, else None (the hash is checked even for unknown names: same timing)."""
    with closing(connect(path)) as db:
        row = db.execute("SELECT name, role, pw_hash FROM users WHERE name=?", (name,)).fetchone()
    hasher = _hasher()
    stored = row["pw_hash"] if row else hasher.hash("not-a-user-" + secrets.token_hex(4))
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(row["name"], row["role"]) if row else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def new_token(path: Path, name: str) -> str:
    """A fresh API token for `name` (printed once; only its hash is stored)."""
    if get_user(path, name) is None:
        raise UserError(f"no user {name!r}")
    token = "pkb_" + secrets.token_urlsafe(32)
    with closing(connect(path)) as db:
        db.execute("INSERT INTO tokens VALUES (?, ?, ?)", (_token_hash(token), name, now()))
    return token


def user_for_token(path: Path, token: str) -> User | None:
    """The user an API token belongs to, or None."""
    with closing(connect(path)) as db:
        row = db.execute("SELECT u.name, u.role FROM tokens t JOIN users u ON u.name = t.user WHERE t.hash=?",
                         (_token_hash(token),)).fetchone()
    return User(row["name"], row["role"]) if row else None


# --- audit log ---------------------------------------------------------------------------------------------------
def audit(path: Path, user: str, action: str, target: str, sha256: str = "", job: str = "", detail: str = "") -> None:
    """Record one change: who, when (now), what (action on target), the file's sha256, the job and a note."""
    with closing(connect(path)) as db:
        db.execute("INSERT INTO audit (at, user, action, target, sha256, job, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (now(), user, action, target, sha256, job, detail))


def audit_rows(path: Path, limit: int = 200, offset: int = 0) -> tuple[int, list[dict]]:
    """The total number of audit entries and one page of them, newest first."""
    with closing(connect(path)) as db:
        total = db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
        rows = db.execute("SELECT seq, at, user, action, target, sha256, job, detail FROM audit "
                          "ORDER BY seq DESC LIMIT ? OFFSET ?", (limit, offset))
        return total, [dict(r) for r in rows]


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
