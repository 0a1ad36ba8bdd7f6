"""Run several search configurations over a question set side by side and report the metrics as a Markdown table.

Configurations: the three plain retrieval modes (bm25, dense, hybrid), the best pipeline (index/ranking/rerank.py), the best
pipeline with each improvement switched off alone ("best -x"), and plain hybrid with each improvement switched on
alone ("hybrid +x"), so every lever's contribution is measured in one run.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from evaluation.scoring import Metrics, percentile, score
from index.ranking.ranker import Ranker
from index.ranking.rerank import SIGNALS, SWITCHES, PipelineOptions

IMPROVEMENTS = SWITCHES + SIGNALS
PLAIN_MODES = ("bm25", "dense", "hybrid")


@dataclass(frozen=True)
class Configuration:
    """One row of the table: a plain retrieval mode, or the best pipeline with some options."""

    name: str
    mode: str  # bm25 | dense | hybrid | best
    options: PipelineOptions | None = None


def plain_hybrid_options(first_stage: str = "hybrid") -> PipelineOptions:
    """The pipeline with every improvement off: the fused retrieval order as is."""
    return PipelineOptions(strip=False, synonyms=False, group_articles=False, jurisdiction=False, signals=(),
                           mode=first_stage)


def configurations(names: list[str] | None = None, dense: bool = True, rescorer=None) -> list[Configuration]:
    """The named configurations (default: all) — bm25, dense, hybrid, best, best-X, hybrid+X.

    Without dense vectors (an index built with --embedder none) the pipeline runs over BM25 candidates. The
    `dense` signal (candidates embedded on demand, index/ranking/rescore.py) is measured only when a rescorer is given.
    """
    first = "hybrid" if dense else "bm25"
    best = PipelineOptions(mode=first, rescorer=rescorer)
    linear = best.without("learned")
    plain = replace(plain_hybrid_options(first), rescorer=rescorer, learned=False)
    improvements = [x for x in IMPROVEMENTS if x != "dense" or rescorer is not None]
    table: list[Configuration] = [Configuration(m, m) for m in PLAIN_MODES if dense or m == "bm25"]
    table.append(Configuration("best", "best", best))  # the learned ranker (when a model is trained)
    table.append(Configuration("best-linear", "best", linear))  # the hand-weighted rerank it replaces
    # Query/candidate switches under the learned ranker; reranking signals under the linear rerank (the learned
    # ranker's feature ablation needs a retrain: evaluation/train_ranker.py reports it).
    table += [Configuration(f"best -{x}", "best", best.without(x)) for x in SWITCHES + ("mined", "adapted")]
    if rescorer is not None and not dense:
        table.append(Configuration("best -dense", "best", best.without("dense")))
    table += [Configuration(f"best-linear -{x}", "best", linear.without(x)) for x in improvements if x in SIGNALS]
    for x in improvements:
        if x in SIGNALS:
            opts = replace(plain, signals=(x,))
        else:
            opts = replace(plain, **{x: True})
        table.append(Configuration(f"{first} +{x}", "best", opts))
    if names:
        by_name = {c.name: c for c in table}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise ValueError(f"--configs: unknown configuration(s) {unknown}; known: {list(by_name)}")
        table = [by_name[n] for n in names]
    return table


def searcher(ranker: Ranker, config: Configuration):
    """search(question, n) -> hits for one configuration (a plain retrieval mode, or the best pipeline)."""
    return lambda query, n: ranker.search(query, k=n, mode=config.mode, options=config.options)


@dataclass
class Row:
    """One configuration's results over one question set."""

    config: str
    metrics: Metrics
    latency_p50_ms: float
    latency_p95_ms: float
    run: dict[str, list[dict]] = field(default_factory=dict)
    none_found: dict[str, float] = field(default_factory=dict)  # found rates: {"none": .., "answerable": ..}

    def as_dict(self) -> dict:
        out = {"config": self.config, **self.metrics.as_dict(),
               "latency_p50_ms": round(self.latency_p50_ms, 1), "latency_p95_ms": round(self.latency_p95_ms, 1)}
        if self.none_found:
            out["found_rate"] = self.none_found
        out["first_hit_rank"] = {o.id: o.first_hit for o in self.metrics.outcomes}
        return out


