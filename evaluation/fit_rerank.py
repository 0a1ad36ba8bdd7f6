"""Fit the reranking weights of index/ranking/rerank.py on the dev set (never on the held-out set), by coordinate ascent.

usage: python -m evaluation.fit_rerank --index DIR [DIR ...] [--questions dev.jsonl] [--check heldout.jsonl]
With several indexes (e.g. workplan+related with dense vectors, and + all laws BM25-only) one set of weights is
fitted on the dev questions of all of them together (each setting counts equally).
Prints the fitted WEIGHTS (paste them into index/ranking/rerank.py) and the dev (and held-out) metrics before and after.
The objective is MRR@10 + R@5 (the two metrics the targets name); on ties the smaller weight wins (prefer weaker
rules).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from evaluation.scoring import CUTOFF, DEV_QUESTIONS, HELDOUT_QUESTIONS, is_hit, read_jsonl
from index.ranking.rerank import SIGNALS, WEIGHTS, PipelineOptions, candidates, score_candidates
from policykb.config import Config

GRID = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2, 2.0)
REPO = Path(__file__).resolve().parent.parent


def collect(kb, questions: list[dict], options: PipelineOptions) -> list[tuple[dict, list[tuple[dict, bool]]]]:
    """For each answerable question: every candidate's features and whether it hits a gold answer."""
    data = []
    for q in questions:
        if not q.get("answers"):
            continue
        analysis, hits = candidates(kb, q["question"], None, options)
        scored = score_candidates(analysis, hits, options, kb)
        rows = []
        for _, feats, hit in scored:
            record = {"doc_title": hit.doc_title, "text": hit.article_text or hit.text}
            rows.append((feats, any(is_hit(record, g) for g in q["answers"])))
        data.append((q, rows))
    return data


def evaluate(data, weights: dict[str, float], signals=SIGNALS) -> tuple[float, float]:
    """(MRR@10, R@5) of the candidates ranked by these weights."""
    mrr = r5 = 0.0
    for _, rows in data:
        ranked = sorted(rows, key=lambda r: -(weights.get("base", 1.0) * r[0]["base"]
                                               + sum(weights.get(s, 0.0) * r[0][s] for s in signals)))
        first = next((i for i, (_, hit) in enumerate(ranked[:CUTOFF]) if hit), None)
        if first is not None:
            mrr += 1 / (first + 1)
            r5 += first < 5
    n = len(data) or 1
    return mrr / n, r5 / n


def objective(data, weights: dict[str, float]) -> float:
    """MRR@10 + R@5 of the candidates ranked by these weights."""
    return sum(evaluate(data, weights))


def fit(data, start: dict[str, float], passes: int = 3) -> dict[str, float]:
    """Coordinate ascent over GRID for each signal weight (base fixed at 1)."""
    weights = dict(start)
    best = objective(data, weights)
    for _ in range(passes):
        improved = False
        for name in SIGNALS:
            for value in sorted(GRID):
                trial = {**weights, name: value}
                got = objective(data, trial)
                if got > best + 1e-12 or (abs(got - best) <= 1e-12 and value < weights[name]):
                    improved = improved or got > best + 1e-12
                    best, weights = got, trial
        if not improved:
            break
    return weights


def main(argv: list[str] | None = None) -> int:
    from index.kb import KnowledgeBase

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, nargs="+", required=True)
    p.add_argument("--cache-dir", type=Path, default=REPO / "data" / "cache")
    p.add_argument("--questions", type=Path, default=DEV_QUESTIONS)
    p.add_argument("--rescore", action="store_true",
                   help="add the dense signal: embed each query's candidates (cached) with the bundled embedder")
    p.add_argument("--check", type=Path, default=HELDOUT_QUESTIONS,
                   help="a question set only reported on, never fitted")
    args = p.parse_args(argv)
    dev, held = {}, {}
    for index in args.index:
        kb = KnowledgeBase.open(index, cache_dir=args.cache_dir)
        options = replace(PipelineOptions(), mode="hybrid" if kb.has_vectors else "bm25",
                          region=Config.from_env().region)
        if args.rescore and not kb.has_vectors:  # indexes with vectors have the dense retriever's own scores
            from index.ranking.rescore import CandidateRescorer

            options = replace(options, rescorer=CandidateRescorer("bundled", args.cache_dir))
        dev[index] = collect(kb, read_jsonl(args.questions), options)
        if args.check and args.check.is_file():
            held[index] = collect(kb, read_jsonl(args.check), options)
    fitted = fit([row for rows in dev.values() for row in rows], dict(WEIGHTS))
    print("| index | weights | dev MRR@10 | dev R@5 | held-out MRR@10 | held-out R@5 |\n|---|---|---|---|---|---|")
    for index in args.index:
        for label, w in (("no signals", {"base": 1.0}), ("current WEIGHTS", WEIGHTS), ("fitted", fitted)):
            d = evaluate(dev[index], w)
            h = evaluate(held[index], w) if index in held else (float("nan"), float("nan"))
            print(f"| {index} | {label} | {d[0]:.3f} | {d[1]:.3f} | {h[0]:.3f} | {h[1]:.3f} |")
    print("\nWEIGHTS = {" + ", ".join(f'"{k}": {v}' for k, v in fitted.items()) + "}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
