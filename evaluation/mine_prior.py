"""Count how often lawyers cite each law for real questions: the ranker's gold prior.

usage: python -m evaluation.mine_prior [--out index/ranking/data/gold_prior.json]
       [--index DIR [--cache-dir DIR] [--neighbours-out index/ranking/data/neighbours.npz]]

Reads the real_dev training folds only (never its blind split, and none of our judges), counts every gold document
once per question, by the question's CV fold (evaluation.train_ranker.fold_of), and writes them with a
fingerprint of the questions read. index/ranking/prior.py explains the use; train_ranker gives each training
question the counts of the other folds. With --index (an index with vectors), it also writes the similar-questions
store (index/ranking/neighbours.py): each question's plain query vector as the ranker embeds it, its gold articles
and documents and its fold.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from evaluation.scoring import read_jsonl
from evaluation.train_ranker import REAL_DEV, fold_of, real_dev_split
from index.ranking.neighbours import NEIGHBOURS_FILE, save_neighbours
from index.ranking.prior import PRIOR_FILE, title_key


def count(questions: list[dict]) -> dict[str, dict[int, int]]:
    """For each gold document (title_key), how many questions of each fold cite it (once a question)."""
    docs: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for q in questions:
        for key in {title_key(g["doc"]) for g in q.get("answers") or [] if g.get("doc")}:
            docs[key][fold_of(q)] += 1
    return {k: dict(sorted(v.items())) for k, v in sorted(docs.items())}


def write_neighbours(index: Path, cache_dir: Path | None, questions: list[dict], out: Path, meta: dict) -> int:
    """Embed each question as the ranker does (query analysis with the hand and mined synonyms, then the plain
    query vector) and write the store; the number of questions."""
    from index.kb import KnowledgeBase
    from index.ranking.query import analyze, load_mined, merged_synonyms
    from index.ranking.rerank import PipelineOptions, plain_query

    kb = KnowledgeBase.open(index, cache_dir=cache_dir)
    try:
        if not kb.has_vectors:
            raise ValueError(f"--index {index}: the index has no vectors (build it with an embedder)")
        synonyms = merged_synonyms(kb.tokenizer.synonyms, load_mined())
        options = PipelineOptions()
        vectors = [plain_query(kb, analyze(q["question"], synonyms, kb.places), options) for q in questions]
        golds = [list(dict.fromkeys((g["doc"], g["article"]) for g in q["answers"] if g.get("doc") and g.get("article")))
                 for q in questions]
        save_neighbours(out, vectors, golds, [fold_of(q) for q in questions], kb.manifest.get("embedder", ""), meta)
    finally:
        kb.close()
    return len(questions)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=PRIOR_FILE)
    p.add_argument("--index", type=Path, help="an index with vectors: also write the similar-questions store")
    p.add_argument("--cache-dir", type=Path, default=None, help="embedding cache (query vectors)")
    p.add_argument("--neighbours-out", type=Path, default=NEIGHBOURS_FILE)
    args = p.parse_args(argv)
    if not REAL_DEV.is_file():
        print(f"mine_prior: {REAL_DEV} is missing (../shared/eval/real_dev.jsonl)", file=sys.stderr)
        return 2
    if args.index is not None and not (args.index / "manifest.json").is_file():
        print(f"mine_prior: --index {args.index}: no index there (policykb ingest … --index DIR)", file=sys.stderr)
        return 2
    train, _ = real_dev_split(read_jsonl(REAL_DEV))
    docs = count(train)
    per_fold = dict(sorted(Counter(fold_of(q) for q in train).items()))
    digest = hashlib.sha256("\n".join(sorted(q["id"] + q["question"] for q in train)).encode()).hexdigest()[:16]
    meta = {"questions": len(train), "fingerprint": digest, "source": "real_dev training folds",
            "script": "python -m evaluation.mine_prior"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps({"meta": meta, "questions": per_fold, "docs": docs}, ensure_ascii=False, indent=0)
                   + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out}: {len(docs)} documents cited by {len(train)} questions")
    if args.index is not None:
        try:
            n = write_neighbours(args.index, args.cache_dir, [q for q in train if q.get("answers")],
                                 args.neighbours_out, meta)
        except (OSError, ValueError) as exc:
            print(f"mine_prior: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {args.neighbours_out}: {n} questions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
