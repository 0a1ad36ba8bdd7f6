"""Load benchmark (not a test): N concurrent clients for D seconds against the real `policykb serve`.

Each client loops over the dev questions, alternating GET /api/search and GET /api/ask, and records the latency of
every request; any non-200 answer or transport failure counts as an error. One server run per configuration
(retrieval mode × server threads), results side by side as a Markdown table.

    python -m evaluation.bench_load --index data/index                   # 20 clients, 60 s, best mode, 4 threads
    python -m evaluation.bench_load --index data/index --modes best,bm25 --workers 4,8
    python -m evaluation.bench_load --build /tmp/bench-index             # build over corpus/ + ../shared related first

`--fresh` makes every query text unique (a counter suffix), so the server's query-vector cache never helps.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode

from evaluation.scoring import DEV_QUESTIONS, percentile
from policykb.commands.serve import launched

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
ENDPOINTS = ("/api/search", "/api/ask")


@dataclass
class Tally:
    """Latencies (ms) and error count of one endpoint in one run."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""


def questions(path: Path) -> list[str]:
    """The question texts of a JSONL question set."""
    if not path.exists():
        raise SystemExit(f"bench_load: {path} is absent (the dev question set lives in ../shared/eval)")
    out = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not out:
        raise SystemExit(f"bench_load: {path} holds no questions")
    return out


def fetch(url: str) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            r.read()
            return r.status == 200, str(r.status)
    except HTTPError as e:
        return False, f"HTTP {e.code}: {e.read()[:200]!r}"
    except (URLError, OSError) as e:
        return False, f"{type(e).__name__}: {e}"


def client(base: str, qs: list[str], offset: int, mode: str, stop: float, fresh: bool,
           tallies: dict[str, Tally], lock: threading.Lock, counter: list[int]) -> None:
    """One client: alternate search and ask over the questions until the deadline."""
    i = offset
    while time.monotonic() < stop:
        endpoint = ENDPOINTS[i % 2]
        q = qs[i % len(qs)]
        if fresh:
            with lock:
                counter[0] += 1
                q = f"{q} {counter[0]}"
        url = f"{base}{endpoint}?{urlencode({'q': q, 'mode': mode})}"
        t0 = time.perf_counter()
        ok, detail = fetch(url)
        ms = (time.perf_counter() - t0) * 1000
        with lock:
            tally = tallies[endpoint]
            tally.latencies.append(ms)
            if not ok:
                tally.errors += 1
                tally.first_error = tally.first_error or detail
        i += 1


def run(index: Path, mode: str, workers: int, clients: int, duration: float, fresh: bool,
        cache_dir: Path | None, qs: list[str]) -> dict[str, Tally]:
    """One configuration: start the server, warm it up, load it, stop it."""
    with ExitStack() as stack:
        try:
            base = stack.enter_context(launched(index, cache_dir, workers))
        except RuntimeError as exc:
            raise SystemExit(f"bench_load: the server did not start: {exc}") from None
        ok, detail = fetch(f"{base}/api/ask?{urlencode({'q': qs[0], 'mode': mode})}")  # opens models, warms caches
        if not ok:
            raise SystemExit(f"bench_load: warm-up request failed: {detail}")
        tallies = {e: Tally() for e in ENDPOINTS}
        lock, counter = threading.Lock(), [0]
        stop = time.monotonic() + duration
        threads = [threading.Thread(target=client, args=(base, qs, n * 7, mode, stop, fresh, tallies, lock, counter))
                   for n in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return tallies


def build(index: Path, embedder: str, cache_dir: Path | None) -> None:
    """Build the benchmark index over corpus/ and ../shared/corpus/related."""
    from index.build import build_index

    related = SHARED / "corpus" / "related"
    if not related.exists():
        raise SystemExit(f"bench_load: {related} is absent")
    report = build_index([REPO / "corpus", related], index, embedder=embedder, cache_dir=cache_dir)
    print(report.summary(), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--index", type=Path, help="a built index folder")
    p.add_argument("--build", type=Path, help="build an index here first (corpus/ + ../shared related) and use it")
    p.add_argument("--embedder", default="bundled", help="embedder for --build (default: bundled)")
    p.add_argument("--cache-dir", type=Path, default=None, help="embedding cache for the build and the server")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--duration", type=float, default=60.0, help="seconds of load per configuration")
    p.add_argument("--modes", default="best", help="comma-separated retrieval modes (best, hybrid, bm25, dense)")
    p.add_argument("--workers", default="4", help="comma-separated server thread counts")
    p.add_argument("--questions", type=Path, default=DEV_QUESTIONS)
    p.add_argument("--fresh", action="store_true", help="unique query texts (no query-vector cache hits)")
    args = p.parse_args(argv)
    if args.build:
        build(args.build, args.embedder, args.cache_dir)
        args.index = args.build
    if not args.index:
        p.error("give --index DIR (or --build DIR)")
    qs = questions(args.questions)
    modes = [m for m in args.modes.split(",") if m]
    workers = [int(w) for w in args.workers.split(",") if w]
    print(f"{args.clients} concurrent clients × {args.duration:.0f} s per configuration, {len(qs)} dev questions "
          f"alternating /api/search and /api/ask{', unique query texts' if args.fresh else ''}; index {args.index}\n")
    print("| mode | threads | endpoint | requests | errors | p50 ms | p95 ms | max ms | req/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    total_errors = 0
    for mode in modes:
        for w in workers:
            tallies = run(args.index, mode, w, args.clients, args.duration, args.fresh, args.cache_dir, qs)
            for endpoint, t in tallies.items():
                lat = t.latencies
                total_errors += t.errors
                print(f"| {mode} | {w} | `{endpoint}` | {len(lat)} | {t.errors} | {percentile(lat, 0.5):.0f} | "
                      f"{percentile(lat, 0.95):.0f} | {max(lat, default=0):.0f} | {len(lat) / args.duration:.1f} |",
                      flush=True)
                if t.first_error:
                    print(f"|  |  | first error: {t.first_error[:120]} |  |  |  |  |  |  |", flush=True)
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
