"""The one place the app reaches the knowledge base, its Ranker and the responsibility map — and live reload.

An `IndexHolder` (one per app, made by create_app) keeps the current *generation*: a KnowledgeBase, the
ResponsibilityMap over the same folder and the Ranker, opened together. A request takes the current generation
on its first use and keeps it to the end, so what it reads is consistent. At most every `Config.reload_interval`
seconds a request looks whether the index link points at another folder (a rebuild, or `policykb embed` adding
vectors); if so a background thread opens the new generation and switches new requests to it. The old one is
closed when its last request ends; its folder is then deleted unless another reader still holds a lease on it.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app, g

from search_app.errors import ApiError

_HOLDER = "policykb_index_holder"
UNAVAILABLE = "知识库暂不可用：索引尚未建立或无法打开，请稍后重试，或请管理员用 policykb ingest 建立索引（详情见服务器日志）"


@dataclass
class Generation:
    """One opened index folder with everything the app derives from it; `users` counts requests using it."""

    kb: object
    ranker: object
    rmap: object | None
    rmap_error: str | None
    opened_at: float
    users: int = 0
    retired: bool = False
    cache: dict = field(default_factory=dict)  # per-index derived data (facets), dropped with the generation

    @property
    def folder(self) -> Path:
        return self.kb.folder


def _open_generation(index_dir: Path, config, kb=None) -> Generation:
    """Open the knowledge base, its responsibility map and its Ranker together (KBIndexError when impossible)."""
    from index.ranking.ranker import Ranker
    from index.responsibilities import ResponsibilityMap

    kb = kb or open_kb(config, index_dir)
    rmap, error = None, None
    try:
        rmap = ResponsibilityMap.open(kb.folder)
    except (LookupError, FileNotFoundError) as exc:  # an index from before the duties table: pages say so
        error = str(exc)
    return Generation(kb=kb, ranker=Ranker.from_config(kb, config), rmap=rmap, rmap_error=error,
                      opened_at=time.time())


def _close_generation(gen: Generation, index_dir: Path, logger) -> None:
    """Close a retired generation; delete its folder when it is an old build folder nobody else holds."""
    from index.layout import is_index_sibling, remove_if_unused

    folder = gen.folder
    if gen.rmap is not None:
        gen.rmap.close()
    gen.kb.close()
    try:
        if is_index_sibling(index_dir, folder) and Path(index_dir).resolve() != folder:
            remove_if_unused(folder)
    except OSError as exc:  # not ours to delete (permissions): the next build removes it
        logger.info("old index folder %s left for the next build: %s", folder.name, exc)


class IndexHolder:
    """The app's current index generation, its reload check and the counts of who uses which generation."""

    def __init__(self, config, kb=None, logger=None) -> None:
        self.config = config
        self.index_dir = Path(kb.index_dir if kb is not None else config.index_dir)
        self.interval = float(config.reload_interval)
        self.logger = logger
        self._lock = threading.Lock()
        self._open_lock = threading.Lock()  # one opening at a time (first open, or a reload in the background)
        self._current: Generation | None = _open_generation(self.index_dir, config, kb) if kb is not None else None
        self._checked = time.monotonic()
        self._loading = False
        self.reloads = 0
        self.last_error: str | None = None
        self.last_reload_at: float | None = None
        self.semantic: tuple | None = None  # (when read, status, generation): the progress file is read ~1/s

    # --- per request -------------------------------------------------------------------------------------
    def acquire(self) -> Generation:
        """The generation a request uses from now on (opened on first need; 503 when it cannot be)."""
        self._maybe_check()
        with self._lock:
            gen = self._current
            if gen is not None:
                gen.users += 1
                return gen
        with self._open_lock:
            with self._lock:
                gen = self._current
            if gen is None:
                try:
                    gen = _open_generation(self.index_dir, self.config)
                except Exception as exc:  # missing or corrupt index: say so (the detail, with paths, goes to the log)
                    self.last_error = f"{type(exc).__name__}"
                    self.logger.error("cannot open index %s: %s", self.index_dir, exc)
                    raise ApiError(503, UNAVAILABLE) from None
                with self._lock:
                    self._current = gen
        with self._lock:
            gen = self._current
            gen.users += 1
            return gen

    def release(self, gen: Generation) -> None:
        """A request is done with `gen`; the last user of a retired generation closes it."""
        with self._lock:
            gen.users -= 1
            close = gen.retired and gen.users == 0
        if close:
            _close_generation(gen, self.index_dir, self.logger)

    # --- reload ------------------------------------------------------------------------------------------
    def _target(self) -> Path | None:
        try:
            return Path(os.path.realpath(self.index_dir))
        except OSError:
            return None

    def _target_name(self) -> str | None:
        target = self._target()
        return target.name if target is not None else None

    def _maybe_check(self) -> None:
        """At most once per interval: start opening the new folder in the background when the link moved."""
        if self.interval <= 0:
            return
        now = time.monotonic()
        with self._lock:
            if self._loading or now - self._checked < self.interval or self._current is None:
                return
            self._checked = now
            current = self._current.folder
        target = self._target()
        if target is None or target == current or not (target / "manifest.json").is_file():
            return
        with self._lock:
            if self._loading:
                return
            self._loading = True
        threading.Thread(target=self._reload, name="policykb-reload", daemon=True).start()

    def _reload(self) -> None:
        try:
            with self._open_lock:
                try:
                    gen = _open_generation(self.index_dir, self.config)
                except Exception as exc:  # a broken new index: keep serving the old one, try again later
                    self.last_error = type(exc).__name__
                    self.logger.error("index %s changed but cannot be opened, still serving the previous "
                                      "one: %s", self.index_dir, exc)
                    return
                with self._lock:
                    old, self._current = self._current, gen
                    self.reloads += 1
                    self.last_reload_at = time.time()
                    self.last_error = None
                    close = old is not None and old.users == 0
                    if old is not None:
                        old.retired = True
                self.logger.info("index reloaded: now %s", gen.folder.name)
                if close:
                    _close_generation(old, self.index_dir, self.logger)
        finally:
            with self._lock:
                self._loading = False
                self._checked = time.monotonic()

    def switch(self) -> None:
        """Open the index now behind the link and switch new requests to it, in the caller's thread."""
        with self._lock:
            self._loading = True
        self._reload()

    def check_now(self) -> None:
        """Look for a new index at once (the next request's check), e.g. after a build in this process."""
        with self._lock:
            self._checked = 0.0

    def status(self) -> dict:
        """What /healthz reports about the index in use and its reloads."""
        with self._lock:
            gen = self._current
            loading = self._loading
        out: dict = {"reloads": self.reloads, "reloading": loading, "reload_interval": self.interval,
                     "last_reload_at": _iso(self.last_reload_at)}
        if self.last_error:
            out["last_error"] = self.last_error
        if gen is not None:
            m = gen.kb.manifest
            out.update({"version": gen.folder.name.lstrip("."),
                        "fingerprint": str(m.get("corpus_fingerprint", ""))[:16],
                        "built_at": m.get("built_at"), "vectors_added_at": m.get("vectors_added_at"),
                        "opened_at": _iso(gen.opened_at)})
        return out


