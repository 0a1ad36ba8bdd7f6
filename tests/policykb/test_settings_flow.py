"""One configuration path: POLICYKB_MAX_QUERY_CHARS and POLICYKB_REGION, set in the environment, reach the page,
the API and the CLI alike (Config -> create_app -> app.config -> Ranker), and a long pasted question at the
default limit is searched (the limit is checked on what the user typed, not on the synonym-expanded query)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote


from policykb.config import Config
from search_app import create_app

REPO = Path(__file__).resolve().parents[2]
ENV = {"POLICYKB_MAX_QUERY_CHARS": "800", "POLICYKB_REGION": "浙江"}
# 700 characters of a real question: colloquial words (孩子, 网吧) that the synonym table expands.
LONG_700 = ("孩子在学校周边的网吧上网打游戏，" * 44)[:700]
LONG_480 = ("我家孩子在学校被同学欺负，学校不管，网吧老板也让孩子进去，我应该找哪个部门反映？" * 12)[:480]


def env_config(index_dir: Path, cache: Path, **env) -> Config:
    return Config.from_env({"POLICYKB_INDEX_DIR": str(index_dir), "POLICYKB_CACHE_DIR": str(cache),
                            "POLICYKB_EMBEDDER": "none", **env})


def test_page_and_api_honour_the_environment(web_index, tmp_path):
    app = create_app(env_config(web_index, tmp_path, **ENV))
    c = app.test_client()
    page = c.get("/ask")
    assert 'maxlength="800"' in page.get_data(as_text=True)
    assert c.get("/ask?q=" + quote(LONG_700)).status_code == 200
    assert c.get("/search?q=" + quote(LONG_700)).status_code == 200
    r = c.get("/api/search?q=" + quote(LONG_700))
    assert r.status_code == 200, r.get_data(as_text=True)
    r = c.get("/api/ask?q=" + quote(LONG_700 + "长" * 101))
    assert r.status_code == 400 and "最多 800 个字" in r.get_json()["error"]["message"]
    with app.test_request_context():
        from search_app.kb import get_ranker

        ranker = get_ranker()
        assert (ranker.region, ranker.max_query_chars) == ("浙江", 800)
    spec = c.get("/openapi.json").get_json()
    q = next(p for p in spec["paths"]["/api/ask"]["get"]["parameters"] if p["name"] == "q")
    assert q["schema"]["maxLength"] == 800


def test_the_default_limit_searches_a_pasted_480_character_question(web_index, tmp_path):
    c = create_app(env_config(web_index, tmp_path)).test_client()
    for url in ("/ask?q=", "/api/ask?q=", "/api/search?q=", "/basis?q="):
        r = c.get(url + quote(LONG_480))
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:300])
    assert 'maxlength="500"' in c.get("/ask").get_data(as_text=True)
    assert c.get("/api/ask?q=" + quote("长" * 501)).status_code == 400


def test_reply_draws_hotlines_from_the_configured_region_only(kb, kb_dir, tmp_path):
    from index.ranking.ranker import Ranker
    from answers.reply import channels_for

    for region in ("上海", "浙江"):
        ranker = Ranker.from_config(kb, Config(region=region))
        regions = {kb.document(kb.clause(ch.clause_id).doc_id, clauses=False).region for ch in channels_for(ranker)}
        assert regions <= {region, "全国"}, (region, regions)


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    return subprocess.run([sys.executable, "-m", "policykb", *args], capture_output=True, text=True, env=full,
                          timeout=120, cwd=REPO)


def test_cli_honours_the_environment(web_index):
    r = run_cli("search", LONG_700, "--index", str(web_index), "--json", env=ENV)
    assert r.returncode == 0, r.stderr
    r = run_cli("search", LONG_700, "--index", str(web_index), "--json")
    assert r.returncode != 0 and "最多 500 个字" in r.stderr
    r = run_cli("search", LONG_480, "--index", str(web_index), "--json")
    assert r.returncode == 0, r.stderr
    assert all(json.loads(line)["clause_id"] for line in r.stdout.splitlines() if line.strip())
