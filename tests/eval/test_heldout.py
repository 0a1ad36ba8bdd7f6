"""The held-out set is sound (every quote in its file and article), and the checker catches a broken one."""
import json

from evaluation.check_questions import check
from evaluation.scoring import read_jsonl
from tests.conftest import REPO, need_shared

HELDOUT = REPO / "evaluation" / "heldout.jsonl"


def test_heldout_quotes_lie_in_their_articles():
    corpus = need_shared("corpus")
    questions = read_jsonl(HELDOUT)
    assert len(questions) >= 30
    assert {q["type"] for q in questions} == {"who", "what", "which_doc", "number", "cross", "none"}
    assert check(questions, corpus) == []


def test_heldout_is_not_dev(dev_questions):
    dev = {q["question"] for q in read_jsonl(dev_questions)}
    assert not dev & {q["question"] for q in read_jsonl(HELDOUT)}


def test_checker_catches_wrong_quote_and_article():
    corpus = need_shared("corpus")
    (q,) = [q for q in read_jsonl(HELDOUT) if q["id"] == "H09"]
    bad_quote = json.loads(json.dumps(q))
    bad_quote["answers"][0]["quote"] += "（改）"
    wrong_article = json.loads(json.dumps(q))
    wrong_article["answers"][0]["article"] = "第七十四条"
    problems = check([bad_quote, wrong_article], corpus)
    assert any("not an exact substring" in p for p in problems)
    assert any("not inside 第七十四条" in p for p in problems)
