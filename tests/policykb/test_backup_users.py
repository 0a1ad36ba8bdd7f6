"""`policykb user …` and `policykb backup` / `restore`: real CLI processes, real files, a real restored server."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import urllib.request
from urllib.parse import quote

from index.build import build_index
from policykb.commands.serve import launched
from tests.conftest import REPO

QUESTIONS = ("网信部门负责什么", "学校周边二百米", "儿童安全座椅")


def cli(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policykb", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, env=dict(os.environ, **(env or {})), timeout=120)


def answers(url: str, token: str | None = None) -> list:
    out = []
    for q in QUESTIONS:
        with urllib.request.urlopen(f"{url}/api/search?mode=bm25&q={quote(q)}", timeout=30) as r:
            out.append([(h["clause_id"], round(h["score"], 6)) for h in json.loads(r.read())["results"]])
    return out


def test_user_commands(tmp_path):
    db = str(tmp_path / "users.sqlite")
    r = cli("user", "--users-db", db, "add", "alice", "--role", "admin", "--token", stdin="a-long-password\n")
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip()
    assert token.startswith("pkb_")
    assert cli("user", "--users-db", db, "add", "bob", stdin="short\n").returncode == 2  # too short, says so
    assert cli("user", "--users-db", db, "add", "bob", "--role", "editor", stdin="another-password\n").returncode == 0
    second = cli("user", "--users-db", db, "token", "bob")
    assert second.returncode == 0 and second.stdout.strip().startswith("pkb_")
    listing = cli("user", "--users-db", db, "list").stdout
    assert "alice\tadmin" in listing and "bob\teditor" in listing
    stored = sqlite3.connect(db).execute("SELECT hash, (SELECT pw_hash FROM users LIMIT 1) FROM tokens").fetchall()
    assert all(token not in row[0] for row in stored) and stored[0][1].startswith("$argon2")  # hashed, not kept
    assert cli("user", "--users-db", db, "remove", "bob").returncode == 0
    r = cli("user", "--users-db", db, "remove", "bob")
    assert r.returncode == 2 and "no user 'bob'" in r.stderr


def test_restored_server_answers_the_same(web_corpus, tmp_path):
    live = tmp_path / "live"
    build_index([web_corpus], live / "index", embedder="none")
    env = {"POLICYKB_INDEX_DIR": str(live / "index")}
    r = cli("user", "add", "admin", "--role", "admin", "--token", stdin="a-long-password\n", env=env)
    token = r.stdout.strip()
    (live / "managed").mkdir()
    (live / "managed" / "上传.md").write_text("# 上传的文件\n\n第一条 内容。\n", encoding="utf-8")
    with launched(live / "index", tmp_path / "cache", env={"POLICYKB_USERS_DB": str(live / "users.sqlite")}) as url:
        before = answers(url)
        r = cli("backup", str(tmp_path / "bk"), env=env)  # while the server runs
        assert r.returncode == 0, r.stderr
    meta = json.loads((tmp_path / "bk" / "backup.json").read_text())
    assert meta["parts"] == ["index", "users", "managed"] and meta["documents"] == 4
    assert cli("backup", str(tmp_path / "bk"), env=env).returncode == 2  # never over an existing backup

    fresh = tmp_path / "fresh"
    env2 = {"POLICYKB_INDEX_DIR": str(fresh / "index")}
    r = cli("restore", str(tmp_path / "bk"), env=env2)
    assert r.returncode == 0, r.stderr
    assert (fresh / "managed" / "上传.md").is_file()
    with launched(fresh / "index", tmp_path / "cache2", env={"POLICYKB_USERS_DB": str(fresh / "users.sqlite")}) as url:
        assert answers(url) == before
        req = urllib.request.Request(f"{url}/api/audit", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=30) as resp:  # the restored users database knows the token
            entries = json.loads(resp.read())["entries"]
        assert any(e["action"] == "user.add" and e["target"] == "admin" for e in entries)
    # a damaged backup is refused before anything is touched
    victim = next((tmp_path / "bk" / "index").glob("*.sqlite"))
    with open(victim, "r+b") as fh:
        fh.seek(200)
        fh.write(b"\xff\xff")
    r = cli("restore", str(tmp_path / "bk"), env=env2)
    assert r.returncode == 2 and "damaged" in r.stderr
