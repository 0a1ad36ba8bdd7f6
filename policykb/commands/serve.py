"""`policykb serve`: the web app under waitress (a production WSGI server, never Flask's debug server)."""
from __future__ import annotations

import argparse
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from policykb.config import Config


def register(subparsers, config: Config) -> None:
    p = subparsers.add_parser(
        "serve",
        help="serve the web app and JSON API over a built knowledge base",
        description="Serve 检索/问答/文件/依据 and the JSON API with waitress; the index is opened once, read-only.",
    )
    p.add_argument("--index", type=Path, default=None, help=f"index folder (default: {config.index_dir})")
    p.add_argument("--host", default=None, help=f"address to bind (default: {config.host})")
    p.add_argument("--port", type=int, default=None, help=f"port (default: {config.port}; 0 picks a free port)")
    p.add_argument("--workers", type=int, default=None, help=f"server threads (default: {config.workers})")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, config: Config) -> int:
    """Open the index (fail fast with a clear message), then serve until interrupted."""
    from waitress import create_server

    from index.kb import KnowledgeBase
    from search_app import create_app

    cfg = config.with_overrides(index_dir=args.index, host=args.host, port=args.port, workers=args.workers)
    if cfg.workers < 1:
        print(f"policykb serve: error: --workers must be at least 1, got {cfg.workers}", file=sys.stderr)
        return 2
    if not 0 <= cfg.port <= 65535:
        print(f"policykb serve: error: --port must be 0…65535, got {cfg.port}", file=sys.stderr)
        return 2
    try:
        kb = KnowledgeBase.open(cfg.index_dir, cache_dir=cfg.cache_dir)
    except Exception as exc:
        print(f"policykb serve: error: cannot open the index: {exc}", file=sys.stderr)
        return 1
    app = create_app(cfg, kb=kb)
    try:
        server = create_server(app, host=cfg.host, port=cfg.port, threads=cfg.workers, ident="policykb")
    except OSError as exc:
        print(f"policykb serve: error: cannot listen on {cfg.host}:{cfg.port}: {exc}", file=sys.stderr)
        return 1
    host, port = server.effective_host, server.effective_port
    shown = f"[{host}]" if ":" in str(host) else host
    print(f"policykb: serving {cfg.index_dir} at http://{shown}:{port}/ ({cfg.workers} threads; Ctrl-C stops)", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


@contextmanager
def launched(index_dir: Path, cache_dir: Path | None = None, workers: int = 4,
             timeout: float = 120.0) -> Iterator[str]:
    """Run `policykb serve` in a subprocess on a free 127.0.0.1 port; yield its base URL (read from the line `run`
    prints), stop it afterwards. For the web tests and the load benchmark, which need the real production server."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if cache_dir:
        env["POLICYKB_CACHE_DIR"] = str(cache_dir)
    cmd = [sys.executable, "-m", "policykb", "serve", "--index", str(Path(index_dir).resolve()), "--host", "127.0.0.1",
           "--port", "0", "--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            cwd=Path(__file__).resolve().parents[2])
    try:
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
        deadline, seen, url = time.monotonic() + timeout, [], None
        while url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                if proc.poll() is not None:
                    break
                continue
            seen.append(line)
            match = re.search(r"http://127\.0\.0\.1:\d+", line)
            url = match.group(0) if match else None
        if url is None:
            why = f"exited with status {proc.returncode}" if proc.poll() is not None else f"gave no URL in {timeout:.0f} s"
            raise RuntimeError(f"policykb serve {why}:\n{''.join(seen)}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
