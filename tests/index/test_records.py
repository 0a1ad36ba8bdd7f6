"""One record for a cited clause (index.records.CitedClause): the answer card, the reply's quotations, departments
and candidates, and the responsibility map's duties all reach the API with the same clause_id, doc_id, citation,
text and url for the same clause; and `policykb reply --json` prints the API's reply shape, less the urls."""
import json
import re
from dataclasses import fields
from urllib.parse import quote

from index.records import CitedClause

KEYS = {f.name for f in fields(CitedClause)} | {"url"}
QUESTION = "哪个部门负责未成年人网络保护"
ARTICLE = re.compile(r"^第[一二三四五六七八九十百零〇]+条\s*$")


def _cited(record: dict) -> dict:
    assert KEYS <= set(record), sorted(KEYS - set(record))
    return {k: record[k] for k in KEYS}


def test_the_card_the_reply_and_the_duties_cite_a_clause_alike(kb_client, kb):
    assert KEYS == {"clause_id", "doc_id", "citation", "text", "url"}
    ask = kb_client.get("/api/ask?q=" + quote(QUESTION)).get_json()
    item = ask["answer"]["units"][0]  # the card's first department and the clause naming it
    cid = item["clause_id"]
    reply = kb_client.post("/api/reply", json={"inquiry": QUESTION, "clause_ids": [cid]}).get_json()
    [citation] = [c for c in reply["citations"] if c["clause_id"] == cid]
    unit = next(u for u in reply["units"] if u["clause_id"] == cid)
    [candidate] = [c for c in reply["candidates"] if c["clause_id"] == cid]
    duty = next(d for d in kb_client.get("/api/units/" + quote(item["unit"]) + "?limit=200").get_json()["duties"]
                if d["clause_id"] == cid)
    records = {"card item": item, "reply citation": citation, "reply unit": unit, "reply candidate": candidate,
               "duty": duty}
    cited = {name: _cited(r) for name, r in records.items()}

    clause = kb.clause(cid)
    for name, c in cited.items():
        assert (c["clause_id"], c["doc_id"], c["citation"]) == (cid, clause.doc_id, clause.citation), name
        assert c["url"] == cited["card item"]["url"] and c["url"].startswith("/documents/"), name
    # text: the card and the duty give the clause as stored; the reply quotes it without its leading 第X条, which
    # the citation already names
    assert cited["card item"]["text"] == cited["duty"]["text"] == clause.text
    assert cited["reply citation"]["text"] == cited["reply unit"]["text"] == cited["reply candidate"]["text"]
    quoted = cited["reply citation"]["text"]
    assert quoted and clause.text.endswith(quoted)
    lead = clause.text[: len(clause.text) - len(quoted)]
    assert lead == "" or ARTICLE.match(lead), lead


def test_cli_reply_json_is_the_api_shape_without_urls(kb_client, kb_dir, capsys):
    from policykb.cli import main
    from tests.conftest import BULLYING, TEST_CACHE

    def without_urls(data):
        if isinstance(data, list):
            return [without_urls(x) for x in data]
        if isinstance(data, dict):
            return {k: without_urls(v) for k, v in data.items() if k != "url"}
        return data

    api = kb_client.post("/api/reply", json={"inquiry": BULLYING}).get_json()
    capsys.readouterr()
    assert main(["reply", BULLYING, "--index", str(kb_dir), "--cache-dir", str(TEST_CACHE), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert cli == without_urls(api) and without_urls(cli) == cli  # the CLI prints no urls
    for group in ("citations", "units", "channels", "candidates"):
        assert api[group] and all(KEYS <= set(r) for r in api[group]), group
        assert all(KEYS - {"url"} <= set(r) for r in cli[group]), group
