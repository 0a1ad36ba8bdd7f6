"""How good is the /ask answer card? For each question set: how many answerable questions it answers, how many of
those answers rest on a gold clause (the shared hit rule on the cited clause's article), how many unanswerable
(`none`) questions it declines. Uses the app's own path: best pipeline with synonyms, then answers.card.

    python -m evaluation.answer_eval --index DIR [--cache-dir data/test-cache] [--thresholds 0.25,0.35,0.5]
"""
from __future__ import annotations

import argparse
from pathlib import Path

from evaluation.scoring import QUESTION_SETS, is_hit, read_jsonl
from answers.card import CONFIDENCE_THRESHOLD, build_answer
from index.ranking.ranker import Ranker
from policykb.config import Config


def outcome(kb, question: dict, hits: list, threshold: float) -> tuple[bool, bool]:
    """(answered, rests on a gold clause) for one question."""
    answer = build_answer(question["question"], hits, threshold=threshold, tokenizer=kb.tokenizer)
    if not answer.found:
        return False, False
    by_id = {h.clause_id: h for h in hits}
    items = answer.units or answer.sentences or answer.clauses
    gold = any(
        is_hit({"doc_title": it.doc_title, "text": by_id[it.clause_id].article_text}, g)
        for it in items
        for g in question["answers"]
    )
    return True, gold


def main(argv: list[str] | None = None) -> int:
    from index.kb import KnowledgeBase

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--cache-dir", type=Path, default=None)
    p.add_argument("--thresholds", default=str(CONFIDENCE_THRESHOLD), help="comma-separated thresholds")
    args = p.parse_args(argv)
    kb = KnowledgeBase.open(args.index, cache_dir=args.cache_dir)
    ranker = Ranker.from_config(kb, Config.from_env())
    thresholds = [float(t) for t in args.thresholds.split(",") if t]
    print("| set | threshold | answerable answered | answers on a gold clause | unanswerable declined |")
    print("|---|---|---|---|---|")
    for name, path in QUESTION_SETS.items():
        if not path.exists():
            print(f"| {name} | — | {path} absent | | |")
            continue
        questions = read_jsonl(path)
        searched = [(q, ranker.search(q["question"], k=10)) for q in questions]
        for t in thresholds:
            answerable = [(q, h) for q, h in searched if q["answers"]]
            none = [(q, h) for q, h in searched if not q["answers"]]
            results = [outcome(kb, q, h, t) for q, h in answerable]
            answered = sum(a for a, _ in results)
            gold = sum(g for _, g in results)
            declined = sum(not build_answer(q["question"], h, threshold=t, tokenizer=kb.tokenizer).found for q, h in none)
            print(f"| {name} | {t:.2f} | {answered}/{len(answerable)} | {gold}/{answered} | {declined}/{len(none)} |")
    kb.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
