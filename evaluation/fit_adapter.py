"""Fit a linear query adapter for the dense retriever from (question, gold clause) pairs, and measure it.

usage: python -m evaluation.fit_adapter --index DIR [--cache-dir DIR] [--lambdas 1,3,10,30,100]
       [--balances none,kind] [--save LAMBDA [--balance kind] [--folds-out DIR]]

The passages were embedded once, zero-shot; a new model would mean re-embedding all of them. A query-side map
W (384 x 384) needs no re-embedding: it moves a question's vector towards the vectors of the clauses that answer
such questions, W = argmin sum w_i ||W q_i - p_i||^2 + lambda ||W - I||^2 (weighted ridge towards the identity),
closed form. The training pairs are the questions evaluation/train_ranker.py trains on: the child-protection
training sets (evaluation.scoring.TRAINING_SETS, corpus A golds) and real_dev's training folds; a gold's passages are found by its
quote. real_dev's blind split is only reported.

The weights w_i: `none` counts each question alike, so real_dev's training folds (about two thirds of the pairs)
decide the map; `kind` makes both kinds of question weigh alike in total, as the ranker's training balances them.
Prints dense retrieval R@5 and MRR@10 (passages, the binding jurisdictions, by the shared hit rule) of the plain
query vector and of W q for each weighting and lambda: 5-fold cross-validated over the training questions (folds by
question id, as the ranker's), per kind and their mean — the figure to choose by — and, fitted on all of them, on
the blind split. --save writes the adapter of one lambda and weighting to index/ranking/data/adapter.npz with the
embedder's name.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from evaluation.scoring import REPO, TRAINING_SETS, is_hit, read_jsonl
from evaluation.train_ranker import FOLDS, REAL_DEV, fold_of, gold_key, real_dev_split
from index.hit import Filters
from index.ranking.adapter import ADAPTER_FILE, fit_adapter, fit_contrastive, save_adapter
from index.ranking.rerank import binding_filters

DEPTH = 100
NEGATIVES = 50  # hard negatives per question for the contrastive fit: the plain vector's best non-gold passages


def gold_rows(kb, question: dict, with_vectors: set[int]) -> set[int]:
    """Passage rows (among `with_vectors`) of the question's gold clauses, found by searching each gold's quote."""
    rows: set[int] = set()
    for gold in question.get("answers", []):
        found, _, _ = kb.retrieve(gold["quote"], 30, Filters(), "bm25")
        hits = kb.hits_for(found)
        rows.update(r for (r, _), h in zip(found, hits)
                    if is_hit({"doc_title": h.doc_title, "text": h.article_text or h.text}, gold))
    return rows & with_vectors


KEYS = ("R@5", "R@10", "R@100", "MRR@10")


def per_question(kb, questions: list[dict], vectors: np.ndarray, region: str) -> np.ndarray:
    """One row of KEYS per question: dense retrieval hit@5, hit@10, hit@100 and reciprocal rank@10 of its vector."""
    out = np.zeros((len(questions), len(KEYS)))
    mask = kb.row_mask(binding_filters(None, None, region))
    for i, (q, vec) in enumerate(zip(questions, vectors)):
        found = kb.dense.search(vec / np.linalg.norm(vec), DEPTH, mask)
        hits = kb.hits_for(found[:10])
        first = next((j for j, h in enumerate(hits) if any(
            is_hit({"doc_title": h.doc_title, "text": h.article_text or h.text}, g) for g in q["answers"])), None)
        deep = first is not None or any(r in q["_gold_rows"] for r, _ in found)
        out[i] = (first is not None and first < 5, first is not None, deep, 1 / (first + 1) if first is not None else 0)
    return out


def evaluate(kb, questions: list[dict], vectors: np.ndarray, region: str) -> dict[str, float]:
    """Dense retrieval R@5 / R@10 / R@100 / MRR@10 of the given query vectors (one per question)."""
    rows = per_question(kb, questions, vectors, region)
    means = rows.mean(axis=0) if len(rows) else np.zeros(len(KEYS))
    return dict(zip(KEYS, means.tolist()))


def hard_negatives(kb, questions: list[dict], vectors: np.ndarray, region: str, k: int = NEGATIVES) -> np.ndarray:
    """(n, k, d): each question's k best passages by its plain vector that are not its gold (binding texts only)."""
    mask = kb.row_mask(binding_filters(None, None, region))
    out = np.zeros((len(questions), k, vectors.shape[1]), dtype=np.float32)
    for i, (q, vec) in enumerate(zip(questions, vectors)):
        rows = [r for r, _ in kb.dense.search(vec, k + len(q["_gold_rows"]), mask) if r not in q["_gold_rows"]][:k]
        for j, r in enumerate(rows):
            out[i, j] = kb.dense.vector(r)
    return out


