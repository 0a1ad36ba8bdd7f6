"""What request checking the schema models (search_app.schemas) do not do: the JSON body's media type and size,
and the query-string form of Filters for links that keep the current filters."""
from __future__ import annotations

from flask import request

from index.hit import Filters
from search_app.errors import ApiError

MAX_JSON_BYTES = 64 * 1024  # request bodies of POST endpoints


def json_body(max_bytes: int = MAX_JSON_BYTES) -> dict:
    """The JSON object body of a POST request; 413/415/400 with a clear message otherwise."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, f"请求体过大（上限 {max_bytes} 字节）")
    if not request.is_json:
        raise ApiError(415, "请求体应为 JSON（Content-Type: application/json）")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "请求体应为 JSON 对象", "invalid_json")
    return data


def require_json() -> None:
    """Before a POST view whose body a model validates: the same 413/415/400 answers as json_body."""
    if request.method == "POST":
        json_body()


def filters_to_args(filters: Filters) -> dict:
    """The query-string form of Filters (for links that keep the current filters)."""
    args: dict = {}
    if filters.levels:
        args["level"] = list(filters.levels)
    if filters.regions:
        args["region"] = list(filters.regions)
    if filters.issuers:
        args["issuer"] = list(filters.issuers)
    if filters.date_from:
        args["date_from"] = filters.date_from
    if filters.date_to:
        args["date_to"] = filters.date_to
    if filters.include_superseded:
        args["superseded"] = "1"
    if filters.validity:
        args["validity"] = list(filters.validity)
    return args
