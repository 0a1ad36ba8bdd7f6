"""The index folder on disk: manifest, a build lock, and the atomic swap of a freshly built folder.

`index_dir` is a symbolic link to a sibling folder `.<name>.<stamp>`; a build writes a new sibling and replaces
the link with os.replace (atomic), so readers see either the old or the new index, never a half-built one, and an
interrupted build leaves the previous index in place.

Readers hold a lease on the folder they opened (a shared flock on the folder itself, see `FolderLease`); a replaced
or stale folder is deleted only when nobody holds one (`remove_if_unused`), by the build that replaced it, by any
later build, or by the last reader letting go.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from index.errors import IndexCorruptError, IndexMissingError

MANIFEST = "manifest.json"
SCHEMA_VERSION = 3  # 2: the retrieval rows table is `passages` (was `units`); 3: documents.effective /
# repealed_by, clause_links


def read_manifest(index_dir: Path) -> dict:
    """The manifest of an index folder, with clear errors when it is absent or unreadable."""
    index_dir = Path(index_dir)
    if not index_dir.exists():
        raise IndexMissingError(index_dir)
    path = index_dir / MANIFEST
    if not path.is_file():
        raise IndexMissingError(index_dir, f"{MANIFEST} is absent")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(index_dir, f"{MANIFEST}: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("schema_version") != SCHEMA_VERSION:
        found = manifest.get("schema_version") if isinstance(manifest, dict) else None
        raise IndexCorruptError(index_dir, f"schema version {found!r}, this program reads {SCHEMA_VERSION}")
    return manifest


def write_manifest(folder: Path, manifest: dict) -> None:
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index folder (a second one waits)."""
    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(index_dir.parent / f".{index_dir.name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class FolderLease:
    """A reader's hold on one index folder: a shared flock on the folder, released by close() (or process exit)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._fd: int | None = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_SH)  # waits while a clean-up holds it exclusively (milliseconds)
        except OSError:
            self.close()
            raise

    @property
    def held(self) -> bool:
        return self._fd is not None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None

    def __del__(self) -> None:  # a reader dropped without close() lets go too
        self.close()


def lease_current(index_dir: Path, attempts: int = 5) -> tuple[Path, FolderLease]:
    """The folder index_dir points at, with a lease on it; retried when a swap removes it in between."""
    index_dir = Path(index_dir)
    for _ in range(attempts):
        folder = index_dir.resolve()
        try:
            lease = FolderLease(folder)
        except FileNotFoundError:
            continue  # swapped and removed between resolve and open: look again
        if (folder / MANIFEST).is_file():
            return folder, lease
        lease.close()  # emptied by a clean-up that won the race: look again
    raise IndexMissingError(index_dir, "it changed repeatedly while being opened")


def is_index_sibling(index_dir: Path, folder: Path) -> bool:
    """Whether `folder` is one of index_dir's build folders (`.<name>.<stamp>`), never anything else."""
    index_dir, folder = Path(index_dir), Path(folder)
    return folder.parent == index_dir.parent.resolve() and folder.name.startswith(f".{index_dir.name}.")


def remove_if_unused(folder: Path) -> bool:
    """Delete an old index folder unless a reader holds a lease on it; True when it is gone."""
    folder = Path(folder)
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a reader still searches it: the next build, or that reader, removes it later
        shutil.rmtree(folder, ignore_errors=True)
        return not folder.exists()
    finally:
        os.close(fd)


def remove_stale(index_dir: Path) -> list[Path]:
    """Delete sibling folders and links a killed build left behind (a half-built folder, the folder replaced by a
    swap whose clean-up never ran, a temporary link): everything `.<name>.*` but the lock and the live target,
    and no folder a reader still holds a lease on (it goes on a later build, or when its reader lets go).
    Call with the build lock held. Returns what was removed."""
    index_dir = Path(index_dir)
    current = index_dir.resolve() if index_dir.is_symlink() else None
    removed = []
    for stale in index_dir.parent.glob(f".{index_dir.name}.*"):
        if stale.name == f".{index_dir.name}.lock":
            continue
        if stale.is_symlink():
            stale.unlink()
        elif stale.is_dir() and stale.resolve() != current:
            if not remove_if_unused(stale):
                continue
        else:
            continue
        removed.append(stale)
    return removed


def new_build_folder(index_dir: Path) -> Path:
    """A fresh sibling folder to build into (call remove_stale first, under the build lock)."""
    index_dir = Path(index_dir)
    return Path(tempfile.mkdtemp(prefix=f".{index_dir.name}.{time.strftime('%Y%m%d-%H%M%S')}-",
                                 dir=index_dir.parent))


def swap_in(index_dir: Path, folder: Path) -> None:
    """Point index_dir at the finished folder atomically and delete the folder it pointed at before."""
    index_dir = Path(index_dir)
    old: Path | None = None
    if index_dir.is_symlink():
        old = index_dir.resolve()
    elif index_dir.is_dir():
        if any(index_dir.iterdir()) and not (index_dir / MANIFEST).exists():
            shutil.rmtree(folder, ignore_errors=True)
            raise ValueError(f"--index {index_dir}: folder exists and is not an index; refusing to replace it")
        old = index_dir.parent / f".{index_dir.name}.replaced-{os.getpid()}"
        index_dir.rename(old)  # a plain folder (older layout): the only non-atomic step, milliseconds long
    elif index_dir.exists():
        shutil.rmtree(folder, ignore_errors=True)
        raise ValueError(f"--index {index_dir}: is a file, not an index folder")
    link = index_dir.parent / f".{index_dir.name}.link-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(folder.name)
    os.replace(link, index_dir)
    if old is not None and old != folder.resolve():
        remove_if_unused(old)  # kept while a server still answers from it; removed by the next build otherwise