def fit(method: str, q: np.ndarray, p: np.ndarray, neg: np.ndarray, lam: float,
        weights: np.ndarray | None, groups: np.ndarray) -> np.ndarray:
    """The adapter of one method: ridge (closed form, towards the gold vectors) or contrastive (gold above the
    hard negatives; `groups`: each question's gold article, so questions on one article are not each other's
    negatives)."""
    if method == "ridge":
        return fit_adapter(q, p, lam, weights)
    if method == "contrastive":
        return fit_contrastive(q, p, neg, lam, weights=weights, groups=groups)
    raise ValueError(f"method={method!r}: use ridge or contrastive")


def kind_weights(kinds: np.ndarray, balance: str) -> np.ndarray | None:
    """Per-pair weights of the fit: none (each question alike) or kind (each kind of question, child-protection
    sets and real_dev, weighs alike in total, as the ranker's training balances them), mean 1."""
    if balance == "none":
        return None
    if balance != "kind":
        raise ValueError(f"balance={balance!r}: use none or kind")
    names, counts = np.unique(kinds, return_counts=True)
    per = {k: len(kinds) / (len(names) * c) for k, c in zip(names, counts)}
    return np.array([per[k] for k in kinds])


def main(argv: list[str] | None = None) -> int:
    from index.kb import KnowledgeBase
    from policykb.config import Config

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, required=True, help="an index with vectors (corpus B: + all laws)")
    p.add_argument("--cache-dir", type=Path, default=REPO / "data" / "cache")
    p.add_argument("--lambdas", default="1,3,10,30,100", help="ridge lambdas")
    p.add_argument("--methods", default="ridge", help="fits to compare: ridge (towards the gold vector), "
                   "contrastive (the gold above the plain vector's hard negatives)")
    p.add_argument("--contrastive-lambdas", default="0.001,0.01,0.1")
    p.add_argument("--balances", default="none,kind", help="weightings of the fit to compare: none (each question "
                   "alike), kind (child-protection sets and real_dev alike in total)")
    p.add_argument("--folds", default="id", choices=("id", "gold"),
                   help="CV folds by question id (the ranker's) or by the first gold article (new articles only)")
    p.add_argument("--save", type=float, default=None, metavar="LAMBDA", help="write the adapter fitted with LAMBDA")
    p.add_argument("--balance", default="none", choices=("none", "kind"), help="with --save: the weighting")
    p.add_argument("--method", default="ridge", choices=("ridge", "contrastive"), help="with --save: the fit")
    p.add_argument("--folds-out", type=Path, default=None, metavar="DIR",
                   help="with --save: also write adapter_fold<k>.npz, fitted without fold k (for train_ranker "
                        "--fold-adapters, with the same --folds)")
    args = p.parse_args(argv)
    unknown = [m for m in args.methods.split(",") if m and m not in ("ridge", "contrastive")]
    if unknown:
        p.error(f"--methods: unknown fit(s) {unknown}; use ridge, contrastive")
    kb = KnowledgeBase.open(args.index, cache_dir=args.cache_dir)
    if not kb.has_vectors:
        print(f"fit_adapter: --index {args.index}: the index has no vectors (run policykb embed)", file=sys.stderr)
        return 2
    region = Config.from_env().region
    real_train, real_blind = real_dev_split(read_jsonl(REAL_DEV))
    train = [{**q, "_kind": "cp"} for path in TRAINING_SETS.values() for q in read_jsonl(path) if q.get("answers")]
    train += [{**q, "_kind": "real"} for q in real_train]
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
    methods = [m for m in args.methods.split(",") if m]
    if args.save is not None and args.method not in methods:
        methods.append(args.method)
    lambdas = {"ridge": [float(x) for x in args.lambdas.split(",")],
               "contrastive": [float(x) for x in args.contrastive_lambdas.split(",")]}
    negatives = (hard_negatives(kb, train, q_train, region) if "contrastive" in methods
                 else np.zeros((len(train), 0, dim), dtype=np.float32))
    balances = [b for b in args.balances.split(",") if b]
    folds = np.array([fold_of(q, args.folds) for q in train])
    groups = np.array([gold_key(q) for q in train])
    kinds = np.array([q["_kind"] for q in train])
    rows = [("plain query vector", per_question(kb, train, q_train, region), evaluate(kb, blind, q_blind, region))]
    for method in methods:
        for balance in balances:
            weights = kind_weights(kinds, balance)
            for lam in lambdas[method]:
                cv = np.zeros_like(q_train)
                for f in range(FOLDS):
                    keep = folds != f
                    w = fit(method, q_train[keep], p_train[keep], negatives[keep], lam,
                            None if weights is None else weights[keep], groups[keep])
                    cv[folds == f] = q_train[folds == f] @ w.T
                w_all = fit(method, q_train, p_train, negatives, lam, weights, groups)
                rows.append((f"{method}, balance {balance}, lambda {lam:g}", per_question(kb, train, cv, region),
                             evaluate(kb, blind, q_blind @ w_all.T, region)))
                print(f"  {method}, balance {balance}, lambda {lam:g} done ({time.time() - t0:.0f}s)", file=sys.stderr)
    n_cp, n_real = int((kinds == "cp").sum()), int((kinds == "real").sum())
    print(f"Dense retrieval over {args.index} (passages, binding jurisdictions of {region}). CV: 5-fold (folds by "
          f"{'question id' if args.folds == 'id' else 'first gold article'}) over the "
          f"training questions, per kind — cp = the child-protection training sets ({n_cp}), real = real_dev training folds "
          f"({n_real}) — and their mean (each kind alike: the choice). Blind: real_dev's blind split ({len(blind)}), "
          "fitted on all training questions, reported only.\n")
    print("| query vector | CV R@5 cp | CV R@5 real | CV MRR@10 cp | CV MRR@10 real | kind mean R@5 | kind mean MRR@10 "
          "| pooled R@5 | blind R@5 | blind R@10 | blind MRR@10 |")
    print("|---|" + "---|" * 10)
    r5, mrr = KEYS.index("R@5"), KEYS.index("MRR@10")
    for name, per_q, bl in rows:
        cp, real = per_q[kinds == "cp"].mean(axis=0), per_q[kinds == "real"].mean(axis=0)
        cells = [cp[r5], real[r5], cp[mrr], real[mrr], (cp[r5] + real[r5]) / 2, (cp[mrr] + real[mrr]) / 2,
                 per_q[:, r5].mean(), bl["R@5"], bl["R@10"], bl["MRR@10"]]
        print(f"| {name} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
    if args.save is not None:
        weights = kind_weights(kinds, args.balance)
        embedder = kb.manifest.get("embedder", "")
        save_adapter(fit(args.method, q_train, p_train, negatives, args.save, weights, groups), embedder, args.save,
                     len(train), ADAPTER_FILE, args.balance, args.method)
        print(f"wrote {ADAPTER_FILE} ({args.method}, balance {args.balance}, lambda {args.save:g}, {len(train)} "
              "questions)")
        if args.folds_out is not None:
            for f in range(FOLDS):
                keep = folds != f
                w = fit(args.method, q_train[keep], p_train[keep], negatives[keep], args.save,
                        None if weights is None else weights[keep], groups[keep])
                save_adapter(w, embedder, args.save, int(keep.sum()), args.folds_out / f"adapter_fold{f}.npz",
                             args.balance, args.method, args.folds)
            print(f"wrote {FOLDS} fold adapters to {args.folds_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
