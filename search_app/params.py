"""What request checking the schema models (search_app.schemas) do not do: the JSON body's media type, size and
nesting depth, the form fields of the HTML pages (check_text, int_param, bool_param), and the query-string form of
Filters for links that keep the current filters."""
from __future__ import annotations

import re

from flask import current_app, request

from answers.xmltext import xml_safe
from index.hit import Filters
from search_app.errors import ApiError

MAX_JSON_BYTES = 64 * 1024  # request bodies of POST endpoints
_JSON_SPECIAL = re.compile(rb'["\\\[\]{}]')
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def config():
    """The policykb Config the app was created with."""
    return current_app.config["POLICYKB"]


def require_json() -> None:
    """Before a POST view whose body a model validates: the same 413/415/400 answers as json_body."""
    if request.method == "POST":
        json_body()


def check_text(value: object, name: str, max_chars: int | None = None, required: bool = True) -> str:
    """Strip and bound one free-text value (query, inquiry…); raise 400 naming the parameter."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApiError(400, f"参数 {name} 应为字符串", "invalid_parameter")
    if "\x00" in value:
        raise ApiError(400, f"参数 {name} 含有非法字符", "invalid_parameter")
    text = xml_safe(value).strip()  # \f from pdftotext, \v, lone surrogates: never reach a .docx
    if required and not text:
        raise ApiError(400, f"缺少参数 {name}", "missing_parameter")
    limit = max_chars if max_chars is not None else config().max_query_chars
    if len(text) > limit:
        raise ApiError(400, f"参数 {name} 过长：{len(text)} 字，上限 {limit} 字", "query_too_long")
    return text


def int_param(name: str, default: int, low: int, high: int) -> int:
    """An integer parameter within [low, high]; absent -> default."""
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ApiError(400, f"参数 {name} 应为整数，收到 {raw[:20]!r}", "invalid_parameter") from None
    if not low <= value <= high:
        raise ApiError(400, f"参数 {name} 应在 {low} 到 {high} 之间，收到 {value}", "invalid_parameter")
    return value


def bool_param(name: str, default: bool = False) -> bool:
    """A yes/no flag: 1/true/yes/on or 0/false/no/off."""
    raw = request.args.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ApiError(400, f"参数 {name} 应为 0 或 1，收到 {raw[:20]!r}", "invalid_parameter")


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


def json_depth(raw: bytes) -> int:
    """How deeply arrays/objects nest in a JSON text (strings skipped), in linear time and without recursion."""
    depth = deepest = 0
    in_string, skip = False, -1
    for m in _JSON_SPECIAL.finditer(raw):
        i = m.start()
        if i == skip:  # the character after a backslash inside a string
            continue
        c = raw[i]
        if in_string:
            if c == 0x5C:
                skip = i + 1
            elif c == 0x22:
                in_string = False
        elif c == 0x22:
            in_string = True
        elif c in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(value):
    """`value` with every lone surrogate in its strings (keys too) replaced by U+FFFD (depth is already bounded)."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_no_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_no_surrogates(k): _no_surrogates(v) for k, v in value.items()}
    return value


def json_body(max_bytes: int = MAX_JSON_BYTES) -> dict:
    """The JSON object body of a POST request; 413/415/400 with a clear message otherwise (never a RecursionError:
    nesting deeper than Config.max_json_depth is refused before parsing)."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, f"请求体过大（上限 {max_bytes} 字节）")
    if not request.is_json:
        raise ApiError(415, "请求体应为 JSON（Content-Type: application/json）")
    raw = request.get_data(cache=True)
    if len(raw) > max_bytes:
        raise ApiError(413, f"请求体过大（上限 {max_bytes} 字节）")
    limit = config().max_json_depth
    if json_depth(raw) > limit:
        raise ApiError(400, f"请求体 JSON 嵌套过深（上限 {limit} 层）", "invalid_json")
    data = _no_surrogates(request.get_json(silent=True))  # JSON "\ud800" decodes to a string nothing can encode
    if not isinstance(data, dict):
        raise ApiError(400, "请求体应为 JSON 对象", "invalid_json")
    request._cached_json = (data, data)  # the body model (flask-openapi3 reads get_json) sees the cleaned body
    return data
