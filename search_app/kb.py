"""The one place the app reaches the knowledge base and its Ranker: opened lazily on first use from the app's
Config, then shared read-only; `reload(app)` switches to a freshly built index (called after an upload job)."""
from __future__ import annotations

import threading

from flask import Flask, current_app

from search_app.errors import ApiError

_EXT = "policykb_kb"
_LOCK = "policykb_kb_lock"
_RANKER = "policykb_ranker"
_MAP = "policykb_units_map"  # the ResponsibilityMap built over the open index (search_app.reply_views)


def init_kb(app: Flask, kb=None) -> None:
    """Prepare the lazy slot; a ready KnowledgeBase may be handed in (tests, embedding servers)."""
    app.extensions[_EXT] = kb
    app.extensions[_RANKER] = None
    app.extensions[_MAP] = None
    app.extensions[_LOCK] = threading.Lock()


def open_kb(cfg):
    """Open Config.index_dir the way the server does: bounded in-memory query LRU, no query vectors on disk."""
    from index.kb import KnowledgeBase

    return KnowledgeBase.open(cfg.index_dir, cache_dir=cfg.cache_dir, query_cache_size=cfg.query_cache_size,
                              persist_queries=False)


def get_kb():
    """The app's KnowledgeBase, opened from Config.index_dir on first call (503 when it cannot be opened)."""
    app = current_app._get_current_object()
    kb = app.extensions.get(_EXT)
    if kb is not None:
        return kb
    with app.extensions[_LOCK]:
        kb = app.extensions.get(_EXT)
        if kb is None:
            try:
                kb = open_kb(app.config["POLICYKB"])
            except Exception as exc:  # missing or corrupt index: say so (full folder only in the log)
                app.logger.error("cannot open index %s: %s", app.config["POLICYKB"].index_dir, exc)
                raise ApiError(503, f"知识库无法打开：{exc}") from None  # error_response drops the folders
            app.extensions[_EXT] = kb
    return kb


def reload(app: Flask) -> None:
    """Switch new requests to the index now behind Config.index_dir (after a rebuild swapped it in).

    The new knowledge base is opened before the switch, so requests never see a missing one; requests already
    running keep the object they hold (it is not closed here). The live-reload work (issue 14 item 1) may replace
    this function; upload jobs call only it."""
    kb = open_kb(app.config["POLICYKB"])
    with app.extensions[_LOCK]:
        app.extensions[_EXT] = kb
        app.extensions[_RANKER] = None
        app.extensions[_MAP] = None


def get_ranker():
    """The app's Ranker over its knowledge base, with the region and query limit of the app's Config."""
    app = current_app._get_current_object()
    ranker = app.extensions.get(_RANKER)
    kb = get_kb()
    if ranker is None or ranker.kb is not kb:
        from index.ranking.ranker import Ranker

        ranker = app.extensions[_RANKER] = Ranker.from_config(kb, app.config["POLICYKB"])
    return ranker
