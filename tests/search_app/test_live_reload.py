"""Live reload under load: a real waitress server on 127.0.0.1, 20 client threads, a rebuild in another process
adds a document; it becomes searchable within seconds with no error and no 503, and the old folder goes away
once no request holds it. Also the semantic-progress badge and /healthz fields."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from waitress import create_server

from index.build import build_index
from index.embedding_job import write_progress
from policykb.config import Config
from search_app import create_app
from tests.conftest import write

REPO = Path(__file__).resolve().parents[2]
NEW_DOC = """# 示例区校车安全管理细则

<!-- INFO END -->

第一条 校车驾驶人应当每日出车前检查车门紧急开关，发现故障立即停驶并报告。
"""
NEW_WORD = "紧急开关"


@contextmanager
def serving(app, threads: int = 8):
    server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="policykb-test")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=10)


def _get(url: str, timeout: float = 30.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def test_rebuild_under_20_clients_is_served_within_seconds_without_errors(small_corpus, tmp_path):
    index_dir = tmp_path / "kb"
    build_index([small_corpus], index_dir, embedder="none")
    old_folder = index_dir.resolve()
    app = create_app(Config(index_dir=index_dir, cache_dir=tmp_path / "cache", embedder="none",
                            reload_interval=0.5))
    stop = threading.Event()
    statuses: dict[int, int] = {}
    errors: list[str] = []
    first_seen: list[float] = []
    leaks: list[str] = []
    lock = threading.Lock()
    q = urllib.parse.quote(NEW_WORD)

    with serving(app) as base:
        paths = [f"/api/search?q={q}&mode=bm25", "/api/search?q=%E5%AE%89%E5%85%A8%E5%BA%A7%E6%A4%85&mode=bm25",
                 "/healthz", "/api/units", "/units", "/documents"]

        def client(n: int) -> None:
            i = n
            while not stop.is_set():
                path = paths[i % len(paths)]
                i += 1
                try:
                    status, body = _get(base + path)
                except Exception as exc:  # a refused or dropped connection is an error too
                    with lock:
                        errors.append(f"{path}: {type(exc).__name__}: {exc}")
                    continue
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    if status != 200:
                        errors.append(f"{path}: {status} {body[:200]}")
                    if str(tmp_path) in body:
                        leaks.append(path)
                    if path.startswith("/api/search?q=" + q) and status == 200 and not first_seen:
                        if json.loads(body)["results"]:
                            first_seen.append(time.monotonic())

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(20)]
        for t in threads:
            t.start()
        time.sleep(2.0)  # load running against the first index
        write(small_corpus, "规范性文件/示例区校车安全管理细则(2024-03-01).md", NEW_DOC)
        env = dict(os.environ, PYTHONPATH=str(REPO))
        build = subprocess.Popen([sys.executable, "-m", "policykb", "ingest", str(small_corpus), "--index",
                                  str(index_dir), "--embedder", "none", "--no-progress"], cwd=REPO, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        swapped = None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and swapped is None:
            if index_dir.resolve() != old_folder:
                swapped = time.monotonic()
            time.sleep(0.02)
        assert build.wait(timeout=300) == 0, build.stderr.read()
        build.stderr.close()
        assert swapped is not None, "the rebuild never swapped the index"
        while time.monotonic() < swapped + 15 and not first_seen:
            time.sleep(0.05)
        time.sleep(1.0)  # keep the load on across the switch
        stop.set()
        for t in threads:
            t.join(timeout=60)
        served = sum(statuses.values())
        assert first_seen, "the new document never became searchable"
        latency = first_seen[0] - swapped
        print(f"\nlive reload: new document searchable {latency:.2f} s after the swap; "
              f"{served} requests from 20 clients, statuses {statuses}, errors {len(errors)}")
        assert latency <= 10.0
        assert errors == [] and set(statuses) == {200} and served > 100
        assert leaks == []  # no server path in any answer
        # the old folder is removed once no request holds it; /units and /api/units keep working
        deadline = time.monotonic() + 10
        while old_folder.exists() and time.monotonic() < deadline:
            _get(base + "/healthz")
            time.sleep(0.2)
        assert not old_folder.exists()
        for path in ("/units", "/api/units", f"/api/search?q={q}&mode=bm25"):
            status, body = _get(base + path)
            assert status == 200, (path, body[:300])
        status, body = _get(base + "/healthz")
        health = json.loads(body)
        assert health["index"]["version"] == index_dir.resolve().name.lstrip(".")
        assert health["index"]["reloads"] == 1 and health["index"]["built_at"]
        assert health["documents"] == 4 and str(tmp_path) not in body


def test_semantic_progress_shows_on_healthz_and_in_the_header(small_corpus, tmp_path):
    index_dir = tmp_path / "kb"
    build_index([small_corpus], index_dir, embedder="none")
    app = create_app(Config(index_dir=index_dir, cache_dir=tmp_path / "cache", embedder="none",
                            reload_interval=0))
    c = app.test_client()
    assert c.get("/healthz").get_json()["semantic"]["state"] == "none"
    assert "仅关键词检索" in c.get("/").get_data(as_text=True)
    write_progress(index_dir, state="running", embedder="bundled:x", folder=index_dir.resolve().name, total=200,
                   done=86, percent=43.0, rate=2.0, eta_seconds=57, pid=os.getpid(), host=socket.gethostname())
    time.sleep(1.1)  # the status is re-read at most once a second
    semantic = c.get("/healthz").get_json()["semantic"]
    assert semantic["state"] == "building" and semantic["percent"] == 43.0 and semantic["eta_seconds"] == 57
    page = c.get("/search?q=安全").get_data(as_text=True)
    assert "语义索引 43%" in page and "86/200" in page
    write_progress(index_dir, state="running", embedder="bundled:x", folder="x", total=200, done=90,
                   percent=45.0, pid=2 ** 22 + 12345, host=socket.gethostname())  # a job whose process is gone
    time.sleep(1.1)
    assert c.get("/healthz").get_json()["semantic"]["state"] == "interrupted"
    assert "语义索引 45%（已暂停）" in c.get("/").get_data(as_text=True)


def test_a_running_app_picks_up_vectors_from_policykb_embed_without_restart(small_corpus, tmp_path, gt_model):
    from index.embedding_job import embed_index

    spec = f"st:{gt_model}"
    index_dir = tmp_path / "kb"
    build_index([small_corpus], index_dir, embedder="none")
    app = create_app(Config(index_dir=index_dir, cache_dir=tmp_path / "cache", embedder="none",
                            reload_interval=0.2))
    c = app.test_client()
    dense = "/api/search?q=%E5%AE%89%E5%85%A8%E5%BA%A7%E6%A4%85&mode=dense"
    assert c.get(dense).status_code == 400  # no vectors yet: dense search is refused, BM25 answers
    assert c.get("/api/search?q=%E5%AE%89%E5%85%A8%E5%BA%A7%E6%A4%85&mode=bm25").status_code == 200
    embed_index(index_dir, spec, cache_dir=tmp_path / "cache", batch_size=4)
    deadline = time.monotonic() + 10
    while c.get(dense).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert c.get(dense).get_json()["results"]
    health = c.get("/healthz").get_json()
    assert health["semantic"]["state"] == "ready" and health["index"]["vectors_added_at"]
    assert health["index"]["reloads"] == 1
    assert "/" not in health["manifest"]["embedder"].split("…/")[-1]  # the model's server path is cut
    assert "仅关键词检索" not in c.get("/").get_data(as_text=True) and "语义索引" not in c.get("/").get_data(as_text=True)
