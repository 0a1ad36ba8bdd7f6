"""Validation of request parameters: every value is bounded and checked, bad input -> ApiError 400 naming it.

Shared by the HTML views, the JSON API and later blueprints (reply drafts, 部门职责), so the rules are in one place.
"""
from __future__ import annotations

import re
from datetime import date

from flask import current_app, request

from answers.xmltext import xml_safe
from index.hit import Filters
from ingest.model import LEVELS
from ingest.validity import STATUSES
from search_app.errors import ApiError

MODES: tuple[str, ...] = ("best", "hybrid", "bm25", "dense")  # best = index.ranking.rerank pipeline
DEFAULT_TOP_K = 10
MAX_PAGE_SIZE = 100  # /api/documents?limit=…
MAX_FILTER_VALUES = 20  # repeated level=/region= values
MAX_FILTER_CHARS = 100  # one issuer/region value
MAX_JSON_BYTES = 64 * 1024  # request bodies of POST endpoints
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_JSON_SPECIAL = re.compile(rb'["\\\[\]{}]')
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def config():
    """The policykb Config the app was created with."""
    return current_app.config["POLICYKB"]


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


def query_param(name: str = "q", required: bool = True) -> str:
    """The query string parameter `name`, stripped, at most Config.max_query_chars characters."""
    return check_text(request.args.get(name), name, required=required)


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


def top_k_param(default: int = DEFAULT_TOP_K) -> int:
    """Results per request (`k`), 1…Config.max_top_k."""
    high = config().max_top_k
    return int_param("k", min(default, high), 1, high)


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


def choice_param(name: str, choices: tuple[str, ...], default: str) -> str:
    """One of a fixed set of values."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    if raw not in choices:
        raise ApiError(400, f"参数 {name} 应为 {'/'.join(choices)} 之一，收到 {raw[:20]!r}", "invalid_parameter")
    return raw


def mode_param() -> str:
    """Retrieval mode: best (default: analysed query, hybrid candidates, reranked), hybrid, bm25 or dense."""
    return choice_param("mode", MODES, "best")


def offset_param(high: int = 10_000_000) -> int:
    """The first result to show (`offset`, 0-based) of a paged list."""
    return int_param("offset", 0, 0, high)


def sort_param(choices: tuple[str, ...]) -> str:
    """How a result list is ordered (`sort`): one of `choices`, the first being the default."""
    return choice_param("sort", choices, choices[0])


def _date_param(name: str) -> str | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if _ISO_DATE.match(raw):
        try:
            date.fromisoformat(raw)
            return raw
        except ValueError:
            pass
    raise ApiError(400, f"参数 {name} 应为日期 YYYY-MM-DD，收到 {raw[:20]!r}", "invalid_parameter")


def _multi(name: str) -> tuple[str, ...]:
    """A repeatable parameter (level=法律&level=地方性法规 or level=法律,地方性法规), de-duplicated."""
    values: list[str] = []
    for raw in request.args.getlist(name):
        for part in re.split(r"[,，]", raw):
            part = part.strip()
            if not part:
                continue
            if len(part) > MAX_FILTER_CHARS:
                raise ApiError(400, f"参数 {name} 的值过长（上限 {MAX_FILTER_CHARS} 字）", "invalid_parameter")
            if part not in values:
                values.append(part)
    if len(values) > MAX_FILTER_VALUES:
        raise ApiError(400, f"参数 {name} 的取值过多（上限 {MAX_FILTER_VALUES} 个）", "invalid_parameter")
    return tuple(values)


def filters_param() -> Filters:
    """Filters from level=, region=, issuer=, date_from=, date_to=, superseded=, validity=."""
    levels = _multi("level")
    validity = _multi("validity")
    if (bad := [v for v in validity if v not in STATUSES]):
        raise ApiError(400, f"参数 validity 的值 {bad[0]!r} 不是已知的时效性（{'、'.join(STATUSES)}）", "invalid_parameter")
    unknown = [lv for lv in levels if lv not in LEVELS]
    if unknown:
        raise ApiError(400, f"参数 level 的值 {unknown[0]!r} 不是已知的文件层级（{'、'.join(LEVELS)}）", "invalid_parameter")
    date_from, date_to = _date_param("date_from"), _date_param("date_to")
    if date_from and date_to and date_from > date_to:
        raise ApiError(400, "参数 date_from 晚于 date_to", "invalid_parameter")
    return Filters(
        levels=levels,
        regions=_multi("region"),
        issuers=_multi("issuer"),
        date_from=date_from,
        date_to=date_to,
        include_superseded=bool_param("superseded", False),
        validity=validity,
    )


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
    return data
