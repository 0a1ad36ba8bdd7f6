"""Precision and recall of the units ingest.duties extracts, against hand-annotated gold.

Gold (evaluation/units_gold.jsonl) has two sets:
- `who`: the dev set's `who` questions; the text is the sentence of the gold file holding the gold quote, the gold
  units are the units that quote names as answering the question (annotated by hand from the quote).
- `sample`: 50 paragraphs drawn at random (seed 20241) from ../shared/corpus/related and the work plan, each read
  and annotated by hand: the units the paragraph gives a duty or power to, or that a duty points to (report to,
  apply to). Generic "有关部门", private parties, cultural venues and "国家" are not units. The extractor and
  dictionary were then corrected on errors seen here, so its figures are optimistic.
- `heldout`: 30 more paragraphs (seed 777, the 50 above excluded), annotated the same way after the extractor was
  frozen and never used to change it: the unbiased figure.
Texts are read from ../shared at run time (no law text in the repo).

    .venv/bin/python evaluation/units_eval.py [--shared ../shared] [--errors] [--index DIR [--cache-dir DIR]]

With --index, the `who` questions also go through search and the /ask answer card (end to end).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ingest.duties import ROLES, extract_duties

HERE = Path(__file__).resolve().parent
GOLD = HERE / "units_gold.jsonl"
STOPS = "。；！？\n"


def sentence_around(text: str, quote: str) -> str:
    """The sentence(s) of text that hold quote (bounded by 。；！？ or line ends)."""
    i = text.find(quote)
    if i < 0:
        raise ValueError(f"quote not found: {quote[:30]}…")
    start, end = i, i + len(quote)
    while start > 0 and text[start - 1] not in STOPS:
        start -= 1
    while end < len(text) and text[end] not in STOPS:
        end += 1
    return text[start:end + 1]


def load_items(shared: Path, gold: Path = GOLD) -> list[dict]:
    """Gold rows with the text each is judged on, read from ../shared."""
    dev = {}
    dev_path = shared / "eval" / "dev.jsonl"
    for line in dev_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            dev[q["id"]] = q
    items = []
    for n, line in enumerate(gold.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["set"] == "who":
            q = dev[row["id"]]
            texts = []
            for ans in q["answers"]:
                body = (shared / "corpus" / ans["file"]).read_text(encoding="utf-8")
                texts.append(sentence_around(body, ans["quote"]))
            text = "\n".join(texts)
            row["label"] = f'{row["id"]} {q["question"]}'
        else:
            lines = (shared / "corpus" / row["file"]).read_text(encoding="utf-8").splitlines()
            text = lines[row["line"] - 1].strip()
            if not text.startswith(row["starts"]):
                raise ValueError(f"{gold}:{n}: {row['file']}:{row['line']} no longer starts with {row['starts']!r}")
            row["label"] = f'{Path(row["file"]).stem}:{row["line"]}'
        row["text"] = text
        items.append(row)
    return items


def add_precision_recall(s: dict) -> None:
    """Micro precision and recall from the tp/fp/fn counts of `s` (1.0 when there is nothing to count)."""
    s["precision"] = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else 1.0
    s["recall"] = s["tp"] / (s["tp"] + s["fn"]) if s["tp"] + s["fn"] else 1.0


def score(items: list[dict], roles: tuple[str, ...]) -> dict[str, dict]:
    """Micro precision/recall per gold set over the sets of (canonical) units per item."""
    out: dict[str, dict] = {}
    for item in items:
        got = {d.unit for d in extract_duties(item["text"]) if d.role in roles}
        gold = set(item["units"])
        s = out.setdefault(item["set"], {"tp": 0, "fp": 0, "fn": 0, "items": 0, "errors": []})
        s["items"] += 1
        s["tp"] += len(got & gold)
        s["fp"] += len(got - gold)
        s["fn"] += len(gold - got)
        if got != gold:
            s["errors"].append((item["label"], sorted(gold - got), sorted(got - gold)))
    for s in out.values():
        add_precision_recall(s)
        p, r = s["precision"], s["recall"]
        s["f1"] = 2 * p * r / (p + r) if p + r else 0.0
    return out


def end_to_end(index_dir: Path, items: list[dict], k: int = 10, cache_dir: Path | None = None) -> dict:
    """The `who` questions through search and the /ask answer card (answers.card.build_answer): precision and
    recall of the units the card shows, against the hand-annotated units."""
    from answers.card import build_answer
    from index.kb import KnowledgeBase
    from ingest.duties import normalize_unit

    from index.ranking.ranker import Ranker
    from policykb.config import Config

    ranker = Ranker.from_config(KnowledgeBase.open(index_dir, cache_dir=cache_dir), Config.from_env())
    s = {"tp": 0, "fp": 0, "fn": 0, "items": 0, "found": 0, "any_gold": 0, "rows": []}
    try:
        for item in items:
            if item["set"] != "who":
                continue
            question = item["label"].split(" ", 1)[1]
            hits = ranker.search(question, k=k, mode="hybrid")
            answer = build_answer(question, hits, duties=ranker.kb.duties([h.clause_id for h in hits]))
            got = {normalize_unit(u.unit) or u.unit for u in answer.units}
            gold = set(item["units"])
            s["items"] += 1
            s["found"] += answer.found and bool(answer.units)
            s["any_gold"] += bool(got & gold)
            s["tp"] += len(got & gold)
            s["fp"] += len(got - gold)
            s["fn"] += len(gold - got)
            s["rows"].append((item["label"], sorted(gold - got), sorted(got - gold)))
    finally:
        ranker.kb.close()
    add_precision_recall(s)
    return s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared", help="the ../shared folder")
    parser.add_argument("--errors", action="store_true", help="list every item where extraction differs from gold")
    parser.add_argument("--index", type=Path, help="also run the who questions through search + the answer card")
    parser.add_argument("--cache-dir", type=Path, default=None, help="query-vector cache for --index")
    args = parser.parse_args(argv)
    if not (args.shared / "eval" / "dev.jsonl").exists():
        print(f"units_eval: {args.shared}/eval/dev.jsonl is absent: pass --shared", file=sys.stderr)
        return 2
    items = load_items(args.shared)
    configs = {"all roles (负责+协同+受理)": ROLES, "duty holders only (负责+协同)": ROLES[:2]}
    print("| gold set | items | roles counted | precision | recall | F1 | TP | FP | FN |")
    print("|---|---|---|---|---|---|---|---|---|")
    results = {}
    for name, roles in configs.items():
        results[name] = score(items, roles)
        for set_name, s in sorted(results[name].items(), reverse=True):
            print(f"| {set_name} | {s['items']} | {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} "
                  f"| {s['tp']} | {s['fp']} | {s['fn']} |")
    if args.errors:
        print("\n| item | missed | spurious |\n|---|---|---|")
        for set_name, s in sorted(results[next(iter(configs))].items(), reverse=True):
            for label, missed, spurious in s["errors"]:
                print(f"| {label} | {'、'.join(missed)} | {'、'.join(spurious)} |")
    if args.index:
        e = end_to_end(args.index, items, cache_dir=args.cache_dir)
        print(f"\nEnd to end over {args.index} (search top 10 -> /ask answer card units):\n")
        print("| questions | card shows units | a gold unit shown | precision | recall | TP | FP | FN |")
        print("|---|---|---|---|---|---|---|---|")
        print(f"| {e['items']} | {e['found']} | {e['any_gold']} | {e['precision']:.3f} | {e['recall']:.3f} "
              f"| {e['tp']} | {e['fp']} | {e['fn']} |")
        if args.errors:
            print("\n| question | missed | also shown |\n|---|---|---|")
            for label, missed, extra in e["rows"]:
                print(f"| {label} | {'、'.join(missed)} | {'、'.join(extra)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
