"""The one error helper on the real app: unexpected exceptions, JSON bodies (the shared helper later blueprints use)
and content negotiation — each answered with the same envelope or the same HTML error page."""
from __future__ import annotations

import pytest
from flask import Blueprint, jsonify

from search_app import create_app
from search_app.params import json_body
from tests.conftest import make_config


@pytest.fixture()
def app_with_probes(web_index, tmp_path):
    """The real app plus two probe routes exercising the shared helpers."""
    probes = Blueprint("probes", __name__)

    @probes.get("/api/probe/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    @probes.get("/probe/boom")
    def boom_page():
        raise RuntimeError("secret internal detail")

    @probes.post("/api/probe/echo")
    def echo():
        return jsonify(json_body(max_bytes=64))

    app = create_app(make_config(web_index, tmp_path))
    app.register_blueprint(probes)
    return app


def test_unexpected_exception_is_a_500_envelope_without_internals(app_with_probes):
    c = app_with_probes.test_client()
    r = c.get("/api/probe/boom")
    assert r.status_code == 500
    assert r.get_json()["error"]["code"] == "internal_error"
    assert b"secret internal detail" not in r.data and b"Traceback" not in r.data
    page = c.get("/probe/boom")
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert "服务器内部错误" in page.get_data(as_text=True) and b"secret internal detail" not in page.data


def test_json_body_helper(app_with_probes):
    c = app_with_probes.test_client()
    assert c.post("/api/probe/echo", json={"inquiry": "x"}).get_json() == {"inquiry": "x"}
    r = c.post("/api/probe/echo", data="inquiry=x", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415 and r.get_json()["error"]["code"] == "unsupported_media_type"
    r = c.post("/api/probe/echo", data="[1, 2]", content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_json"
    r = c.post("/api/probe/echo", data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_json"
    r = c.post("/api/probe/echo", json={"inquiry": "长" * 100})
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "payload_too_large"


def test_json_clients_get_json_errors_on_page_urls(client):
    r = client.get("/documents/nothing-here", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    r = client.get("/documents/nothing-here", headers={"Accept": "text/html,application/json;q=0.9"})
    assert r.status_code == 404 and r.mimetype == "text/html"
