"""The mission's example end to end on the real corpus (work plan + related laws, bundled embedder), in-process:
asked 哪个部门负责未成年人网络保护, the app answers 网信部门 citing 《上海市未成年人保护条例》第四十九条, and
国家网信部门 citing 《未成年人网络保护条例》第三条 for the national level."""
from __future__ import annotations

from urllib.parse import quote


def test_who_is_responsible_for_online_protection(kb_client):
    body = kb_client.get("/api/ask", query_string={"q": "哪个部门负责未成年人网络保护"}).get_json()
    assert body["found"] is True and body["type"] == "who" and body["answer"]["kind"] == "units"
    units = {(u["unit"], u["citation"].split("第")[0] + "第" + u["citation"].split("第")[1]) for u in body["answer"]["units"]}
    assert ("网信部门", "《上海市未成年人保护条例》第四十九条") in units
    assert ("国家网信部门", "《未成年人网络保护条例》第三条") in units
    local = next(u for u in body["answer"]["units"] if u["unit"] == "网信部门")
    assert local["duty"] == "负责统筹协调本市未成年人网络保护和相关监督管理工作"
    assert local["duty"] in local["text"]  # the duty is quoted from the clause the item cites
    clause = kb_client.get("/api/clauses/" + quote(local["clause_id"], safe="")).get_json()
    assert local["text"] == clause["text"] and clause["document"]["level"] == "地方性法规"
    page = kb_client.get(local["url"])
    assert page.status_code == 200 and "is-target" in page.get_data(as_text=True)


def test_number_question_quotes_the_sentence_with_the_figure(kb_client):
    body = kb_client.get("/api/ask", query_string={"q": "几岁以下坐私家车必须用安全座椅？"}).get_json()
    assert body["found"] and body["answer"]["kind"] == "sentences"
    first = body["answer"]["sentences"][0]
    assert "未满四周岁" in first["text"] and "安全座椅" in first["text"]
    assert first["citation"].startswith("《上海市未成年人保护条例》第十六条")


def test_question_the_corpus_does_not_answer_is_not_found(kb_client):
    body = kb_client.get("/api/ask", query_string={"q": "追光小屋每户改造能补贴多少钱？"}).get_json()
    assert body["found"] is False and body["answer"]["kind"] == "none"
    assert body["answer"]["nearest"] and all(n["clause_id"] for n in body["answer"]["nearest"])


def test_basis_puts_documents_that_address_the_query_first_by_authority(kb_client):
    body = kb_client.get("/api/basis", query_string={"q": "学校周边不得设置烟酒彩票销售网点"}).get_json()
    docs = body["documents"]
    flags = [d["supported"] for d in docs]
    assert flags[:2] == [True, True] and flags == sorted(flags, reverse=True)  # clear bases first
    clear = [(d["level"], d["title"]) for d in docs if d["supported"]]
    assert clear[:2] == [("法律", "中华人民共和国未成年人保护法"), ("地方性法规", "上海市未成年人保护条例")]
    assert "不得设置烟、酒、彩票销售网点" in docs[0]["sentences"][0]["text"]
    assert all(d["support"] > 0 for d in docs)  # documents sharing no word with the query are left out


def test_every_answer_item_is_a_verbatim_span_of_the_clause_it_cites(kb_client, kb, dev_questions):
    import json

    questions = [json.loads(line) for line in dev_questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = 0
    for q in questions:
        body = kb_client.get("/api/ask", query_string={"q": q["question"]}).get_json()
        answer = body["answer"]
        items = answer["units"] + answer["sentences"] + answer["clauses"] + answer["nearest"]
        assert body["found"] == bool(answer["units"] or answer["sentences"] or answer["clauses"]), q["id"]
        found += body["found"]
        for item in items:
            clause = kb.clause(item["clause_id"])
            assert clause is not None and item["citation"] == clause.citation, (q["id"], item["clause_id"])
            assert item["text"] in clause.text, (q["id"], item["text"])
            if item.get("duty"):
                assert item["duty"] in clause.text, (q["id"], item["duty"])
    assert found >= len(questions) // 2  # the card answers most dev questions (36 of 49 when measured)


def test_work_plan_page_shows_its_sentences_and_marks_the_cited_one(kb_client, kb):
    from bs4 import BeautifulSoup

    plan = next(d for d in kb.documents() if d.level == "工作要点")
    doc = kb.document(plan.id)
    sentence = next(c for c in doc.clauses if c.kind == "sentence" and "追光小屋" in c.text)
    html = kb_client.get(f"/documents/{quote(plan.id)}?clause={quote(sentence.id, safe='')}").get_data(as_text=True)
    soup = BeautifulSoup(html, "lxml")
    body = soup.select_one("section.doc-body").get_text()
    assert all(leaf.text.strip() in body for leaf in doc.leaves())  # the whole text, sentences included
    target = soup.select_one(".is-target")
    assert target.name == "span" and sentence.text in target.get_text()
    assert target.find_parent("p", class_="run") is not None  # shown inside its paragraph, not as a block
