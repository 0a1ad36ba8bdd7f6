"""`policykb serve`: the real command under waitress, on a free port, and its clear failure without an index."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from urllib.error import HTTPError
from urllib.parse import quote

from policykb.commands.serve import launched


def get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_serve_answers_pages_and_api_with_waitress(web_index, tmp_path):
    with launched(web_index, tmp_path) as url:
        status, headers, body = get(url + "/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert headers["Server"] == "policykb"  # waitress, identified; never Werkzeug's debug server
        status, headers, body = get(url + "/ask?q=" + quote("哪个部门负责儿童网络关爱"))
        assert status == 200 and "网信部门" in body.decode() and "Content-Security-Policy" in headers
        status, _, body = get(url + "/api/clauses/" + quote("没有#这一条", safe=""))
        assert status == 404 and json.loads(body)["error"]["code"] == "not_found"


def test_serve_without_index_fails_fast_with_the_fix(tmp_path):
    r = subprocess.run([sys.executable, "-m", "policykb", "serve", "--index", str(tmp_path / "none"), "--port", "0"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "cannot open the index" in r.stderr and "policykb ingest" in r.stderr


def test_serve_rejects_bad_workers(web_index):
    r = subprocess.run([sys.executable, "-m", "policykb", "serve", "--index", str(web_index), "--workers", "0"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--workers" in r.stderr
