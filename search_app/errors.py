"""One error envelope for the whole app: JSON `{"error": {...}}` under /api, an HTML page elsewhere.

Every error goes through `error_response`, so status, code and message always agree between API and pages.
"""
from __future__ import annotations

import re

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from index.errors import KBIndexError, PolicyKBError

# HTTP status -> machine-readable code used when a caller does not name one.
DEFAULT_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    409: "conflict",
    429: "rate_limited",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    500: "internal_error",
    503: "index_unavailable",
}

# Chinese titles for the HTML error page.
TITLES: dict[int, str] = {
    400: "请求有误",
    401: "请先登录",
    403: "没有权限",
    409: "无法执行",
    429: "请求过于频繁",
    404: "未找到",
    405: "不支持的请求方式",
    413: "请求内容过大",
    415: "不支持的内容类型",
    500: "服务器内部错误",
    503: "知识库暂不可用",
}


class ApiError(Exception):
    """Raised anywhere in a request to answer with the error envelope (status, code, message)."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or DEFAULT_CODES.get(status, "error")
        self.message = message


def wants_json() -> bool:
    """JSON for the API and health check (and callers that only accept JSON), HTML for pages."""
    path = request.path
    if path.startswith("/api/") or path == "/api" or path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes["text/html"] == 0


# An absolute POSIX path (not part of a URL): /a/b/c -> c. Server folders never reach a user.
_ABS_PATH = re.compile(r"(?<![\w./])/(?:[^\s/'\"()（）：:，,。；;]+/)+([^\s/'\"()（）：:，,。；;]*)")


def scrub_paths(message: str) -> str:
    """`message` with every absolute path shortened to its last component."""
    return _ABS_PATH.sub(lambda m: m.group(1) or "…", message)


def envelope(status: int, code: str, message: str) -> dict:
    """The error body every JSON error carries."""
    return {"error": {"status": status, "code": code, "message": message}}


def error_response(status: int, message: str, code: str | None = None) -> tuple[Response | str, int]:
    """Build the error answer for the current request: the JSON envelope or the HTML error page."""
    code = code or DEFAULT_CODES.get(status, "error")
    message = scrub_paths(message)
    if wants_json():
        return jsonify(envelope(status, code, message)), status
    html = render_template(
        "error.html", status=status, code=code, message=message, title=TITLES.get(status, "出错了")
    )
    return html, status


def register_error_handlers(app: Flask) -> None:
    """Route ApiError, werkzeug HTTP errors and unexpected exceptions through `error_response`."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        body, status = error_response(exc.status, exc.message, exc.code)
        if exc.code == "busy":  # overload, not a fault: say when to come back
            return body, status, {"Retry-After": "5"}
        return body, status

    @app.errorhandler(PolicyKBError)
    def _typed_error(exc: PolicyKBError):
        if isinstance(exc, KBIndexError):  # the detail names server folders: log it, show a plain message
            app.logger.error("index unavailable: %s", exc)
            return error_response(exc.status, "知识库暂不可用，请稍后重试或联系管理员重建索引", exc.code)
        return error_response(exc.status, exc.message, exc.code)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        message = {
            404: "请求的地址不存在",
            405: f"该地址不支持 {request.method} 请求",
            413: "请求内容过大",
            429: "请求过于频繁，请稍后再试",
        }.get(status, exc.description or exc.name)
        body, status = error_response(status, message)
        response = make_response(body, status)
        for name, value in exc.get_headers():  # e.g. the Allow header of a 405
            if name.lower() != "content-type":
                response.headers[name] = value
        limit = getattr(exc, "limit", None)  # flask_limiter.RateLimitExceeded: the window is the longest wait
        if status == 429 and limit is not None:
            response.headers["Retry-After"] = str(int(limit.limit.get_expiry()))
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        return error_response(500, "服务器内部错误，请稍后重试")
