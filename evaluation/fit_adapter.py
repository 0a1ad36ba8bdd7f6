"""Fit a linear query adapter for the dense retriever from (question, gold clause) pairs, and measure it.

usage: python -m evaluation.fit_adapter --index DIR [--cache-dir DIR] [--lambdas 1,3,10,30,100] [--save LAMBDA]
       [--folds-out DIR]

The passages were embedded once, zero-shot; a new model would mean re-embedding all of them. A query-side map
W (384 x 384) needs no re-embedding: it moves a question's vector towards the vectors of the clauses that answer
such questions, W = argmin sum ||W q - p||^2 + lambda ||W - I||^2 (ridge towards the identity), closed form. The
training pairs are the questions evaluation/train_ranker.py trains on: dev and held-out 1-5 (corpus A golds) and
real_dev's training folds; a gold's passages are found by its quote. real_dev's blind split is only reported.

Prints dense retrieval R@5 / R@10 / R@100 and MRR@10 (passages, the binding jurisdictions, by the shared hit rule)
of the plain query vector and of W q for each lambda: 5-fold cross-validated over the training questions (folds by
question id, as the ranker's) and, fitted on all of them, on the blind split. --save writes the adapter of one
lambda to index/ranking/data/adapter.npz with the embedder's name.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from evaluation.scoring import DEV_QUESTIONS, HELDOUT_QUESTIONS, REPO, is_hit, read_jsonl
from evaluation.train_ranker import FOLDS, REAL_DEV, bucket, real_dev_split
from index.hit import Filters
from index.ranking.adapter import ADAPTER_FILE, fit_adapter, save_adapter
from index.ranking.rerank import binding_filters

DEPTH = 100


def gold_rows(kb, question: dict, with_vectors: set[int]) -> set[int]:
    """Passage rows (among `with_vectors`) of the question's gold clauses, found by searching each gold's quote."""
    rows: set[int] = set()
    for gold in question.get("answers", []):
        found, _, _ = kb.retrieve(gold["quote"], 30, Filters(), "bm25")
        hits = kb.hits_for(found)
        rows.update(r for (r, _), h in zip(found, hits)
                    if is_hit({"doc_title": h.doc_title, "text": h.article_text or h.text}, gold))
    return rows & with_vectors


def evaluate(kb, questions: list[dict], vectors: np.ndarray, region: str) -> dict[str, float]:
    """Dense retrieval R@5 / R@10 / R@100 / MRR@10 of the given query vectors (one per question)."""
    r5 = r10 = r100 = mrr = 0.0
    mask = kb.row_mask(binding_filters(None, None, region))
    for q, vec in zip(questions, vectors):
        found = kb.dense.search(vec / np.linalg.norm(vec), DEPTH, mask)
        hits = kb.hits_for(found[:10])
        first = next((i for i, h in enumerate(hits) if any(
            is_hit({"doc_title": h.doc_title, "text": h.article_text or h.text}, g) for g in q["answers"])), None)
        deep = first is not None or any(r in q["_gold_rows"] for r, _ in found)
        r5 += first is not None and first < 5
        r10 += first is not None
        r100 += deep
        mrr += 1 / (first + 1) if first is not None else 0.0
    n = max(len(questions), 1)
    return {"R@5": r5 / n, "R@10": r10 / n, "R@100": r100 / n, "MRR@10": mrr / n}


def main(argv: list[str] | None = None) -> int:
    from index.kb import KnowledgeBase
    from policykb.config import Config

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, required=True, help="an index with vectors (corpus B: + all laws)")
    p.add_argument("--cache-dir", type=Path, default=REPO / "data" / "cache")
    p.add_argument("--lambdas", default="1,3,10,30,100")
    p.add_argument("--save", type=float, default=None, metavar="LAMBDA", help="write the adapter fitted with LAMBDA")
    p.add_argument("--folds-out", type=Path, default=None, metavar="DIR",
                   help="with --save: also write adapter_fold<k>.npz, fitted without fold k (for train_ranker "
                        "--fold-adapters)")
    args = p.parse_args(argv)
    kb = KnowledgeBase.open(args.index, cache_dir=args.cache_dir)
    if not kb.has_vectors:
        print(f"fit_adapter: --index {args.index}: the index has no vectors (run policykb embed)", file=sys.stderr)
        return 2
    region = Config.from_env().region
    real_train, real_blind = real_dev_split(read_jsonl(REAL_DEV))
    paths = [DEV_QUESTIONS, HELDOUT_QUESTIONS] + [REPO / "evaluation" / f"heldout{i}.jsonl" for i in (2, 3, 4, 5)]
    train = [q for path in paths for q in read_jsonl(path) if q.get("answers")] + real_train
    t0 = time.time()
    with_vectors = set(kb.dense.rows().tolist())
    pairs = []
    for qs in (train, real_blind):
        kept = []
        for q in qs:
            rows = gold_rows(kb, q, with_vectors)
            if rows:
                kept.append({**q, "_gold_rows": rows})
        pairs.append(kept)
    train, blind = pairs
    if not train:
        print(f"fit_adapter: --index {args.index}: no training question has a gold passage there", file=sys.stderr)
        return 2
    dim = kb.dense.vector(next(iter(train[0]["_gold_rows"]))).shape[0]
    q_train = np.stack([kb.query_vector(q["question"]) for q in train])
    q_blind = np.stack([kb.query_vector(q["question"]) for q in blind]) if blind else np.zeros((0, dim), np.float32)
    p_train = np.stack([np.mean([kb.dense.vector(r) for r in q["_gold_rows"]], axis=0) for q in train])
    print(f"{len(train)} training and {len(blind)} blind questions with gold passages ({time.time() - t0:.0f}s)",
          file=sys.stderr)
    lambdas = [float(x) for x in args.lambdas.split(",")]
    folds = np.array([bucket(q["id"]) for q in train])
    rows = [("plain query vector", evaluate(kb, train, q_train, region), evaluate(kb, blind, q_blind, region))]
    for lam in lambdas:
        cv = np.zeros_like(q_train)
        for f in range(FOLDS):
            w = fit_adapter(q_train[folds != f], p_train[folds != f], lam)
            cv[folds == f] = q_train[folds == f] @ w.T
        w_all = fit_adapter(q_train, p_train, lam)
        rows.append((f"adapter, lambda {lam:g}", evaluate(kb, train, cv, region),
                     evaluate(kb, blind, q_blind @ w_all.T, region)))
        print(f"  lambda {lam:g} done ({time.time() - t0:.0f}s)", file=sys.stderr)
    keys = ("R@5", "R@10", "R@100", "MRR@10")
    print(f"Dense retrieval over {args.index} (passages, binding jurisdictions of {region}): training questions "
          f"5-fold CV ({len(train)}) | real_dev blind split ({len(blind)}, fitted on all training questions)\n")
    print("| query vector | " + " | ".join(f"CV {k}" for k in keys) + " | " + " | ".join(f"blind {k}" for k in keys)
          + " |")
    print("|---|" + "---|" * (2 * len(keys)))
    for name, cv, bl in rows:
        print(f"| {name} | " + " | ".join(f"{cv[k]:.3f}" for k in keys) + " | "
              + " | ".join(f"{bl[k]:.3f}" for k in keys) + " |")
    if args.save is not None:
        save_adapter(fit_adapter(q_train, p_train, args.save), kb.manifest.get("embedder", ""), args.save,
                     len(train), ADAPTER_FILE)
        print(f"wrote {ADAPTER_FILE} (lambda {args.save:g}, {len(train)} questions)")
        if args.folds_out is not None:
            for f in range(FOLDS):
                keep = folds != f
                save_adapter(fit_adapter(q_train[keep], p_train[keep], args.save), kb.manifest.get("embedder", ""),
                             args.save, int(keep.sum()), args.folds_out / f"adapter_fold{f}.npz")
            print(f"wrote {FOLDS} fold adapters to {args.folds_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
