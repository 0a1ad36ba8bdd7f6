"""The API described by its code: every route is in the generated OpenAPI document, real responses validate
against their schemas, the docs page renders without script, and a bounded schemathesis pass against the real
`policykb serve` finds nothing."""
from __future__ import annotations

import re
import subprocess
import sys
from urllib.parse import quote

import jsonschema
import pytest


CITY = "示例市儿童友好条例@2023-09-01"

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def spec_of(client) -> dict:
    r = client.get("/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^<:>]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_api_route_is_in_the_spec(client, web_app):
    paths = spec_of(client)["paths"]
    rules = [r for r in web_app.url_map.iter_rules() if r.rule.startswith("/api") or r.rule == "/healthz"]
    assert len(rules) >= 11
    for rule in rules:
        path = openapi_path(rule.rule)
        assert path in paths, f"{rule.rule} is served but not in /openapi.json"
        for method in rule.methods & METHODS:
            assert method.lower() in paths[path], f"{method} {rule.rule} missing from the spec"
    for path in ("/api/reply", "/api/reply.docx", "/api/units", "/api/units/{name}"):
        assert path in paths


def validate(spec: dict, path: str, method: str, response) -> None:
    """Check one real response against the schema the spec declares for its status."""
    declared = spec["paths"][path][method]["responses"]
    status = str(response.status_code)
    assert status in declared, f"{method.upper()} {path} answered {status}, not declared"
    content = declared[status].get("content", {})
    assert response.mimetype in content, f"{path} {status}: {response.mimetype} not declared"
    schema = content[response.mimetype].get("schema")
    if response.mimetype == "application/json" and schema:
        jsonschema.validate(response.get_json(), {**schema, "components": spec["components"]},
                            cls=jsonschema.Draft202012Validator)


CALLS = [
    ("/healthz", "get", "/healthz", None),
    ("/api/search", "get", "/api/search?q=" + quote("学校周边网吧") + "&k=3", None),
    ("/api/search", "get", "/api/search?q=" + quote("  "), None),
    ("/api/search", "get", "/api/search?q=x&superseded=maybe", None),
    ("/api/ask", "get", "/api/ask?q=" + quote("哪个部门负责儿童网络关爱"), None),
    ("/api/ask", "get", "/api/ask?q=" + quote("学校周边二百米"), None),
    ("/api/basis", "get", "/api/basis?q=" + quote("校园安全"), None),
    ("/api/documents", "get", "/api/documents?superseded=1", None),
    ("/api/documents/{doc_id}", "get", "/api/documents/" + quote(CITY), None),
    ("/api/documents/{doc_id}", "get", "/api/documents/" + quote("没有这个文件"), None),
    ("/api/clauses/{clause_id}", "get", "/api/clauses/" + quote(CITY + "#第二条", safe=""), None),
    ("/api/reply", "post", "/api/reply", {"inquiry": "儿童网络关爱由哪个部门负责？"}),
    ("/api/reply", "post", "/api/reply", {"inquiry": 5}),
    ("/api/units", "get", "/api/units?topic=" + quote("网络"), None),
    ("/api/units/{name}", "get", "/api/units/" + quote("网信部门"), None),
    ("/api/units/{name}", "get", "/api/units/" + quote("不存在的单位"), None),
]


@pytest.mark.parametrize("path,method,url,body", CALLS, ids=[c[2][:40] for c in CALLS])
def test_real_responses_match_their_schemas(client, path, method, url, body):
    spec = spec_of(client)
    response = client.get(url) if method == "get" else client.post(url, json=body)
    validate(spec, path, method, response)


def test_ask_answer_items_declare_nullable_unit_and_duty(client):
    item = spec_of(client)["components"]["schemas"]["AnswerItemOut"]["properties"]
    assert {"type": "null"} in item["duty"]["anyOf"] and {"type": "null"} in item["unit"]["anyOf"]


def test_spec_bounds_follow_config(web_index, tmp_path):
    from search_app import create_app
    from tests.conftest import make_config

    c = create_app(make_config(web_index, tmp_path, max_query_chars=800, max_top_k=7)).test_client()
    params = {p["name"]: p["schema"] for p in spec_of(c)["paths"]["/api/search"]["get"]["parameters"]}
    assert params["q"]["maxLength"] == 800 and params["k"]["maximum"] == 7


def test_wrong_method_names_the_allowed_ones(client):
    r = client.put("/api/search?q=x")
    assert r.status_code == 405 and "GET" in r.headers["Allow"]
    assert r.get_json()["error"]["code"] == "method_not_allowed"


def test_reversed_date_range_is_an_empty_result_not_an_error(client):
    r = client.get("/api/search?q=" + quote("学校") + "&date_from=2024-05-01&date_to=2024-01-01")
    assert r.status_code == 200 and r.get_json()["results"] == []


def test_docs_page_is_readable_offline(client):
    page = client.get("/api/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    for path in ("/api/search", "/api/reply", "/api/reply.docx", "/api/units/{name}", "/openapi.json"):
        assert path in html
    assert "AnswerItemOut" in html and "最多字数" in html
    body = html.split("</head>")[1]
    assert "<script" not in body and "http://" not in html and "https://" not in html  # no CDN, no inline script
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


# --- schemathesis against the real server ------------------------------------------------------------------------
MAX_EXAMPLES = 50  # per operation and phase: ~1,500 cases in well under a minute on 2 busy cores


def test_spec_offers_dense_only_with_vectors(client):
    mode = next(p for p in spec_of(client)["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "mode")
    assert mode["schema"]["enum"] == ["best", "hybrid", "bm25"]  # the web index is BM25-only


def run_schemathesis(index_dir, tmp_path, phases: str, max_examples: int):
    from policykb.commands.serve import launched

    with launched(index_dir, tmp_path / "cache") as url:
        r = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", url + "/openapi.json", "--checks", "all",
             "--max-examples", str(max_examples), "--seed", "10", "--workers", "2", "--request-timeout", "60",
             "--max-response-time", "30",  # a shared 2-core machine: bound, but not a benchmark
             "--phases", phases, "--no-color"],
            capture_output=True, text=True, timeout=900, cwd=tmp_path)  # its .schemathesis cache stays out of the repo
    tail = r.stdout[-4000:]
    assert r.returncode == 0, tail
    assert re.search(r"\b[1-9]\d* generated\b", tail), tail  # cases were really sent


def test_schemathesis_finds_no_failures(web_index, tmp_path):
    """Every check schemathesis has (`--checks all`: status codes, content types, response schemas, headers, positive
    data accepted, negative data rejected, no 5xx, 405 with Allow, response time) over every operation, in the
    coverage phase (boundary values, wrong methods, missing parameters) and the fuzzing phase."""
    run_schemathesis(web_index, tmp_path, "examples,coverage,fuzzing", MAX_EXAMPLES)


def test_request_model_schema_is_built_once_and_handed_out_as_a_copy():
    """flask-openapi3 reads a query model's schema on every request: ours is cached, equal to pydantic's own, and a
    caller that edits its copy cannot change the next one."""
    from pydantic import BaseModel

    from search_app.schemas import SearchListQuery

    first = SearchListQuery.model_json_schema()
    assert first == BaseModel.model_json_schema.__func__(SearchListQuery)
    first["properties"].clear()
    assert SearchListQuery.model_json_schema()["properties"]
