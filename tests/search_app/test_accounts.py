"""Accounts: anonymous reading, 401 for anonymous writes, 403 for readers, CSRF on forms and session writes,
API tokens, rate-limited log-in, the read_login switch and the trusted-proxy user header."""
from __future__ import annotations

import io
import re

from search_app import create_app
from tests.conftest import PASSWORD, bearer, make_config

def upload() -> dict:
    return {"file": (io.BytesIO("# 示例文件\n\n第一条 示例内容。\n".encode()), "a.md")}


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(c, name: str, password: str = PASSWORD):
    token = csrf_of(c.get("/login").get_data(as_text=True))
    return c.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": "/manage"})


def test_readers_are_anonymous_and_writes_need_an_account(site):
    c = create_app(site["config"]).test_client()
    assert c.get("/search?q=网信部门").status_code == 200
    assert c.get("/api/search?q=网信部门").status_code == 200
    r = c.post("/api/documents", data=upload())
    assert r.status_code == 401 and r.json["error"]["code"] == "unauthenticated"
    assert c.delete("/api/documents/x").status_code == 401
    assert c.get("/api/jobs").status_code == 401
    r = c.post("/api/documents", data=upload(), headers=bearer(site["tokens"]["reader"]))
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
    r = c.get("/api/audit", headers=bearer(site["tokens"]["editor"]))
    assert r.status_code == 403  # the audit log is for admins
    assert c.get("/api/audit", headers=bearer(site["tokens"]["admin"])).status_code == 200
    r = c.post("/api/documents", data=upload(), headers=bearer("pkb_not-a-token"))
    assert r.status_code == 401 and r.json["error"]["code"] == "invalid_token"


def test_login_sets_a_session_and_forms_need_the_csrf_token(site):
    c = create_app(site["config"]).test_client()
    assert c.get("/manage").status_code == 401
    r = log_in(c, "editor", "wrong-password")
    assert r.status_code == 401 and "用户名或密码错误" in r.get_data(as_text=True)
    r = log_in(c, "editor")
    assert r.status_code == 302 and r.headers["Location"].endswith("/manage")
    page = c.get("/manage").get_data(as_text=True)
    assert "文件管理" in page and "editor" in page
    # a form without its token, and a session write without X-CSRFToken: refused before anything is done
    r = c.post("/manage/upload", data=upload())
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    r = c.post("/api/documents", data=upload())
    assert r.status_code == 400 and r.json["error"]["code"] == "csrf_failed"
    token = csrf_of(page)
    r = c.post("/api/documents", data=upload(), headers={"X-CSRFToken": token})
    assert r.status_code == 202, r.json
    r = c.post("/logout", data={"csrf_token": token})
    assert r.status_code == 302
    assert c.get("/manage").status_code == 401
    # the log-in form itself is protected too
    assert c.post("/login", data={"name": "editor", "password": PASSWORD}).status_code == 400


def test_login_attempts_are_rate_limited(site):
    cfg = make_config(site["index"], site["root"], access_log="", login_rate_limit="3/minute")
    c = create_app(cfg).test_client()
    codes = [log_in(c, "editor", "wrong-password").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    r = log_in(c, "editor")
    assert r.status_code == 429 and "Retry-After" in r.headers  # even the right password waits


def test_read_login_requires_an_account_for_reading(site):
    cfg = make_config(site["index"], site["root"], access_log="", read_login=True)
    c = create_app(cfg).test_client()
    r = c.get("/search?q=网信部门")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert c.get("/api/search?q=网信部门").status_code == 401
    assert c.get("/healthz").status_code == 200  # probes stay open
    assert c.get("/api/search?q=网信部门", headers=bearer(site["tokens"]["reader"])).status_code == 200
    log_in(c, "reader")
    assert c.get("/search?q=网信部门").status_code == 200


def test_remote_user_header_is_trusted_only_from_configured_proxies(site):
    header = {"X-Remote-User": "admin"}
    untrusted = create_app(site["config"]).test_client()
    assert untrusted.get("/api/audit", headers=header).status_code == 401
    cfg = make_config(site["index"], site["root"], access_log="", trusted_proxies=("127.0.0.1",))
    proxied = create_app(cfg).test_client()
    assert proxied.get("/api/audit", headers=header).status_code == 200
    assert proxied.get("/api/audit", headers={"X-Remote-User": "nobody"}).status_code == 401
    other = proxied.get("/api/audit", headers=header, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 401


def test_a_revoked_token_on_a_read_is_401_not_500(site):
    app = create_app(make_config(site["index"], site["root"], access_log="-"))  # the access log asks who it is
    c = app.test_client()
    assert c.get("/api/search?q=网信部门", headers=bearer("pkb_revoked")).status_code == 200  # reading needs none
    assert c.get("/search?q=网信部门", headers=bearer("pkb_revoked")).status_code == 200
    assert c.get("/api/jobs", headers=bearer("pkb_revoked")).json["error"]["code"] == "invalid_token"
