"""Stage 3: the Flask web app (检索 · 问答 · 文件 · 依据 pages and a JSON API) over a built knowledge base.

`create_app(config)` does no work at import time; the index opens on the first request that needs it.
"""
from __future__ import annotations

from flask import Flask

from policykb.config import Config

# Content-Security-Policy: only our own static files; no inline script or style, no framing, no plugins.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def blueprints() -> list:
    """Every blueprint the app serves, in one list (add a line here to add pages or endpoints)."""
    from search_app.api import bp as api_bp
    from search_app.manage import bp as manage_bp  # 文件管理 · 审计日志 (issue 14)
    from search_app.openapi import bp as openapi_bp
    from search_app.reply_views import bp as reply_bp  # 答复草稿 · 部门职责 (issue 6)
    from search_app.views import bp as views_bp

    return [views_bp, api_bp, reply_bp, manage_bp, openapi_bp]


def create_app(config: Config | None = None, kb=None) -> Flask:
    """Build the app for `config` (default: from the environment); `kb` may hand in an opened KnowledgeBase."""
    from flask_openapi3 import APIBlueprint

    from search_app.accounts import init_accounts
    from search_app.errors import register_error_handlers
    from search_app.jobs import init_jobs
    from search_app.kb import init_kb
    from search_app.limits import init_limits, limit_expensive
    from search_app.openapi import new_app, register
    from search_app.ops import init_ops
    from search_app.render import register_template_helpers

    config = config or Config.from_env()
    app = new_app(__name__)  # a Flask app that also builds the OpenAPI document from the routes' models
    app.config["POLICYKB"] = config
    app.config["MAX_CONTENT_LENGTH"] = config.max_upload_bytes  # JSON bodies have their own, smaller bound
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    init_kb(app, kb)
    init_ops(app)  # first: its timer wraps the other before_request hooks
    limiter = init_limits(app)
    init_accounts(app, limiter)
    for bp in blueprints():
        if isinstance(bp, APIBlueprint):
            register(app, bp)  # its routes and models go into the OpenAPI document
        else:
            app.register_blueprint(bp)
    limit_expensive(app, limiter)
    register_error_handlers(app)
    register_template_helpers(app)
    init_jobs(app)

    @app.after_request
    def _security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app
