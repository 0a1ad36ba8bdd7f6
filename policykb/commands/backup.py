"""`policykb backup DEST` / `policykb restore SRC`: the index, the users database (accounts, tokens, jobs, audit log)
and the managed corpus (uploaded originals), copied consistently.

SQLite files are copied with the online backup API (a running server may keep reading and writing them); the index
is copied under the build lock, so no build swaps it mid-copy. A restore writes the index into a fresh folder and
swaps it in atomically, like a build: a running server picks it up on reload and never sees a half-restored index.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from index.cache import file_hash
from policykb.config import Config

FORMAT = "policykb-backup/1"
SQLITE_SUFFIXES = (".sqlite", ".db")


def register(subparsers, config: Config) -> None:
    for name, what in (("backup", "write a backup of the index, users database and managed corpus to DEST"),
                       ("restore", "restore the index, users database and managed corpus from a backup SRC")):
        p = subparsers.add_parser(name, help=what, description=what + " (SQLite online backup API; atomic swap).")
        p.add_argument("folder", type=Path, metavar="DEST" if name == "backup" else "SRC")
        p.add_argument("--index", type=Path, default=None, help=f"index folder (default: {config.index_dir})")
        p.add_argument("--users-db", type=Path, default=None, help=f"users database (default: {config.users_path})")
        p.add_argument("--managed-corpus", type=Path, default=None,
                       help=f"managed corpus folder (default: {config.managed_path})")
        p.set_defaults(run=run_backup if name == "backup" else run_restore)


def sqlite_copy(src: Path, dest: Path) -> None:
    """Copy a SQLite database consistently while others may use it (sqlite3 online backup API)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as source, sqlite3.connect(dest) as target:
        source.backup(target)
    source.close()
    target.close()


def copy_folder(src: Path, dest: Path) -> None:
    """Copy a folder's files, SQLite ones through the backup API."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in sorted(src.rglob("*")):
        target = dest / f.relative_to(src)
        if f.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif f.suffix in SQLITE_SUFFIXES:
            sqlite_copy(f, target)
        elif not f.name.endswith(("-wal", "-shm")):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, target)


def _settings(args, config: Config) -> Config:
    return config.with_overrides(index_dir=args.index, users_db=args.users_db, managed_corpus=args.managed_corpus)


def run_backup(args: argparse.Namespace, config: Config) -> int:
    from index.errors import KBIndexError
    from index.layout import build_lock, read_manifest

    cfg, dest = _settings(args, config), args.folder
    if dest.exists() and any(dest.iterdir()):
        print(f"policykb backup: error: {dest} exists and is not empty", file=sys.stderr)
        return 2
    try:
        with build_lock(cfg.index_dir):
            manifest = read_manifest(cfg.index_dir)
            copy_folder(cfg.index_dir.resolve(), dest / "index")
    except KBIndexError as exc:
        print(f"policykb backup: error: {exc}", file=sys.stderr)
        return 1
    parts = ["index"]
    if cfg.users_path.is_file():
        sqlite_copy(cfg.users_path, dest / "users.sqlite")
        parts.append("users")
    if cfg.managed_path.is_dir():
        copy_folder(cfg.managed_path, dest / "managed")
        parts.append("managed")
    files = {str(f.relative_to(dest)): file_hash(f) for f in sorted(dest.rglob("*")) if f.is_file()}
    (dest / "backup.json").write_text(json.dumps({
        "format": FORMAT, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "parts": parts,
        "index_built_at": manifest.get("built_at"), "documents": manifest.get("counts", {}).get("documents"),
        "files": files}, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"backup {dest}: {', '.join(parts)} ({len(files)} files, {manifest.get('counts', {}).get('documents')} "
          f"documents)", file=sys.stderr)
    return 0


def check_backup(src: Path) -> dict:
    """The backup's description after checking every file against its recorded sha256 (ValueError otherwise)."""
    meta_path = src / "backup.json"
    if not meta_path.is_file():
        raise ValueError(f"{src}: no backup.json, not a policykb backup")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(f"{src}: backup format {meta.get('format')!r}, this program reads {FORMAT}")
    for rel, digest in meta["files"].items():
        path = src / rel
        if not path.is_file() or file_hash(path) != digest:
            raise ValueError(f"{src}: {rel} is missing or damaged (sha256 differs)")
    return meta


def run_restore(args: argparse.Namespace, config: Config) -> int:
    from index.errors import KBIndexError
    from index.layout import build_lock, new_build_folder, read_manifest, swap_in

    cfg, src = _settings(args, config), args.folder
    try:
        meta = check_backup(src)
        read_manifest(src / "index")
    except (ValueError, OSError, KBIndexError) as exc:
        print(f"policykb restore: error: {exc}", file=sys.stderr)
        return 2
    with build_lock(cfg.index_dir):
        folder = new_build_folder(cfg.index_dir)
        copy_folder(src / "index", folder)
        swap_in(cfg.index_dir, folder)
    if "users" in meta["parts"]:
        cfg.users_path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(src / "users.sqlite") as source, sqlite3.connect(cfg.users_path) as target:
            source.backup(target)  # replaces the live database's content in one step
        source.close()
        target.close()
    if "managed" in meta["parts"]:
        fresh = cfg.managed_path.with_name(cfg.managed_path.name + ".restoring")
        shutil.rmtree(fresh, ignore_errors=True)
        copy_folder(src / "managed", fresh)
        old = cfg.managed_path.with_name(cfg.managed_path.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if cfg.managed_path.exists():
            cfg.managed_path.rename(old)
        fresh.rename(cfg.managed_path)
        shutil.rmtree(old, ignore_errors=True)
    print(f"restored {src}: {', '.join(meta['parts'])} (index built {meta.get('index_built_at')}, "
          f"{meta.get('documents')} documents) into {cfg.index_dir}", file=sys.stderr)
    return 0