def _iso(ts: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)) if ts else None


# --- the functions views call -----------------------------------------------------------------------------------
def init_kb(app: Flask, kb=None) -> None:
    """Make the app's index holder (a ready KnowledgeBase may be handed in: tests, `policykb serve`) and release
    each request's generation when the request ends."""
    app.extensions[_HOLDER] = IndexHolder(app.config["POLICYKB"], kb, app.logger)

    @app.teardown_request
    def _release_generation(_exc=None):
        gen = g.pop("policykb_generation", None)
        if gen is not None:
            app.extensions[_HOLDER].release(gen)


def served_kb(app: Flask):
    """The knowledge base new requests are served from, or None before the first one opened it (for /metrics,
    which must not open an index to report on it)."""
    gen = app.extensions[_HOLDER]._current
    return gen.kb if gen is not None else None


def holder() -> IndexHolder:
    return current_app.extensions[_HOLDER]


def generation() -> Generation:
    """This request's generation (taken on first use, kept until the request ends)."""
    gen = g.get("policykb_generation")
    if gen is None:
        gen = g.policykb_generation = holder().acquire()
    return gen


def open_kb(cfg, index_dir: Path | None = None):
    """Open the index (default Config.index_dir) the way the server does: bounded in-memory query LRU, no query
    vectors written to disk (anyone may type a query)."""
    from index.kb import KnowledgeBase

    return KnowledgeBase.open(index_dir or cfg.index_dir, cache_dir=cfg.cache_dir,
                              query_cache_size=cfg.query_cache_size, persist_queries=False)


def get_kb():
    """The KnowledgeBase this request reads (503 when no index can be opened)."""
    return generation().kb


def reload(app: Flask) -> None:
    """Switch new requests to the index now behind Config.index_dir, at once (an upload job in this process has
    just swapped it in); requests already running finish on the generation they hold."""
    app.extensions[_HOLDER].switch()


def get_ranker():
    """The Ranker over this request's knowledge base, with the region and query limit of the app's Config."""
    return generation().ranker


def get_map():
    """The ResponsibilityMap of this request's index folder (503 when the index has no duties table)."""
    gen = generation()
    if gen.rmap is None:
        current_app.logger.error("responsibility map unavailable: %s", gen.rmap_error)
        raise ApiError(503, "部门职责表不可用：本知识库建库时没有生成部门职责表，请用当前版本重建索引（policykb ingest）")
    return gen.rmap


def generation_cache() -> dict:
    """A dict for data derived from this request's index (dropped when the index is replaced)."""
    return generation().cache


def semantic_status() -> dict:
    """How far the semantic index is: `ready` (vectors in use), `building` with percent and ETA while
    `policykb embed` runs, `interrupted` when it stopped, or `none` (BM25 only)."""
    from index.embedding_job import read_progress

    h = holder()
    now = time.monotonic()
    cached = h.semantic
    if cached is not None and now - cached[0] < max(h.interval, 1.0) and cached[2] is g.get("policykb_generation"):
        return cached[1]
    gen = generation()
    job = read_progress(h.index_dir)
    has = bool(gen.kb.has_vectors)
    out: dict = {"state": "ready" if has else "none", "percent": 100.0 if has else 0.0}
    if job and job.get("state") in ("running", "interrupted", "failed") and job.get("embedder"):
        out = {"state": "building" if job["state"] == "running" else job["state"],
               "percent": float(job.get("percent") or 0.0), "done": job.get("done"), "total": job.get("total"),
               "eta_seconds": job.get("eta_seconds"), "rate": job.get("rate"),
               "serving_vectors": has}
    elif job and job.get("state") == "done" and not has and job.get("swapped_to") == h._target_name():
        out.update({"state": "building", "percent": 100.0})  # finished and swapped in: switching within seconds
    h.semantic = (now, out, g.get("policykb_generation"))
    return out
