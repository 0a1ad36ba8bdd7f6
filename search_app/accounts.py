"""Accounts in the web app: who is asking (session, API token or trusted proxy), what they may do, log-in pages.

Flask-Login keeps the session; `Authorization: Bearer <token>` authenticates API clients (no cookie, so no CSRF);
a reverse proxy's remote-user header is believed only from Config.trusted_proxies. Flask-WTF's CSRF protection
covers every form and every cookie-authenticated write. Readers are anonymous unless Config.read_login.
"""
from __future__ import annotations

import functools
import secrets
from pathlib import Path

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, url_for
from flask_login import AnonymousUserMixin, LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from search_app import userdb
from search_app.errors import ApiError, error_response

bp = Blueprint("accounts", __name__)

# Endpoints anyone may reach even when Config.read_login is on (logging in, health and metrics probes, assets).
OPEN_ENDPOINTS = {"accounts.login", "accounts.logout", "static", "api.healthz", "ops.metrics"}
# POST endpoints that only read (they compose a draft); they are JSON-only, so a cross-site form cannot reach them.
READ_ONLY_POSTS = {"reply_views.api_reply", "reply_views.api_reply_docx"}


class SessionUser(UserMixin):
    """The Flask-Login view of a userdb.User."""

    def __init__(self, user: userdb.User, via: str) -> None:
        self.user = user
        self.via = via  # session | token | proxy

    def get_id(self) -> str:
        return self.user.name

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def role(self) -> str:
        return self.user.role

    def may(self, role: str) -> bool:
        return self.user.may(role)


class Anonymous(AnonymousUserMixin):
    name = ""
    role = ""
    via = ""

    def may(self, role: str) -> bool:
        return False


def users_path() -> Path:
    return current_app.config["POLICYKB"].users_path


def client_address() -> str:
    """The client's address: the socket peer, or the last X-Forwarded-For hop when the peer is a trusted proxy."""
    peer = request.remote_addr or ""
    if peer in current_app.config["POLICYKB"].trusted_proxies:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if hops:
            return hops[-1][:64]
    return peer


def _secret_key(cfg) -> str:
    """Config.secret_key, else a key generated once and kept (mode 0600) beside the users database."""
    if cfg.secret_key:
        return cfg.secret_key
    path = cfg.users_path.parent / "secret_key"
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.touch(mode=0o600)
    path.write_text(key, encoding="ascii")
    return key


def _request_user():
    """A user from `Authorization: Bearer …` or a trusted proxy's header; None when neither is present."""
    cfg = current_app.config["POLICYKB"]
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        user = userdb.user_for_token(cfg.users_path, auth[7:].strip()[:200])
        if user is None:  # anonymous for reading; a write answers invalid_token (see _unauthenticated)
            g.policykb_bad_token = True
            return None
        return SessionUser(user, "token")
    if cfg.trusted_proxies and request.remote_addr in cfg.trusted_proxies:
        name = request.headers.get(cfg.remote_user_header, "").strip()
        user = userdb.get_user(cfg.users_path, name) if name else None
        if user is not None:
            return SessionUser(user, "proxy")
    return None


def init_accounts(app: Flask, limiter) -> None:
    """Sessions, CSRF, the log-in pages (rate-limited by Config.login_rate_limit) and the read_login gate."""
    cfg = app.config["POLICYKB"]
    app.config["SECRET_KEY"] = _secret_key(cfg)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked below: every form, and writes made with a session
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # valid for the session (a long upload form must not expire)
    csrf = CSRFProtect(app)
    app.extensions["policykb_csrf"] = csrf

    manager = LoginManager(app)
    manager.anonymous_user = Anonymous
    manager.session_protection = "strong"

    @manager.user_loader
    def _load(name: str):
        user = userdb.get_user(users_path(), name)
        return SessionUser(user, "session") if user else None

    @manager.request_loader
    def _from_request(_request):
        return _request_user()

    @manager.unauthorized_handler
    def _unauthorized():
        raise ApiError(401, "请先登录", "unauthenticated")

    @app.before_request
    def _gate():
        if request.routing_exception is not None:  # no such route or method: its 404/405 comes first
            return None
        endpoint = request.endpoint or ""
        if endpoint in OPEN_ENDPOINTS:
            pass
        elif cfg.read_login and not current_user.is_authenticated:
            if request.method == "GET" and not request.path.startswith("/api/"):
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            raise _unauthenticated("本知识库需要登录后使用")
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.path.startswith("/api/"):
            csrf.protect()  # every HTML form, logged in or not

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        return error_response(400, "表单已过期或缺少安全令牌（CSRF），请刷新页面后重试", "csrf_failed")

    app.register_blueprint(bp)
    app.view_functions["accounts.login"] = limiter.limit(cfg.login_rate_limit, methods=["POST"])(login)


def require_role(role: str):
    """Decorator for writes: 401 without a user, 403 below `role`; a session (cookie) write must carry the CSRF
    token (X-CSRFToken header or csrf_token form field)."""

    def wrap(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            if not current_user.is_authenticated:
                raise _unauthenticated("请先登录（编辑或管理员账户）")
            if not current_user.may(role):
                raise ApiError(403, f"账户 {current_user.name} 没有{ROLE_LABELS[role]}权限", "forbidden")
            if current_user.via == "session" and request.method not in ("GET", "HEAD"):
                current_app.extensions["policykb_csrf"].protect()
            return view(*args, **kwargs)

        return checked

    return wrap


ROLE_LABELS = {"reader": "阅读", "editor": "编辑", "admin": "管理员"}


def _safe_next(target: str | None) -> str:
    """Only local paths are followed after log-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target[:500]
    return url_for("views.search")


@bp.route("/login", methods=["GET", "POST"])
def login():
    nxt = request.values.get("next")
    if request.method == "GET":
        return render_template("login.html", page="login", next=nxt or "", error=None)
    name = (request.form.get("name") or "").strip()[:userdb.NAME_CHARS]
    password = (request.form.get("password") or "")[:1000]
    user = userdb.authenticate(users_path(), name, password) if name and password else None
    if user is None:
        userdb.audit(users_path(), name or "-", "login.failed", client_address())
        return render_template("login.html", page="login", next=nxt or "", error="用户名或密码错误"), 401
    login_user(SessionUser(user, "session"))
    userdb.audit(users_path(), user.name, "login", client_address())
    return redirect(_safe_next(nxt))


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("views.search"))


def _user_or_none():
    """current_user, or None when anonymous (a revoked or invalid token counts as anonymous)."""
    return current_user if current_user.is_authenticated else None


def _unauthenticated(message: str) -> ApiError:
    """The 401 for a request without a user: invalid_token when it sent a token that is not (or no longer) valid."""
    if g.get("policykb_bad_token"):
        return ApiError(401, "API 令牌无效或已撤销", "invalid_token")
    return ApiError(401, message, "unauthenticated")


def who() -> str:
    """The current user's name for the audit log and access log ('' when anonymous)."""
    u = _user_or_none()
    return u.name if u is not None else ""


def template_user() -> dict:
    """What the page header shows: name and role, or nothing for an anonymous reader."""
    u = _user_or_none()
    return {"name": u.name, "role": u.role, "label": ROLE_LABELS.get(u.role, "")} if u is not None else {}
