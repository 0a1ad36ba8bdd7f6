"""Hardening benchmark (not a test): the real `policykb serve` under the cheap attacks of issue 14, side by side.

Rows: (1) a search while 150 idle sockets are held, waitress connection limit 100 (its default) vs 1000 (ours);
(2) searches while 4 clients export the largest .docx draft at once (20,000 characters, 10,000 lines);
(3) the on-disk embedding cache after 200 distinct anonymous queries (dense mode, bundled embedder);
(4) JSON nested 2,000 and 20,000 deep. Each figure comes from one run on this machine; compare within a run.

    python -m evaluation.bench_server            # builds a small index over ../shared/corpus/related (or corpus/)
"""
from __future__ import annotations

import json
import socket
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote

from index.build import build_index
from policykb.commands.serve import launched

REPO = Path(__file__).resolve().parent.parent
RELATED = REPO.parent / "shared" / "corpus" / "related"


def _get(url: str, timeout: float = 5.0) -> tuple[int, float]:
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            r.read()
            return r.status, time.perf_counter() - t0
    except HTTPError as e:
        return e.code, time.perf_counter() - t0
    except OSError:
        return 0, time.perf_counter() - t0


def _post(url: str, body: bytes, timeout: float = 120.0) -> tuple[int, float]:
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status, time.perf_counter() - t0
    except HTTPError as e:
        return e.code, time.perf_counter() - t0


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-server-"))
    corpus = RELATED if RELATED.is_dir() else REPO / "corpus"
    print(f"index over {corpus.name} (bundled embedder) in {tmp} …", file=sys.stderr)
    build_index([corpus], tmp / "index", embedder="bundled", cache_dir=REPO / "data" / "test-cache")
    env = {"POLICYKB_USERS_DB": str(tmp / "users.sqlite"), "POLICYKB_ACCESS_LOG": "", "POLICYKB_RATE_LIMIT": "100000/minute"}
    search = "/api/search?mode=bm25&q=" + quote("哪个部门负责未成年人网络保护")
    rows = []
    for limit in ("100", "1000"):
        with launched(tmp / "index", tmp / "cache", env={**env, "POLICYKB_CONNECTION_LIMIT": limit}) as url:
            _get(url + search)
            host, port = url[7:].split(":")
            idle = [socket.create_connection((host, int(port))) for _ in range(150)]
            status, seconds = _get(url + search)
            for s in idle:
                s.close()
            rows.append((f"search with 150 idle sockets, connection_limit {limit}",
                         f"{seconds:.3f} s" if status == 200 else f"no answer in {seconds:.0f} s", status or "timeout"))
    with launched(tmp / "index", tmp / "cache2", env=env, workers=4) as url:
        _get(url + search)
        draft = ("您好！\n" + "一\n" * 9990)[:20000]
        body = json.dumps({"inquiry": "学校欺凌找哪个部门", "draft": draft}, ensure_ascii=False).encode()
        results: list = []
        threads = [threading.Thread(target=lambda: results.append(_post(url + "/api/reply.docx", body)))
                   for _ in range(4)]
        for t in threads:
            t.start()
        lat = []
        while any(t.is_alive() for t in threads):
            lat.append(_get(url + search, timeout=60)[1])
            time.sleep(0.1)
        for t in threads:
            t.join()
        rows.append((f"4 concurrent .docx exports ({len(body) // 1024} KB each)",
                     f"slowest {max(s for _, s in results):.2f} s", ",".join(str(c) for c, _ in results)))
        rows.append(("searches during them", f"max {max(lat or [0]):.2f} s over {len(lat)}", "200"))
        for depth in (2_000, 20_000):
            raw = ('{"inquiry": "x", "clause_ids": ' + "[" * depth + "]" * depth + "}").encode()
            status, seconds = _post(url + "/api/reply.docx", raw)
            rows.append((f"JSON nested {depth:,} deep", f"{seconds * 1000:.0f} ms", status))
        before = _cache_rows(tmp / "cache2")
        for i in range(200):
            _get(url + "/api/search?mode=dense&q=" + quote(f"第{i}个关于未成年人保护的问题"), timeout=60)
        rows.append(("disk cache rows after 200 new dense queries", f"{_cache_rows(tmp / 'cache2') - before} added", "200"))
    print("| case | figure | status |\n|---|---|---|")
    for case, figure, status in rows:
        print(f"| {case} | {figure} | {status} |")
    return 0


def _cache_rows(cache_dir: Path) -> int:
    path = cache_dir / "embeddings.sqlite"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]


if __name__ == "__main__":
    sys.exit(main())
