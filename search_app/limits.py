"""Per-client rate limits (Flask-Limiter, in-memory storage): the expensive endpoints, and log-in attempts."""
from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter

# Endpoints that cost seconds of CPU per call (answer card, reply draft, .docx export): Config.rate_limit each.
EXPENSIVE = ("api.api_ask", "views.ask", "reply_views.reply", "reply_views.api_reply", "reply_views.api_reply_docx")


def init_limits(app: Flask) -> Limiter:
    """A limiter keyed by the client address (a trusted proxy's X-Forwarded-For hop); 429 with Retry-After."""
    from search_app.accounts import client_address

    limiter = Limiter(client_address, app=app, storage_uri="memory://", headers_enabled=True, strategy="moving-window")
    app.extensions["policykb_limiter"] = limiter
    return limiter


def limit_expensive(app: Flask, limiter: Limiter) -> None:
    """Apply Config.rate_limit to every registered endpoint in EXPENSIVE."""
    rate = app.config["POLICYKB"].rate_limit
    for endpoint in EXPENSIVE:
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(rate)(view)
