"""The calibrated found decision of the answer card (answers/found.py) on real rankings of the session index."""
from dataclasses import replace

from answers.card import CONFIDENCE_THRESHOLD, build_answer
from answers.found import FEATURES, found_features, load_found

QUESTION = "哪个部门负责本市未成年人网络保护？"


def test_packaged_decision_is_fitted():
    model = load_found()
    assert model is not None, "answers/data/found.json is missing (python -m evaluation.calibrate_found)"
    assert 0.0 < model.threshold < 1.0 and set(model.coef) == set(FEATURES)
    assert model.meta.get("ranker")  # fitted for one learned ranker (its fingerprint)


def test_features_read_the_ranking(ranker):
    hits = ranker.search(QUESTION, k=10)
    f = found_features(QUESTION, hits, ranker.kb.tokenizer)
    assert f["q_who"] == 1.0 and f["score1"] == hits[0].score and f["margin"] == hits[0].score - hits[1].score
    assert 0 < f["p1"] <= f["p3"] <= 1 and 0 <= f["support1"] <= f["support3"] <= 1


def test_card_follows_the_cut(ranker):
    hits = ranker.search(QUESTION, k=10)
    model = load_found()
    shown = build_answer(QUESTION, hits, tokenizer=ranker.kb.tokenizer, decision=replace(model, threshold=0.0))
    assert shown.found and shown.kind == "units"
    top = {h.clause_id for h in hits[:3]}
    assert all(u.clause_id in top for u in shown.units)  # items come from the card's three best clauses
    declined = build_answer(QUESTION, hits, tokenizer=ranker.kb.tokenizer, decision=replace(model, threshold=1.01))
    assert not declined.found and declined.nearest and declined.threshold == 1.01


def test_auto_decision_only_for_learned_rankings(ranker):
    learned = build_answer(QUESTION, ranker.search(QUESTION, k=10), tokenizer=ranker.kb.tokenizer)
    assert learned.threshold == load_found().threshold
    plain = build_answer(QUESTION, ranker.search(QUESTION, k=10, mode="hybrid"), tokenizer=ranker.kb.tokenizer)
    assert plain.threshold == CONFIDENCE_THRESHOLD  # another ranking's scores: the lexical support cut
