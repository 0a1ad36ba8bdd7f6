"""Per-client rate limits (Flask-Limiter, in-memory storage): the expensive endpoints, and log-in attempts."""
from __future__ import annotations

import functools
import threading

from flask import Flask
from flask_limiter import Limiter

from search_app.errors import ApiError

# Endpoints that cost seconds of CPU per call (answer card, reply draft, .docx export): Config.rate_limit each.
EXPENSIVE = ("api.api_ask", "views.ask", "reply_views.reply", "reply_views.api_reply", "reply_views.api_reply_docx")


def init_limits(app: Flask) -> Limiter:
    """A limiter keyed by the client address (a trusted proxy's X-Forwarded-For hop); 429 with Retry-After."""
    from search_app.accounts import client_address

    limiter = Limiter(client_address, app=app, storage_uri="memory://", headers_enabled=False, strategy="moving-window")
    app.extensions["policykb_limiter"] = limiter
    return limiter


def _slotted(view, slots: threading.BoundedSemaphore):
    """`view` computed only when one of the shared slots is free; else 503 `busy` at once (a waiting request would
    hold a waitress thread that searches need, and the work is CPU-bound under one GIL anyway)."""

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if not slots.acquire(blocking=False):
            raise ApiError(503, "服务器正忙于生成其他答复，请几秒后重试", "busy")
        try:
            return view(*args, **kwargs)
        finally:
            slots.release()

    return guarded


def limit_expensive(app: Flask, limiter: Limiter) -> None:
    """Apply Config.rate_limit per client, and Config.expensive_slots across clients, to every endpoint in
    EXPENSIVE."""
    cfg = app.config["POLICYKB"]
    slots = app.extensions["policykb_slots"] = threading.BoundedSemaphore(max(1, cfg.expensive_slots))
    for endpoint in EXPENSIVE:
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(cfg.rate_limit)(_slotted(view, slots))
