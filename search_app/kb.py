"""The one place the app reaches the knowledge base and its Ranker: opened lazily on first use from the app's
Config, then shared read-only."""
from __future__ import annotations

import threading

from flask import Flask, current_app

from search_app.errors import ApiError

_EXT = "policykb_kb"
_LOCK = "policykb_kb_lock"
_RANKER = "policykb_ranker"


def init_kb(app: Flask, kb=None) -> None:
    """Prepare the lazy slot; a ready KnowledgeBase may be handed in (tests, embedding servers)."""
    app.extensions[_EXT] = kb
    app.extensions[_RANKER] = None
    app.extensions[_LOCK] = threading.Lock()


def get_kb():
    """The app's KnowledgeBase, opened from Config.index_dir on first call (503 when it cannot be opened)."""
    app = current_app._get_current_object()
    kb = app.extensions.get(_EXT)
    if kb is not None:
        return kb
    with app.extensions[_LOCK]:
        kb = app.extensions.get(_EXT)
        if kb is None:
            from index.kb import KnowledgeBase

            cfg = app.config["POLICYKB"]
            try:
                kb = KnowledgeBase.open(cfg.index_dir, cache_dir=cfg.cache_dir)
            except Exception as exc:  # missing or corrupt index: say so instead of a bare 500
                app.logger.error("cannot open index %s: %s", cfg.index_dir, exc)
                raise ApiError(503, f"知识库无法打开（{cfg.index_dir}）：{exc}") from None
            app.extensions[_EXT] = kb
    return kb


def get_ranker():
    """The app's Ranker over its knowledge base, with the region and query limit of the app's Config."""
    app = current_app._get_current_object()
    ranker = app.extensions.get(_RANKER)
    kb = get_kb()
    if ranker is None or ranker.kb is not kb:
        from index.ranking.ranker import Ranker

        ranker = app.extensions[_RANKER] = Ranker.from_config(kb, app.config["POLICYKB"])
    return ranker
