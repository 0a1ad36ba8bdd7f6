"""Compare learned-ranker model files side by side: the best pipeline with each model over the same index and sets.

usage: python -m evaluation.compare_models --index DIR --model LABEL=DIR [--model LABEL=DIR ...]
       [--sets dev,held-out-9,real_dev,...] [--cache-dir DIR] [--out FILE.md]

A model DIR holds ltr.txt and ltr.json (index/ranking/data/ is the packaged one; `git show REV:index/ranking/data/
ltr.txt` recovers an earlier one). Every model ranks the same candidates of one open index, so the table shows what
the model alone changes. real_dev is reported as its blind split and its training folds (evaluation.train_ranker).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from evaluation.harness import configurations, run_configuration
from evaluation.scoring import QUESTION_SETS, REPO, read_jsonl
from evaluation.train_ranker import REAL_DEV, real_dev_split

if TYPE_CHECKING:
    from index.ranking.ltr import LearnedModel


def question_sets(names: list[str]) -> dict[str, list[dict]]:
    """The named sets' questions; real_dev becomes real_dev-blind and real_dev-train."""
    out: dict[str, list[dict]] = {}
    for name in names:
        if name == "real_dev":
            train, blind = real_dev_split(read_jsonl(REAL_DEV))
            out["real_dev-blind"], out["real_dev-train"] = blind, train
        elif name in QUESTION_SETS:
            out[name] = read_jsonl(QUESTION_SETS[name])
        else:
            known = ", ".join(QUESTION_SETS)
            raise SystemExit(f"compare_models: --sets: unknown set {name!r}; known: real_dev, {known}")
    return out


def parse_model(spec: str) -> tuple[str, "LearnedModel"]:
    """LABEL=DIR -> (label, LearnedModel); a clear error when the files are missing."""
    from index.ranking.ltr import load_model

    label, sep, folder = spec.partition("=")
    if not sep or not label:
        raise SystemExit(f"compare_models: --model {spec!r}: expected LABEL=DIR")
    model = load_model(Path(folder) / "ltr.txt", Path(folder) / "ltr.json")
    if model is None:
        raise SystemExit(f"compare_models: --model {spec!r}: {folder} has no ltr.txt + ltr.json")
    return label, model


def main(argv: list[str] | None = None) -> int:
    """Print (and with --out write) one row per set and model."""
    from index.kb import KnowledgeBase
    from index.ranking.ranker import Ranker
    from policykb.config import Config

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--model", action="append", required=True, metavar="LABEL=DIR")
    p.add_argument("--sets", default="dev,real_dev")
    p.add_argument("--cache-dir", type=Path, default=REPO / "data" / "cache")
    p.add_argument("--out", type=Path, default=None, help="also write the table here")
    args = p.parse_args(argv)
    models = [parse_model(s) for s in args.model]
    sets = question_sets([s for s in args.sets.split(",") if s])
    kb = KnowledgeBase.open(args.index, cache_dir=args.cache_dir)
    ranker = Ranker.from_config(kb, Config.from_env())
    (best,) = configurations(["best"], dense=kb.has_vectors)
    lines = [f"Best pipeline over {args.index} with each model (python -m evaluation.compare_models).", "",
             "| set | model | R@1 | R@5 | R@10 | MRR@10 | questions |", "|---|---|---|---|---|---|---|"]
    for name, questions in sets.items():
        for label, model in models:
            config = replace(best, name=f"best ({label})", options=replace(best.options, model=model))
            row, _ = run_configuration(ranker, questions, config)
            m = row.metrics
            lines.append(f"| {name} | {label} | {m.recall[1]:.3f} | {m.recall[5]:.3f} | {m.recall[10]:.3f} | "
                         f"{m.mrr:.3f} | {m.answerable} |")
            print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
