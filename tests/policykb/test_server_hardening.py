"""The real `policykb serve` on 127.0.0.1: idle sockets do not stop it, waitress's own errors are as safe as the
app's, /metrics and the JSON access log, and a kill -9 during an upload-triggered build loses nothing."""
from __future__ import annotations

import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request

import pytest

from index.build import build_index
from index.kb import KnowledgeBase
from policykb.commands.serve import launched
from tests.conftest import add_user, bearer


def get(url: str, headers: dict | None = None, timeout: float = 10.0):
    from urllib.parse import quote

    req = urllib.request.Request(quote(url, safe=":/?&=%"), headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def post_file(url: str, name: str, data: bytes, token: str):
    boundary = "policykbtestboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", **bearer(token)})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, json.loads(r.read())


@pytest.fixture
def served(web_index, tmp_path):
    env = {"POLICYKB_USERS_DB": str(tmp_path / "users.sqlite"), "POLICYKB_EMBEDDER": "none",
           "POLICYKB_CHANNEL_TIMEOUT": "30", "POLICYKB_ACCESS_LOG": str(tmp_path / "access.jsonl")}
    with launched(web_index, tmp_path / "cache", workers=2, env=env) as url:
        yield url, tmp_path


def test_150_idle_sockets_do_not_stop_the_server(served):
    url, _ = served
    host, port = url.removeprefix("http://").split(":")
    assert get(f"{url}/api/search?q=网信部门&mode=bm25")[0] == 200  # warm: index and tokenizer loaded
    idle = [socket.create_connection((host, int(port)), timeout=5) for _ in range(150)]
    try:
        for s in idle[::2]:
            s.sendall(b"GET /api/search?q=")  # half a request line, never finished (slowloris)
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            status, _, _ = get(f"{url}/api/search?q=网信部门&mode=bm25", timeout=5)
            times.append(time.perf_counter() - t0)
            assert status == 200
        assert max(times) < 1.0, times
    finally:
        for s in idle:
            s.close()


def _raw(url: str, payload: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(payload)
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except ConnectionResetError:  # the server closed with our surplus bytes unread: its answer came first
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def test_waitress_errors_carry_the_envelope_and_headers(served):
    url, _ = served
    cases = {
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n": 431,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5<script>\r\n\r\n": 400,
        b"POST /api/reply HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz<script>\r\n": 400,
    }
    for payload, status in cases.items():
        head, _, body = _raw(url, payload).partition(b"\r\n\r\n")
        assert head.split(b" ")[1] == str(status).encode(), head
        assert b"X-Content-Type-Options: nosniff" in head and b"application/json" in head
        error = json.loads(body)["error"]
        assert error["status"] == status and b"<script>" not in body and b"waitress" not in body


def test_metrics_and_access_log(served):
    url, tmp = served
    get(f"{url}/api/search?q=网信部门&mode=bm25")
    get(f"{url}/api/search?q=")
    status, headers, body = get(f"{url}/metrics")
    text = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert 'policykb_http_requests_total{endpoint="/api/search",method="GET",status="200"} 1.0' in text
    assert 'policykb_http_errors_total{endpoint="/api/search",status="400"} 1.0' in text
    assert 'policykb_http_request_seconds_bucket{endpoint="/api/search",le="1.0"}' in text
    assert "policykb_index_built_timestamp_seconds" in text and "policykb_index_documents 4.0" in text
    assert 'policykb_jobs{state="running"} 0.0' in text
    lines = [json.loads(line) for line in (tmp / "access.jsonl").read_text(encoding="utf-8").splitlines()]
    search = [r for r in lines if r["path"] == "/api/search"]
    assert {r["status"] for r in search} == {200, 400}
    assert set(search[0]) >= {"ts", "client", "user", "method", "path", "endpoint", "status", "bytes", "ms"}


def _numbered(n: int) -> str:
    digits = "零一二三四五六七八九"

    def cn(i: int) -> str:
        out, units = "", ["", "十", "百", "千"]
        s = str(i)
        for pos, ch in enumerate(s):
            d = int(ch)
            unit = units[len(s) - pos - 1]
            if d:
                out += ("" if (d == 1 and unit == "十" and pos == 0) else digits[d]) + unit
            elif out and not out.endswith("零") and pos != len(s) - 1:
                out += "零"
        return out.rstrip("零")

    return "\n\n".join(f"第{cn(i)}条 第{i}项示范工作由编号{i}的部门负责统筹协调和监督检查，确保任务落实到位。"
                       for i in range(1, n + 1))


def test_kill_9_during_an_upload_build_keeps_the_old_index_and_resumes(web_corpus, tmp_path):
    index_dir = tmp_path / "data" / "index"
    build_index([web_corpus], index_dir, embedder="none")
    before = KnowledgeBase.open(index_dir)
    old_docs = before.count_documents()
    before.close()
    users = tmp_path / "data" / "users.sqlite"
    token = add_user(users, "editor", "editor")
    env = {"POLICYKB_USERS_DB": str(users), "POLICYKB_EMBEDDER": "none", "POLICYKB_ACCESS_LOG": ""}
    big = ("# 示例市大型工作规则\n\n2024年1月1日 示例市人民政府公布\n\n<!-- INFO END -->\n\n" + _numbered(3000)).encode()
    procs: list = []
    with launched(index_dir, tmp_path / "cache", workers=2, env=env, proc_out=procs) as url:
        status, job = post_file(f"{url}/api/documents", "示例市大型工作规则(2024-01-01).md", big, token)
        assert status == 202
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            _, _, body = get(url + job["url"], bearer(token))
            state = json.loads(body)
            if state["state"] == "running" and state["stage"] not in ("check", "move"):
                break
            time.sleep(0.02)
        os.kill(procs[0].pid, signal.SIGKILL)
        procs[0].wait()
        killed_at = state
    # the old index still opens and serves; no half-written one is behind the link
    after = KnowledgeBase.open(index_dir)
    assert after.count_documents() in (old_docs, old_docs + 1)
    after.close()
    assert killed_at["state"] == "running", killed_at
    with launched(index_dir, tmp_path / "cache", workers=2, env=env) as url:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            state = json.loads(get(url + job["url"], bearer(token))[2])
            if state["state"] in ("done", "failed"):
                break
            time.sleep(0.2)
        assert state["state"] == "done", state  # resumed after the restart
        status, _, body = get(f"{url}/api/search?q=编号2999的部门负责统筹协调&mode=bm25")
        assert status == 200 and "示例市大型工作规则" in body.decode()
