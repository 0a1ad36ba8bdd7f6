"""Scan a folder of law texts with the duty extractor: throughput, the most frequent units, and the units found
only through the open list rule (names units.txt lacks) — the candidates for new dictionary lines.

    .venv/bin/python evaluation/units_scan.py ../shared/corpus/laws [--top 30]
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from ingest.duties import extract_duties, load_units


def scan(folder: Path) -> dict:
    """Extract duties from every non-heading line of every .md/.txt file under folder."""
    known = {u.name for u in load_units()}
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".md", ".txt"))
    units, unknown, examples = Counter(), Counter(), {}
    chars = duties = 0
    t0 = time.perf_counter()
    for f in files:
        for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
            line = line.strip()
            if len(line) < 8 or line.startswith("#"):
                continue
            chars += len(line)
            for d in extract_duties(line):
                duties += 1
                units[d.unit] += 1
                if d.unit not in known:
                    unknown[d.unit] += 1
                    examples.setdefault(d.unit, d.group_text)
    return {"files": len(files), "chars": chars, "duties": duties, "seconds": time.perf_counter() - t0,
            "units": units, "unknown": unknown, "examples": examples}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"units_scan: {args.folder} is not a folder", file=sys.stderr)
        return 2
    r = scan(args.folder)
    print("| files | characters | duties | seconds | Mchar/s | distinct units | of which not in units.txt |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {r['files']} | {r['chars']} | {r['duties']} | {r['seconds']:.1f} | {r['chars'] / r['seconds'] / 1e6:.2f} "
          f"| {len(r['units'])} | {len(r['unknown'])} ({sum(r['unknown'].values())} duties) |")
    print("\n| unit | duties |\n|---|---|")
    for name, n in r["units"].most_common(args.top):
        print(f"| {name} | {n} |")
    print("\n| unit not in units.txt | duties | first seen in |\n|---|---|---|")
    for name, n in r["unknown"].most_common(args.top):
        print(f"| {name} | {n} | {r['examples'][name][:40]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
