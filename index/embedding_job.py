"""Phase two of a build: add vectors to an index built with `--embedder none` (or re-embed it), resumably.

The job reads the passages of the index folder in use, embeds every distinct text the embedding cache lacks in
fixed batches (here, or on a Dask cluster: index/embed_cluster.py), and commits each finished batch to the cache, so
a killed job resumes without re-embedding what it finished. It then writes a new index folder that reuses the
BM25 files and the SQLite store as they are (hard links) plus the new FAISS file, and swaps it in atomically under
the build lock. A progress file beside the index (`progress_path`) tells servers how far it is.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Iterator, Sequence

import numpy as np

from index.build import corpus_fingerprint, dense_description
from index.cache import EmbeddingCache, text_hash
from index.embedders import make_embedder, spec_name
from index.errors import IndexCorruptError, IndexMismatchError
from index.layout import (MANIFEST, build_lock, lease_current, new_build_folder, read_manifest, remove_stale, swap_in,
                          write_manifest)
from index.passages import EMBED_FORMS, PASSAGE_TEXT_VERSION, embed_text, passage_text
from index.retrievers import FAISS_FILE, DenseRetriever
from index.store import DB_FILE, connect_readonly, load_all_documents

Batch = list[tuple[str, str]]  # (text hash, text)
Runner = Callable[[Sequence[Batch]], Iterator[tuple[int, np.ndarray]]]  # yields (batch number, its vectors)
MAX_REPLANS = 3  # a rebuild that lands during the job makes it plan again (cheap: finished vectors are cached)


@dataclass
class VectorPlan:
    """What one index folder needs embedded: the text hash of every passage row, and each distinct text once."""

    folder: Path
    manifest: dict
    row_hashes: list[str]  # the embedded-text hash of each passage row that gets a vector
    texts: dict[str, str]  # text hash -> text, in first-row order
    rows: list[int] = field(default_factory=list)  # the passage rows that get a vector (FAISS ids)
    embed_superseded: bool = False
    embed_form: str = EMBED_FORMS[0]

    @property
    def distinct(self) -> int:
        return len(self.texts)


@dataclass
class EmbedReport:
    """What an embedding job did, for the CLI summary, the tests and the benchmarks."""

    index_dir: str
    embedder: str
    passages: int = 0
    distinct: int = 0
    cached: int = 0  # distinct texts whose vectors were already in the cache (earlier runs, killed jobs)
    embedded: int = 0  # texts run through the model by this job
    batches: int = 0
    workers: int = 1
    swapped: bool = False
    already: bool = False  # the index already had these vectors: nothing to do
    seconds: dict = field(default_factory=dict)

    def summary(self) -> str:
        if self.already:
            return f"index {self.index_dir}: already has vectors from {self.embedder}; nothing to do"
        rate = self.embedded / self.seconds["embed"] if self.seconds.get("embed") else 0.0
        return (f"index {self.index_dir}: vectors for {self.passages} passages ({self.distinct} distinct texts, "
                f"embedder {self.embedder})\n"
                f"  embedded {self.embedded} texts in {self.batches} batches on {self.workers} worker(s) "
                f"({rate:.1f} texts/s); {self.cached} already in the cache (resumed or shared)\n"
                "  time: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items()))


# --- the progress file ---------------------------------------------------------------------------------------------
def progress_path(index_dir: Path | str) -> Path:
    """Where the job writes its progress: a file beside the index link (never inside a swapped folder)."""
    index_dir = Path(index_dir)
    return index_dir.parent / f".{index_dir.name}-embedding.json"


@contextmanager
def job_lock(index_dir: Path) -> Iterator[None]:
    """One embedding job per index at a time: a second one is refused at once, naming the first's process."""
    index_dir = Path(index_dir)
    path = index_dir.parent / f".{index_dir.name}-embedding.lock"
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            raise ValueError(f"another policykb embed is running on this index (pid {fh.read().strip() or '?'})") \
                from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_progress(index_dir: Path, **state) -> None:
    """Replace the progress file atomically (readers never see half a JSON)."""
    path = progress_path(index_dir)
    state.setdefault("updated_at", time.time())
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (one owned by another user counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_progress(index_dir: Path | str) -> dict | None:
    """The last progress of an embedding job on this index, or None; a `running` job whose process is gone (same
    host) is reported as `interrupted` (it resumes where it stopped when started again)."""
    try:
        state = json.loads(progress_path(index_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict):
        return None
    if state.get("state") == "running" and state.get("host") == socket.gethostname() \
            and isinstance(state.get("pid"), int) and not process_alive(state["pid"]):
        state["state"] = "interrupted"
    return state


class _Progress:
    """Progress bar (tqdm) and progress file of one job, updated after every finished batch."""

    def __init__(self, index_dir: Path, plan: VectorPlan, name: str, done: int, workers: int, bar: bool) -> None:
        self.index_dir, self.total, self.done, self.name, self.workers = index_dir, plan.distinct, done, name, workers
        self.folder = plan.folder.name
        self.started = time.time()
        self.first_done = done
        self.bar = None
        if bar:
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, initial=done, desc="embedding", unit="text", smoothing=0.1)
        self.write("running")

    def advance(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        self.write("running")

    def write(self, state: str, message: str = "", **extra) -> None:
        elapsed = max(time.time() - self.started, 1e-6)
        rate = (self.done - self.first_done) / elapsed
        left = self.total - self.done
        write_progress(self.index_dir, state=state, embedder=self.name, folder=self.folder, total=self.total,
                       done=self.done, percent=round(100.0 * self.done / self.total, 1) if self.total else 100.0,
                       rate=round(rate, 2), eta_seconds=round(left / rate) if rate > 0 else None,
                       started_at=self.started, pid=os.getpid(), host=socket.gethostname(), workers=self.workers,
                       message=message, **extra)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# --- planning ------------------------------------------------------------------------------------------------------
def plan_vectors(folder: Path, embed_superseded: bool = False, embed_form: str = EMBED_FORMS[0]) -> VectorPlan:
    """Recompute each passage's text from the stored clause trees (checked against the stored hash) and the text to
    embed for it, as a one-phase build would: superseded versions get no vector unless `embed_superseded`, and
    `embed_form` is the embedded text (Config.embed_text)."""
    manifest = read_manifest(folder)
    if manifest.get("passage_text") != PASSAGE_TEXT_VERSION:
        raise IndexMismatchError(folder.name, f"its passages were built as {manifest.get('passage_text')!r}, this "
                                              f"program embeds {PASSAGE_TEXT_VERSION!r}: rebuild it (policykb ingest)")
    db = connect_readonly(folder / DB_FILE)
    try:
        docs = load_all_documents(db)
        rows = db.execute("SELECT row, clause_id, doc_seq, text_hash FROM passages ORDER BY row").fetchall()
    finally:
        db.close()
    clauses: dict[int, dict] = {}
    hashes: list[str] = []
    texts: dict[str, str] = {}
    with_vector: list[int] = []
    for row, clause_id, seq, stored in rows:
        if seq not in clauses:
            clauses[seq] = {c.id: c for c in docs[seq].clauses}
        doc, clause = docs[seq], clauses[seq][clause_id]
        if text_hash(passage_text(doc, clause)) != stored:
            raise IndexCorruptError(folder.name, f"passage {clause_id}: its text no longer matches the stored hash; "
                                                 "rebuild the index (policykb ingest)")
        if not embed_superseded and doc.status == "superseded":
            continue
        text = embed_text(doc, clause, embed_form)
        h = text_hash(text)
        hashes.append(h)
        with_vector.append(row)
        texts.setdefault(h, text)
    return VectorPlan(folder, manifest, hashes, texts, with_vector, embed_superseded, embed_form)


def batches_of(plan: VectorPlan, have: set[str], size: int) -> list[Batch]:
    """The texts still to embed, in fixed batches of `size` in first-row order (the same split on every run and
    on any cluster, so vectors are identical however they are computed)."""
    todo = [(h, t) for h, t in plan.texts.items() if h not in have]
    return [todo[i:i + size] for i in range(0, len(todo), size)]


def local_runner(spec: str, cache_dir: Path | None = None) -> Runner:
    """Embed the batches one after another in this process (the model is loaded once, on the first batch)."""
    def run(batches: Sequence[Batch]) -> Iterator[tuple[int, np.ndarray]]:
        model = make_embedder(spec, cache_dir) if batches else None
        for i, batch in enumerate(batches):
            yield i, model.encode_passages([t for _, t in batch])
    return run


# --- the swap --------------------------------------------------------------------------------------------------
def _link_or_copy(src: Path, dst: Path) -> None:
    """Reuse a finished file of the old folder: hard link (instant, no space), copy across file systems."""
    if src.is_dir():
        dst.mkdir()
        for child in src.iterdir():
            _link_or_copy(child, dst / child.name)
        return
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _write_folder(index_dir: Path, plan: VectorPlan, vectors: np.ndarray, name: str, spec: str,
                  report: EmbedReport) -> Path:
    """A new index folder: the old store and BM25 files reused, the new FAISS file, the updated manifest."""
    remove_stale(index_dir)  # under the build lock, as a build does
    folder = new_build_folder(index_dir)
    try:
        for child in plan.folder.iterdir():
            if child.name not in (FAISS_FILE, MANIFEST):
                _link_or_copy(child, folder / child.name)
        dense = DenseRetriever.build(vectors, vectors.shape[1], rows=np.asarray(plan.rows, dtype=np.int64))
        dense.save(folder)
        db = connect_readonly(folder / DB_FILE)
        try:  # the fingerprint reads only these four fields of each document
            docs = [SimpleNamespace(id=i, content_hash=c, status=s, source_path=p) for i, c, s, p in
                    db.execute("SELECT id, content_hash, status, source_path FROM documents ORDER BY seq")]
        finally:
            db.close()
        manifest = dict(plan.manifest)
        manifest.update({
            "embedder": name,
            "embedder_spec": spec,
            "dim": int(vectors.shape[1]),
            "dense_index": dense_description(dense.kind),
            "corpus_fingerprint": corpus_fingerprint(docs, name, manifest.get("dictionary_hash", ""),
                                                     plan.embed_superseded, plan.embed_form),
            "embed_text": plan.embed_form,
            "embed_superseded": plan.embed_superseded,
            "embedded": report.embedded,
            "reused_vectors": report.passages - report.embedded,
            "vectors_added_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "counts": {**manifest.get("counts", {}), "vectors": int(dense.size)},
        })
        write_manifest(folder, manifest)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    swap_in(index_dir, folder)
    return folder


def embed_index(index_dir: Path | str, embedder: str = "bundled", cache_dir: Path | str | None = None,
                batch_size: int = 64, runner: Runner | None = None, workers: int = 1,
                progress: bool = False, embed_superseded: bool = False,
                embed_form: str = EMBED_FORMS[0]) -> EmbedReport:
    """Give the index at `index_dir` vectors from `embedder`; resumable (finished batches live in the cache)."""
    if batch_size < 1:
        raise ValueError(f"batch size {batch_size}: must be at least 1")
    if spec_name(embedder) == "none":
        raise ValueError("embedder none makes no vectors: name a model (bundled or st:MODEL)")
    if cache_dir is None:
        raise ValueError("an embedding job needs a cache dir: its finished batches are kept there")
    index_dir = Path(index_dir)
    read_manifest(index_dir)  # a clear error naming the folder (and how to build it) before anything else
    with job_lock(index_dir):
        return _embed(index_dir, embedder, Path(cache_dir), batch_size, runner or local_runner(embedder, Path(cache_dir)), workers,
                      progress, embed_superseded, embed_form)


def _embed(index_dir: Path, embedder: str, cache_dir: Path, batch_size: int, runner: Runner, workers: int,
           progress: bool, embed_superseded: bool, embed_form: str) -> EmbedReport:
    name = spec_name(embedder)
    report = EmbedReport(index_dir=str(index_dir), embedder=name, workers=workers)
    cache = EmbeddingCache(cache_dir)
    bar = None
    try:
        for attempt in range(MAX_REPLANS + 1):
            t0 = time.perf_counter()
            folder, lease = lease_current(index_dir)  # the folder stays readable however long the job takes
            try:
                plan = plan_vectors(folder, embed_superseded, embed_form)
            finally:
                lease.close()
            if plan.manifest.get("embedder") == name and attempt == 0:
                report.already, report.passages, report.distinct = True, len(plan.row_hashes), plan.distinct
                return report
            report.seconds["plan"] = report.seconds.get("plan", 0.0) + time.perf_counter() - t0
            report.passages, report.distinct = len(plan.row_hashes), plan.distinct
            have = set(cache.get_many(name, list(plan.texts)))
            if attempt == 0:
                report.cached = len(have)
            todo = batches_of(plan, have, batch_size)
            report.batches += len(todo)
            t1 = time.perf_counter()
            bar = _Progress(index_dir, plan, name, len(have), workers, progress)
            for i, vectors in runner(todo):
                pairs = list(zip((h for h, _ in todo[i]), np.asarray(vectors, dtype=np.float32)))
                cache.put_many(name, pairs)  # the checkpoint: this batch is never embedded again
                report.embedded += len(pairs)
                bar.advance(len(pairs))
            report.seconds["embed"] = report.seconds.get("embed", 0.0) + time.perf_counter() - t1
            t2 = time.perf_counter()
            with build_lock(index_dir):
                if index_dir.resolve() != plan.folder:  # a rebuild landed meanwhile: plan again for it
                    bar.close()
                    continue
                found = cache.get_many(name, list(plan.texts))
                missing = [h for h in plan.texts if h not in found]
                if missing:
                    raise RuntimeError(f"{len(missing)} vectors missing from the cache after embedding")
                matrix = np.stack([found[h] for h in plan.row_hashes]) if plan.row_hashes else None
                if matrix is None:
                    raise ValueError(f"index {index_dir.name} has no passages to embed")
                new = _write_folder(index_dir, plan, matrix, name, embedder, report)
                report.swapped = True
            report.seconds["swap"] = time.perf_counter() - t2
            bar.write("done", swapped_to=new.name)
            bar.close()
            return report
        raise RuntimeError(f"the index {index_dir.name} was rebuilt {MAX_REPLANS + 1} times during the job; "
                           "run policykb embed again when builds are done")
    except BaseException as exc:
        if bar is not None:
            bar.write("failed" if not isinstance(exc, KeyboardInterrupt) else "interrupted",
                      message=f"{type(exc).__name__}: {exc}"[:300])
            bar.close()
        raise
    finally:
        cache.close()
