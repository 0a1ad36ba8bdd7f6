"""Benchmark: how many documents show 施行日期 / 发布机构 / 文号 (and a dated version label), per corpus.

    .venv/bin/python evaluation/metadata_coverage.py [--corpus related=DIR ...] [--list]

Ingests each corpus (default ../shared/corpus/related + the work plan, and ../shared/corpus/laws) and prints a
Markdown table; --list also prints the documents of the first corpus that still miss a field.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest.pipeline import ingest_paths  # noqa: E402

SHARED = REPO.parent / "shared" / "corpus"
FIELDS = (("施行日期", lambda d: bool(d.effective)), ("发布机构", lambda d: bool(d.issuer)),
          ("发布机构 (stated in the text)", lambda d: bool(d.issuer) and "发布机构依据" not in d.info),
          ("文号", lambda d: bool(d.doc_number)), ("dated version", lambda d: bool(d.version_date)))


def coverage(paths: list[Path]) -> tuple[int, dict[str, int], list]:
    """(documents, field -> documents stating it, the documents) for one corpus."""
    docs = ingest_paths(paths).documents
    return len(docs), {name: sum(1 for d in docs if ok(d)) for name, ok in FIELDS}, docs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", action="append", default=[],
                    help="NAME=DIR[,DIR…] (default: related = related + workplan, laws = all laws)")
    ap.add_argument("--list", action="store_true", help="list the first corpus's documents missing a field")
    args = ap.parse_args(argv)
    corpora = [(c.split("=", 1)[0], [Path(p) for p in c.split("=", 1)[1].split(",")]) for c in args.corpus] or [
        ("related + work plan", [SHARED / "related", SHARED / "workplan"]), ("all laws", [SHARED / "laws"])]
    for _, paths in corpora:
        missing = [p for p in paths if not p.exists()]
        if missing:
            print(f"metadata_coverage: {missing[0]} not found (the shared corpus beside the checkout)", file=sys.stderr)
            return 2
    print("| corpus | documents | " + " | ".join(n for n, _ in FIELDS) + " |")
    print("|---|---:|" + "---:|" * len(FIELDS))
    first = None
    validity: list[str] = []
    for name, paths in corpora:
        n, counts, docs = coverage(paths)
        first = first if first is not None else docs
        print(f"| {name} | {n} | " + " | ".join(f"{counts[f]} ({counts[f] / max(n, 1):.0%})" for f, _ in FIELDS) + " |")
        tally = Counter(getattr(d, "validity", "") or "(none)" for d in docs)
        validity.append(f"| {name} | " + ", ".join(f"{k} {v}" for k, v in tally.most_common()) + " |")
    print("\n| corpus | validity on the day of the run |\n|---|---|")
    print("\n".join(validity))
    if args.list and first is not None:
        for d in first:
            gaps = [f for f, ok in FIELDS if not ok(d)]
            if gaps:
                print(f"- {d.id}: no {', '.join(gaps)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
