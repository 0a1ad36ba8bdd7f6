"""Single-client latency of /api/search on questions the server has never seen, against the bare query embedding.

    python -m evaluation.bench_latency --index DIR [--questions real_dev.jsonl] [--n 200] [--modes best,bm25]

The server (the real `policykb serve`) gets a fresh, empty cache folder, so every question is embedded on request
(a repeated question would hide that cost). For each question, in turn: the bare embedding time of that question
in this process (the index's own embedder, not cached), then one GET /api/search per mode — side by side, so the noise
of a shared machine hits all columns alike. Prints p50/p95 per column and the ratio p50(search)/p50(embedding).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode

from evaluation.bench_load import fetch
from evaluation.scoring import REPO, percentile
from policykb.commands.serve import launched
from policykb.config import Config

REAL_DEV = REPO.parent / "shared" / "eval" / "real_dev.jsonl"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--questions", type=Path, default=REAL_DEV)
    p.add_argument("--n", type=int, default=200, help="questions (each asked once)")
    p.add_argument("--modes", default="best", help="comma-separated modes, one column each")
    p.add_argument("--out", type=Path, default=None, help="also write the table here (Markdown)")
    args = p.parse_args(argv)
    if not args.questions.is_file():
        raise SystemExit(f"bench_latency: {args.questions} is absent")
    qs = [json.loads(line)["question"] for line in args.questions.read_text(encoding="utf-8").splitlines()
          if line.strip()][: args.n]
    modes = [m for m in args.modes.split(",") if m]
    from index.embedders import make_embedder
    from index.layout import read_manifest

    manifest = read_manifest(args.index)
    has_vectors = manifest.get("embedder") != "none"
    # the engine the index was embedded with (the server embeds its queries with it): bundled, onnx or st:…
    model = make_embedder(manifest.get("embedder_spec") or "bundled", Config.from_env().cache_dir) if has_vectors else None
    times: dict[str, list[float]] = {"embedding": [], **{m: [] for m in modes}}
    errors = 0
    with ExitStack() as stack:
        cache = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-latency-")))
        base = stack.enter_context(launched(args.index, cache, workers=1))
        ok, detail = fetch(f"{base}/api/search?{urlencode({'q': '未成年人保护 warm-up', 'mode': modes[0]})}")
        if not ok:
            raise SystemExit(f"bench_latency: warm-up failed: {detail}")
        if model is not None:
            model.encode_queries(["warm-up"])
        for q in qs:
            if model is not None:
                t0 = time.perf_counter()
                model.encode_queries([q])
                times["embedding"].append((time.perf_counter() - t0) * 1000)
            for i, m in enumerate(modes):
                text = q if i == 0 else f"{q} {i}"  # each mode sees an unseen text too
                t0 = time.perf_counter()
                ok, _ = fetch(f"{base}/api/search?{urlencode({'q': text, 'mode': m})}")
                times[m].append((time.perf_counter() - t0) * 1000)
                errors += not ok
    lines = [f"{len(qs)} unseen questions from {args.questions.name}, index {args.index} "
             f"({'with vectors' if has_vectors else 'BM25-only'}), single client, fresh server cache; errors {errors}",
             "", "| column | p50 ms | p95 ms | p50 / embedding p50 |", "|---|---|---|---|"]
    emb = percentile(times["embedding"], 0.5) if times["embedding"] else 0.0
    for name, values in times.items():
        if not values:
            continue
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        ratio = f"{p50 / emb:.2f}" if emb else "–"
        lines.append(f"| {name if name == 'embedding' else '/api/search ' + name} | {p50:.1f} | {p95:.1f} | {ratio} |")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
