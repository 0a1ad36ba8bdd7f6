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
    add_server_arguments(p, config)
    p.add_argument("--reload-interval", type=float, default=None, metavar="SECONDS",
                   help="how often to look for a rebuilt index and switch to it without a restart "
                        f"(default: {config.reload_interval}; 0 turns live reload off)")
    p.set_defaults(run=run)


def _flag_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise argparse.ArgumentTypeError(f"expected 1/0 (yes/no), got {raw!r}")
    return value in ("1", "true", "yes", "on")


def _flag_list(raw: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in raw.replace(",", " ").split() if p.strip())


# (Config field, parser, help): the server's settings, each also an env var (README, "Configuration").
SERVER_FLAGS = (
    ("users_db", Path, "SQLite file of users, tokens, jobs and the audit log (default: users.sqlite beside the index)"),
    ("managed_corpus", Path, "folder of uploaded originals (default: managed/ beside the index)"),
    ("secret_key", str, "session signing key (prefer the env var; default: generated once beside the users db)"),
    ("read_login", _flag_bool, "1: readers must log in too (default 0: anonymous reading)"),
    ("trusted_proxies", _flag_list, "comma-separated proxy addresses whose remote-user header is trusted"),
    ("remote_user_header", str, "header a trusted proxy names the logged-in user in"),
    ("rate_limit", str, "per-client limit on ask/reply/.docx, e.g. 30/minute"),
    ("login_rate_limit", str, "per-client limit on log-in attempts, e.g. 10/minute"),
    ("expensive_slots", int, "ask/reply/.docx requests computed at once; more are answered 503 busy"),
    ("max_upload_bytes", int, "largest upload request in bytes"),
    ("max_json_depth", int, "deepest JSON nesting accepted in request bodies"),
    ("query_cache_size", int, "query vectors kept in memory (LRU)"),
    ("connection_limit", int, "open connections waitress accepts"),
    ("channel_timeout", int, "seconds before waitress drops an idle connection"),
    ("access_log", str, "JSON-lines access log file (- for stderr, empty for none)"),
)


def add_server_arguments(p: argparse.ArgumentParser, config: Config) -> None:
    """One --flag per server setting in SERVER_FLAGS (default: the env var, then the Config default)."""
    for name, kind, text in SERVER_FLAGS:
        p.add_argument("--" + name.replace("_", "-"), dest=name, type=kind, default=None,
                       help=f"{text} (default: {getattr(config, name)!r})" if name != "secret_key" else text)


def server_overrides(args: argparse.Namespace) -> dict:
    """The SERVER_FLAGS given on the command line, as Config overrides."""
    return {name: getattr(args, name, None) for name, _, _ in SERVER_FLAGS}


def run(args: argparse.Namespace, config: Config) -> int:
    """Open the index (fail fast with a clear message), then serve until interrupted."""
    from waitress import create_server

    from search_app import create_app
    from search_app.kb import open_kb

    cfg = config.with_overrides(index_dir=args.index, host=args.host, port=args.port, workers=args.workers,
                                reload_interval=args.reload_interval, **server_overrides(args))
    if cfg.workers < 1:
        print(f"policykb serve: error: --workers must be at least 1, got {cfg.workers}", file=sys.stderr)
        return 2
    if cfg.reload_interval < 0:
        print(f"policykb serve: error: --reload-interval must be 0 or more seconds, got {cfg.reload_interval}",
              file=sys.stderr)
        return 2
    if not 0 <= cfg.port <= 65535:
        print(f"policykb serve: error: --port must be 0…65535, got {cfg.port}", file=sys.stderr)
        return 2
    for name in ("connection_limit", "channel_timeout", "max_upload_bytes", "max_json_depth", "expensive_slots"):
        if getattr(cfg, name) < 1:
            print(f"policykb serve: error: --{name.replace('_', '-')} must be at least 1, got {getattr(cfg, name)}",
                  file=sys.stderr)
            return 2
    try:
        kb = open_kb(cfg)
    except Exception as exc:
        print(f"policykb serve: error: cannot open the index: {exc}", file=sys.stderr)
        return 1
    try:
        app = create_app(cfg, kb=kb)
    except Exception as exc:  # e.g. a bad rate-limit string, an unwritable users db
        print(f"policykb serve: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    try:
        server = create_server(
            app, host=cfg.host, port=cfg.port, threads=cfg.workers, ident="policykb",
            connection_limit=cfg.connection_limit, channel_timeout=cfg.channel_timeout,
            asyncore_use_poll=True,  # select() stops at 1024 descriptors; poll does not
            cleanup_interval=min(30, cfg.channel_timeout), expose_tracebacks=False,
            max_request_header_size=64 * 1024, max_request_body_size=cfg.max_upload_bytes + 1024 * 1024,
            clear_untrusted_proxy_headers=True)
    except OSError as exc:
        print(f"policykb serve: error: cannot listen on {cfg.host}:{cfg.port}: {exc}", file=sys.stderr)
        return 1
    server.channel_class = safe_channel_class()
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


# Waitress answers some requests itself (malformed request line, headers over the size limit, a body over
# max_request_body_size, an app that fails before responding). Its default page echoes parts of the request as
# text/plain without our headers; these replace it with the app's envelope and security headers.
WAITRESS_MESSAGES = {400: "请求格式有误", 413: "请求内容过大", 431: "请求头过大", 500: "服务器内部错误，请稍后重试"}


def safe_channel_class():
    """A waitress channel whose own error responses carry the app's JSON error envelope and security headers and
    never echo the request."""
    import json

    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    from search_app import SECURITY_HEADERS
    from search_app.errors import DEFAULT_CODES, envelope

    class SafeErrorTask(ErrorTask):
        def execute(self):
            err = self.request.error
            code = int(getattr(err, "code", 500))
            message = WAITRESS_MESSAGES.get(code, WAITRESS_MESSAGES[400] if code < 500 else WAITRESS_MESSAGES[500])
            body = json.dumps(envelope(code, DEFAULT_CODES.get(code, "error"), message), ensure_ascii=False).encode()
            self.status = f"{code} {err.reason}"
            self.response_headers.extend([("Content-Type", "application/json; charset=utf-8"),
                                          *SECURITY_HEADERS.items()])
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    class SafeChannel(HTTPChannel):
        error_task_class = SafeErrorTask

    return SafeChannel


@contextmanager
def launched(index_dir: Path, cache_dir: Path | None = None, workers: int = 4,
             timeout: float = 120.0, env: dict[str, str] | None = None, proc_out: list | None = None) -> Iterator[str]:
    """Run `policykb serve` in a subprocess on a free 127.0.0.1 port; yield its base URL (read from the line `run`
    prints), stop it afterwards. For the web tests and the load benchmark, which need the real production server.
    `env` adds POLICYKB_* settings; `proc_out`, when given, receives the process (tests that kill it)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
    if cache_dir:
        env["POLICYKB_CACHE_DIR"] = str(cache_dir)
    cmd = [sys.executable, "-m", "policykb", "serve", "--index", str(Path(index_dir).resolve()), "--host", "127.0.0.1",
           "--port", "0", "--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            cwd=Path(__file__).resolve().parents[2])
    if proc_out is not None:
        proc_out.append(proc)
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