def run_configuration(ranker: Ranker, questions: list[dict], config: Configuration, k: int = 10,
                      keep_hits: bool = False) -> tuple[Row, dict[str, list]]:
    """Search every question with one configuration through evaluation.runs.run_batch (results merged per article,
    exactly as `policykb search --batch` writes them); time each query."""
    from evaluation.runs import run_batch

    inner = searcher(ranker, config)
    times, hits_by_query = [], {}

    def timed(query: str, n: int) -> list:
        t0 = time.perf_counter()
        hits = inner(query, n)
        times.append((time.perf_counter() - t0) * 1000)
        if keep_hits:
            hits_by_query[query] = hits
        return hits

    records = run_batch(questions, timed, k=k)
    run = {r["id"]: r["results"] for r in records}
    hits_by_id = {q["id"]: hits_by_query.get(q["question"], []) for q in questions} if keep_hits else {}
    row = Row(config.name, score(questions, run), percentile(times, 0.5), percentile(times, 0.95), run)
    return row, hits_by_id


def found_rates(questions: list[dict], hits_by_id: dict[str, list], threshold: float | None = None) -> dict[str, float]:
    """Share of `none` and of answerable questions for which the answer card reports found=True."""
    from answers.card import CONFIDENCE_THRESHOLD, build_answer

    limit = CONFIDENCE_THRESHOLD if threshold is None else threshold
    counts = {"none": [0, 0], "answerable": [0, 0]}
    for q in questions:
        key = "answerable" if q.get("answers") else "none"
        found = build_answer(q["question"], hits_by_id.get(q["id"], []), threshold=limit).found
        counts[key][0] += found
        counts[key][1] += 1
    return {k: round(a / b, 4) for k, (a, b) in counts.items() if b}


def evaluate(ranker: Ranker, questions: list[dict], configs: list[Configuration], k: int = 10,
             progress=None) -> list[Row]:
    """Rows for every configuration; the best pipeline's row also carries the found/not-found rates."""
    rows = []
    for config in configs:
        row, hits = run_configuration(ranker, questions, config, k, keep_hits=config.name == "best")
        if config.name == "best":
            row.none_found = found_rates(questions, hits)
        rows.append(row)
        if progress:
            progress(row)
    return rows


def markdown_table(rows: list[Row], types: tuple[str, ...] = ("who", "what", "which_doc", "number", "cross")) -> str:
    """The side-by-side table: R@1, R@5, R@10, MRR@10, coverage@10, R@5 by type, query p50."""
    head = ["config", "R@1", "R@5", "R@10", "MRR@10", "cov@10"] + [f"R@5 {t}" for t in types] + ["p50 ms"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        m = row.metrics
        cells = [row.config, f"{m.recall[1]:.3f}", f"{m.recall[5]:.3f}", f"{m.recall[10]:.3f}", f"{m.mrr:.3f}",
                 f"{m.coverage:.3f}"]
        for t in types:
            a, b = m.r5_by_type.get(t, (0, 0))
            cells.append(f"{a}/{b}" if b else "–")
        cells.append(f"{row.latency_p50_ms:.0f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_json(path: Path | str, payload: dict) -> None:
    """Write the results JSON (rows without the bulky runs)."""
    Path(path).write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")


def write_runs(folder: Path | str, rows: list[Row]) -> None:
    """One run file per configuration in the ../shared/eval format (for score.py)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for row in rows:
        name = row.config.replace(" ", "_").replace("+", "plus_").replace("-", "minus_")
        with open(folder / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for qid, results in row.run.items():
                fh.write(json.dumps({"id": qid, "results": results}, ensure_ascii=False) + "\n")
