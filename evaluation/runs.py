"""Batch search in the ../shared/eval formats: question JSONL in, run JSONL out (best results first)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Iterable, Sequence

from index.hit import Hit
from index.ranking.rerank import group_by_article


def read_questions(path: str | Path) -> list[dict]:
    """Questions from JSONL (`id` and `question` required); errors name the file and line."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"questions file {path}: not found")
    questions = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc})") from None
            if not isinstance(q, dict) or not q.get("id") or not isinstance(q.get("question"), str):
                raise ValueError(f"{path}:{n}: each line needs an \"id\" and a \"question\" string")
            questions.append(q)
    return questions


def result_record(hit: Hit) -> dict:
    """One run result: the citation unit's text (what a citation quotes), so the gold quote can lie inside it."""
    locator = hit.citation.split("》", 1)[1] if "》" in hit.citation else "".join(hit.locator)
    return {
        "doc_title": hit.doc_title,
        "locator": locator,
        "citation": hit.citation,
        "text": hit.article_text or hit.text,
        "score": round(hit.score, 6),
        "clause_id": hit.clause_id,
        "doc_id": hit.doc_id,
    }


def run_batch(questions: Sequence[dict], search: Callable[[str, int], list[Hit]], k: int = 10) -> list[dict]:
    """Search every question; one record per question {"id", "results": [...]} in the eval run format.

    Hits from the same article are merged (the article is what a citation quotes), so a run has k distinct
    citation units. `search(question, k) -> list[Hit]` is e.g. a Ranker's search in one mode.
    """
    records = []
    for q in questions:
        hits = group_by_article(search(q["question"], k * 3))[:k]
        records.append({"id": q["id"], "results": [result_record(h) for h in hits]})
    return records


def write_run(records: Iterable[dict], path: str | Path) -> int:
    """Write run records as JSONL; returns the number written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    return n
