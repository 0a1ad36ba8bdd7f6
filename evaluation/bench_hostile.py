"""Benchmark: each hostile file of issue 14, ingested by the code before the fix and by this checkout, side by side.

    .venv/bin/python evaluation/bench_hostile.py [--before REV] [--cap 120] [--only 'NAME;...']

Every file is generated (evaluation/hostile.py) into a temporary folder. For each file and each code tree, a fresh
process runs what `policykb ingest --index` does before embedding: ingest_paths over the file (this tree: with the
default limits and time budget, in its worker process), then jieba-tokenising every leaf. Reported: wall and CPU
seconds (process and workers), peak RSS (MiB: the process, and the largest worker), and what came out. A run over `--cap` seconds is killed and
shown as "> cap". The "before" tree is `git archive REV` (default: the commit before the hardening).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from evaluation import hostile  # noqa: E402

BEFORE = "16b8a76"  # main before the issue-14 ingest hardening

_CHILD = r"""
import json, re, resource, sys, time
from ingest.pipeline import ingest_paths
t = time.perf_counter()
result = ingest_paths([sys.argv[1]])
parse = time.perf_counter() - t
leaves = [c.text for d in result.documents for c in d.clauses if c.leaf]
try:
    from index.tokens import tokenize_passages as tok
except ImportError:
    from index.tokens import tokenize_units as tok
tok([[x] for x in leaves])
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
hwm = int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1))
text = "".join(leaves)
controls = len(re.findall("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text))
han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
print(json.dumps({"documents": len(result.documents), "leaves": len(leaves), "controls": controls,
                  "han": round(han / max(1, len(text)), 2),
                  "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                  "rss": hwm / 1024, "worker_rss": kids.ru_maxrss / 1024,
                  "longest": max(map(len, leaves), default=0), "parse": parse,
                  "problems": [p.reason for p in result.problems]}, ensure_ascii=False))
"""

CASES = {
    "HTML nested 100k levels": lambda d: hostile.deep_html(d, 100_000),
    "8,000 x 第一条": lambda d: hostile.repeated_articles(d, 8_000),
    ".docx with 1M paragraphs": lambda d: hostile.million_paragraph_docx(d, 1_000_000),
    ".docx XML unzipping to 200 MiB": lambda d: hostile.xml_bomb_docx(d, 200),
    "2M-character line": lambda d: hostile.long_line(d, 2_000_000),
    "control characters": hostile.control_chars,
    "UTF-16 with BOM": hostile.utf16_bom,
    "unknown charset": hostile.unknown_charset,
    "charset mislabelled (mojibake)": hostile.mislabelled_charset,
}


def run(tree: Path, path: Path, cap: float) -> dict:
    """One measured child process over `path` with the code of `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=tree, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=cap)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"killed": True, "wall": cap}
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        return {"error": err.decode(errors="replace").strip().splitlines()[-1][:120], "wall": wall}
    return {**json.loads(out), "wall": wall}


def outcome(r: dict) -> str:
    if r.get("killed"):
        return f"> {r['wall']:.0f} s (killed)"
    if "error" in r:
        return f"crashed: {r['error']}"
    shown = "; ".join(dict.fromkeys(p[:70] for p in r["problems"]))
    what = (f"{r['documents']} doc, {r['leaves']} leaves (longest {r['longest']:,}), {r['han']:.0%} Chinese"
            + (f", {r['controls']} control chars" if r["controls"] else "")) if r["documents"] else "rejected"
    mem = f"{r['rss']:.0f} MiB" + (f" + worker {r['worker_rss']:.0f} MiB" if r["worker_rss"] else "")
    return f"{r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU, {mem}; {what}" + (f"; {shown}" if shown else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default=BEFORE, help=f"git revision of the code before the fix (default {BEFORE})")
    ap.add_argument("--cap", type=float, default=120.0, help="seconds after which a run is killed (default 120)")
    ap.add_argument("--only", default="", help="semicolon-separated case names (default: all)")
    args = ap.parse_args(argv)
    cases = {k: v for k, v in CASES.items() if not args.only or k in args.only.split(";")}
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        before = Path(tmp, "before")
        before.mkdir()
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.before], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive.stdout, check=True)
        print(f"## Hostile files: before ({args.before}) and after (this checkout), load average "
              f"{os.getloadavg()[0]:.1f}, cap {args.cap:g} s\n")
        print("| problem | file size | before | after |\n|---|---:|---|---|")
        for name, make in cases.items():
            folder = Path(tmp, name.replace(" ", "_").replace("/", "_"))
            folder.mkdir()
            path = make(folder)
            after = run(REPO, path, args.cap)
            old = run(before, path, args.cap)
            print(f"| {name} | {path.stat().st_size / 1024:,.0f} KB | {outcome(old)} | {outcome(after)} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
