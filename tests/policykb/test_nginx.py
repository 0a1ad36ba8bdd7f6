"""deploy/nginx.conf is a valid nginx configuration (`nginx -t` with a throw-away certificate), and nginx in front
of a real `policykb serve` passes requests and the client address through."""
from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from policykb.commands.serve import launched
from tests.conftest import REPO

CONF = REPO / "deploy" / "nginx.conf"


def _nginx() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if path is None:
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light; `make browser` does it as root): "
                    "deploy/nginx.conf was not checked")
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed: cannot make a test certificate for deploy/nginx.conf")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _site(tmp: Path, upstream: int = 8000, http_port: int = 80, https_port: int = 443) -> Path:
    """deploy/nginx.conf inside a minimal main config, with a self-signed certificate and the given ports."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(tmp / "t.key"), "-out", str(tmp / "t.crt")], check=True, capture_output=True)
    site = CONF.read_text(encoding="utf-8")
    site = (site.replace("/etc/ssl/certs/policykb.crt", str(tmp / "t.crt"))
                .replace("/etc/ssl/private/policykb.key", str(tmp / "t.key"))
                .replace("127.0.0.1:8000", f"127.0.0.1:{upstream}")
                .replace("listen 80;", f"listen 127.0.0.1:{http_port};").replace("listen [::]:80;", "")
                .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
                .replace("listen [::]:443 ssl http2;", ""))
    (tmp / "policykb.conf").write_text(site, encoding="utf-8")
    main = tmp / "nginx.conf"
    main.write_text(f"""daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    include {tmp}/policykb.conf;
}}
""", encoding="utf-8")
    return main


def test_nginx_accepts_the_config(tmp_path):
    nginx = _nginx()
    main = _site(tmp_path)
    r = subprocess.run([nginx, "-t", "-c", str(main), "-p", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "syntax is ok" in r.stderr and "test is successful" in r.stderr


def test_nginx_proxies_to_the_server_over_tls(web_index, tmp_path):
    nginx = _nginx()
    http_port, https_port = _free_port(), _free_port()
    env = {"POLICYKB_TRUSTED_PROXIES": "127.0.0.1", "POLICYKB_USERS_DB": str(tmp_path / "users.sqlite")}
    with launched(web_index, tmp_path / "cache", env=env) as url:
        upstream = int(url.rsplit(":", 1)[1])
        main = _site(tmp_path, upstream, http_port, https_port)
        proc = subprocess.Popen([nginx, "-c", str(main), "-p", str(tmp_path)], stderr=subprocess.PIPE, text=True)
        try:
            ctx = ssl.create_default_context()
            ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
            deadline, body = time.monotonic() + 15, None
            while body is None and time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"https://127.0.0.1:{https_port}/healthz", context=ctx, timeout=5) as r:
                        body, headers = json.loads(r.read()), dict(r.headers)
                except OSError:
                    time.sleep(0.2)
            assert body and body["status"] == "ok", "nginx did not answer"
            assert "Strict-Transport-Security" in headers and headers["X-Content-Type-Options"] == "nosniff"
            import http.client

            plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=5)
            plain.request("GET", "/")
            answer = plain.getresponse()
            assert answer.status == 301 and answer.getheader("Location").startswith("https://")
            plain.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
