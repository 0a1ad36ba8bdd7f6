"""Hypothesis fuzz of every API parameter and JSON body: whatever arrives, the answer is never a 5xx and always
the JSON envelope (real app, real index)."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_app import create_app
from tests.conftest import bearer

GET_ENDPOINTS = ["/api/search", "/api/ask", "/api/basis", "/api/documents", "/api/units", "/healthz",
                 "/api/documents/示例省校园安全办法@2021-09-01/compare", "/search", "/ask", "/basis", "/documents",
                 "/reply", "/units", "/login", "/metrics"]
PARAMS = ["q", "k", "mode", "level", "validity", "region", "issuer", "date_from", "date_to", "superseded", "offset",
          "limit", "topic", "page", "clause", "with", "next"]
PATH_ENDPOINTS = ["/api/documents/", "/api/clauses/", "/api/units/", "/api/jobs/", "/documents/", "/units/",
                  "/static/"]
POST_ENDPOINTS = ["/api/reply", "/api/reply.docx"]

text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", "0", "-1", "99999999999999999999", "1e9", "best", "dense", "法律", "2024-02-30",
                     "\x00", "\ud800", "../../etc/passwd", "%00", "<script>", "网信部门", "１２"]),
)
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)
bodies = st.one_of(
    st.dictionaries(st.sampled_from(["inquiry", "clause_ids", "draft", "x"]), json_value, max_size=4),
    st.fixed_dictionaries({"inquiry": text}, optional={"clause_ids": st.lists(text, max_size=20),
                                                       "draft": st.one_of(text, json_value)}),
    json_value,
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])


def _ok(r) -> None:
    assert r.status_code < 500, (r.status_code, r.get_data(as_text=True)[:300])
    if r.status_code >= 400 and r.mimetype == "application/json":
        assert set(r.get_json()["error"]) == {"status", "code", "message"}


@given(endpoint=st.sampled_from(GET_ENDPOINTS),
       params=st.lists(st.tuples(st.sampled_from(PARAMS), text), max_size=6))
@FUZZ
def test_get_parameters_never_5xx(client, endpoint, params):
    from urllib.parse import quote

    raw = "&".join(f"{k}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}" for k, v in params)  # any bytes
    _ok(client.get(f"{endpoint}?{raw}"))


@given(prefix=st.sampled_from(PATH_ENDPOINTS), tail=text)
@FUZZ
def test_path_parameters_never_5xx(client, prefix, tail):
    from urllib.parse import quote

    _ok(client.get(prefix + quote(tail.encode("utf-8", "surrogatepass"), safe="")))


@given(endpoint=st.sampled_from(POST_ENDPOINTS), body=bodies)
@FUZZ
def test_json_bodies_never_5xx(client, endpoint, body):
    raw = json.dumps(body, ensure_ascii=True)
    _ok(client.post(endpoint, data=raw, content_type="application/json"))


@given(endpoint=st.sampled_from(POST_ENDPOINTS), raw=st.binary(max_size=200))
@FUZZ
def test_raw_bodies_never_5xx(client, endpoint, raw):
    _ok(client.post(endpoint, data=raw, content_type="application/json"))


def test_write_endpoints_never_5xx(site):
    """The editor API with odd ids, files and methods."""
    app = create_app(site["config"])
    c = app.test_client()
    tok = bearer(site["tokens"]["editor"])

    @given(doc_id=text, name=text, data=st.binary(max_size=300),
           method=st.sampled_from(["POST", "PUT", "DELETE", "GET", "PATCH"]))
    @settings(max_examples=60, deadline=None)
    def run(doc_id, name, data, method):
        import io
        from urllib.parse import quote

        path = "/api/documents" if method == "POST" else "/api/documents/" + quote(
            doc_id.encode("utf-8", "surrogatepass"), safe="")
        files = {"file": (io.BytesIO(data), name.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))}
        r = c.open(path, method=method, headers=tok, data=files if method in ("POST", "PUT") else None)
        _ok(r)

    run()
    jobs = app.extensions["policykb_jobs"]
    assert jobs.wait_idle(180)
    assert all(j["state"] in ("done", "failed") for j in jobs.recent(100))
