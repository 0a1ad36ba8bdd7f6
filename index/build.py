"""Build or update an index folder from documents on disk: ingest, tokenise, embed (cached), store, swap in.

Incremental: documents from the given paths replace what the index held from those paths (new and changed ones
are added, vanished ones removed, documents from other paths kept); unchanged passages reuse their stored tokens
and vectors, and an unchanged corpus is detected by its fingerprint and left alone.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from index.cache import EmbeddingCache, text_hash
from index.embedders import make_embedder, spec_name
from index.errors import KBIndexError
from index.links import resolve_links
from index.layout import (SCHEMA_VERSION, build_lock, new_build_folder, read_manifest, remove_stale, swap_in,
                          write_manifest)
from index.passages import EMBED_FORMS, PASSAGE_TEXT_VERSION, embed_text, is_passage, passage_parts
from index.retrievers import EXACT_LIMIT, BM25Retriever, DenseRetriever
from index.tokens import shared_tokenizer, tokenize_passages
from index.titles import norm_title
from index.store import DB_FILE, Passage, connect_readonly, load_all_documents, load_passage_tokens, write_store
from index.parallel import parallel_map
from index.responsibilities import document_duties, duties_version, write_units
from ingest.model import Document, Problem
from ingest.versions import resolve_versions
from policykb.config import Config


PARALLEL_DOCS = 500  # from this many documents, per-document work (duties) runs in forked workers


@dataclass
class BuildReport:
    """What a build did, for the CLI summary and benchmarks."""

    index_dir: str
    embedder: str
    documents: int = 0
    clauses: int = 0
    passages: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # "path: same text and title as path" per skipped file
    stale_removed: list[str] = field(default_factory=list)  # leftover folders of killed builds, deleted
    unchanged: bool = False  # the corpus fingerprint matched: nothing was rewritten
    embedded: int = 0  # texts actually run through the model
    reused: int = 0  # vectors taken from the previous index or the cache
    tokenized: int = 0  # passages tokenised afresh (others reused their stored tokens)
    vector_passages: int = 0  # passages that get a vector (superseded versions do not, by default)
    distinct_texts: int = 0  # distinct embedded texts among them (each embedded once)
    seconds: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def cache_hit_rate(self) -> float:
        total = self.embedded + self.reused
        return self.reused / total if total else 1.0

    def summary(self) -> str:
        """Human-readable lines for the CLI."""
        if self.unchanged:
            return (f"index {self.index_dir}: unchanged ({self.documents} documents, {self.passages} passages); "
                    "nothing to embed, nothing rewritten")
        lines = [
            f"index {self.index_dir}: {self.documents} documents, {self.clauses} clauses, {self.passages} passages "
            f"(embedder {self.embedder})",
            f"  added {len(self.added)}, changed {len(self.changed)}, removed {len(self.removed)}"
            + (f", skipped {len(self.duplicates)} duplicate(s)" if self.duplicates else ""),
        ]
        lines += [f"  duplicate skipped: {d}" for d in self.duplicates]
        if self.stale_removed:
            lines.append(f"  removed {len(self.stale_removed)} folder(s) left by an interrupted build")
        if self.embedder != "none":
            lines.append(f"  vectors for {self.vector_passages} passages ({self.distinct_texts} distinct texts): "
                         f"embedded {self.embedded} new texts, reused {self.reused} vectors "
                         f"(cache hit rate {self.cache_hit_rate:.1%})")
        lines.append("  time: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items()))
        return "\n".join(lines)


def _under(path: str, roots: Sequence[Path]) -> bool:
    p = Path(path).resolve()
    return any(p == r or r in p.parents for r in roots)


def _fingerprint(docs: Sequence[Document], extra: Sequence[str]) -> str:
    h = hashlib.sha256()
    for d in sorted(docs, key=lambda d: d.id):
        h.update(f"{d.id}\t{d.content_hash}\t{d.status}\t{d.source_path}\n".encode())
    for e in extra:
        h.update(f"{e}\n".encode())
    return h.hexdigest()


def fingerprint_extra(embedder_name: str, dict_hash: str, embed_superseded: bool = False,
                      embed_form: str = EMBED_FORMS[0]) -> list[str]:
    """What decides an index's contents besides its documents (part of the corpus fingerprint)."""
    extra = [str(SCHEMA_VERSION), embedder_name, dict_hash, PASSAGE_TEXT_VERSION, duties_version()]
    if embedder_name != "none":  # what gets vectors matters only when there are vectors
        extra += [f"embed_superseded={embed_superseded}", f"embed_text={embed_form}"]
    return extra


def corpus_fingerprint(docs: Sequence[Document], embedder_name: str, dict_hash: str, embed_superseded: bool = False,
                       embed_form: str = EMBED_FORMS[0]) -> str:
    """The fingerprint a build with this embedder would record for these (version-resolved) documents."""
    return _fingerprint(docs, fingerprint_extra(embedder_name, dict_hash, embed_superseded, embed_form))


def dense_description(kind: str | None) -> str | None:
    """The manifest's one-line description of the FAISS index (None without vectors)."""
    return kind and (f"faiss {kind} inner product"
                     + (" (exact)" if kind == "flat" else f" (approximate, above {EXACT_LIMIT} vectors)"))


def _dedupe(docs: Sequence[Document], report: BuildReport) -> list[Document]:
    """Keep the first of documents sharing an id, or an identical body under the same title (the same law filed
    under two folders), naming each one skipped. Same body, different titles: distinct documents, both kept."""
    seen: dict[str, Document] = {}
    out = []
    for d in docs:
        other = seen.get(d.id) or seen.get(f"{norm_title(d.title)}\t{d.content_hash}")
        if other is not None:
            report.duplicates.append(f"{d.source_path}: same text and title as {other.source_path}")
            continue
        seen[d.id] = seen[f"{norm_title(d.title)}\t{d.content_hash}"] = d
        out.append(d)
    return out


def _previous(index_dir: Path, embedder_name: str, dict_hash: str, embed_form: str):
    """Documents, stored tokens and vectors of the index being replaced (empty when there is none usable).

    Vectors are keyed by the passage's text hash: the embedded text is a function of the same parts, so it is the
    same whenever the embedder and the embedded form are."""
    try:
        manifest = read_manifest(index_dir)
        db = connect_readonly(index_dir / DB_FILE)
    except KBIndexError:
        return None, [], {}, {}
    try:
        docs = load_all_documents(db)
        tokens = load_passage_tokens(db) if manifest.get("dictionary_hash") == dict_hash else {}
        vectors: dict[str, np.ndarray] = {}
        if (manifest.get("embedder") == embedder_name and embedder_name != "none"
                and manifest.get("embed_text", EMBED_FORMS[0]) == embed_form):
            hashes = [h for (h,) in db.execute("SELECT text_hash FROM passages ORDER BY row")]
            dense = DenseRetriever.load(index_dir)
            rows, stored = dense.rows(), dense.vectors()
            if rows.size == stored.shape[0] and (rows.size == 0 or rows.max() < len(hashes)):
                vectors = {hashes[r]: v for r, v in zip(rows, stored)}
        return manifest, docs, tokens, vectors
    except Exception:  # a damaged previous index is rebuilt from scratch rather than trusted
        return None, [], {}, {}
    finally:
        db.close()


def _same_corpus(index_dir: Path, roots: list[Path], docs: list[Document], extra: list[str],
                 report: BuildReport) -> bool:
    """Fast path: the index came only from paths under `roots` and its fingerprint equals these documents'."""
    try:
        manifest = read_manifest(index_dir)
    except KBIndexError:
        return False
    old_roots = manifest.get("paths") or []
    if not old_roots or not all(_under(p, roots) for p in old_roots):
        return False  # other paths contributed documents: the full comparison is needed
    resolve_versions(docs)
    if manifest.get("corpus_fingerprint") != _fingerprint(docs, extra):
        return False
    counts = manifest.get("counts", {})
    report.unchanged = True
    report.documents, report.clauses, report.passages = len(docs), sum(len(d.clauses) for d in docs), counts.get("passages", 0)
    return True


def build_index(
    paths: Sequence[str | Path],
    index_dir: str | Path,
    embedder: str = "bundled",
    cache_dir: str | Path | None = None,
    progress: bool = False,
    documents: Sequence[Document] | None = None,
    problems: Sequence[Problem] = (),
    config: Config | None = None,
    on_progress: Callable[[str, float], None] | None = None,
    embed_superseded: bool = False,
    embed_form: str = EMBED_FORMS[0],
) -> BuildReport:
    """Build (or incrementally update) the index at `index_dir` from the documents under `paths`.

    `documents` may be given when the caller already ingested `paths` (the CLI does, to print its summary);
    else they are ingested here within the per-file limits of `config`. Leftovers of killed builds are removed on
    every build. `on_progress(stage, fraction)` is told how far the build is (the web app's upload jobs show it).
    Superseded versions get BM25 rows but no vectors unless `embed_superseded`; `embed_form` picks the text embedded
    per passage (index.passages.EMBED_FORMS).
    """
    if embed_form not in EMBED_FORMS:
        raise ValueError(f"embed_form {embed_form!r}: use one of {', '.join(EMBED_FORMS)}")
    tell = on_progress or (lambda stage, fraction: None)
    from ingest.pipeline import ingest_paths

    index_dir = Path(index_dir)
    name = spec_name(embedder)
    report = BuildReport(index_dir=str(index_dir), embedder=name)
    t0 = time.perf_counter()
    if documents is None:
        result = ingest_paths([Path(p) for p in paths], progress=progress, config=config)
        documents, problems = result.documents, result.problems
    report.problems = list(problems)
    report.seconds["ingest"] = time.perf_counter() - t0
    tell("compare", 0.1)
    tokenizer = shared_tokenizer()
    dict_hash = tokenizer.dictionary_hash

    extra = fingerprint_extra(name, dict_hash, embed_superseded, embed_form)
    with build_lock(index_dir):
        report.stale_removed = [p.name for p in remove_stale(index_dir)]
        t1 = time.perf_counter()
        roots = [Path(p).resolve() for p in paths]
        new_docs = _dedupe(documents, report)
        if _same_corpus(index_dir, roots, new_docs, extra, report):
            report.seconds["compare"] = time.perf_counter() - t1
            return report
        manifest, old_docs, old_tokens, old_vectors = _previous(index_dir, name, dict_hash, embed_form)
        new_ids = {d.id for d in new_docs}
        old_by_id = {d.id: d for d in old_docs}
        kept = [d for d in old_docs if d.id not in new_ids and not _under(d.source_path, roots)]
        report.removed = [d.id for d in old_docs if d.id not in new_ids and _under(d.source_path, roots)]
        report.added = [d.id for d in new_docs if d.id not in old_by_id]
        report.changed = [d.id for d in new_docs if d.id in old_by_id
                          and old_by_id[d.id].content_hash != d.content_hash]
        final = _dedupe(kept + new_docs, BuildReport(index_dir="", embedder=""))
        if not final:
            raise ValueError(f"no documents to index under {', '.join(map(str, paths)) or '(no paths)'}"
                             + (f" ({len(report.problems)} file(s) could not be read)" if report.problems else ""))
        resolve_versions(final)
        fingerprint = _fingerprint(final, extra)
        report.documents = len(final)
        report.clauses = sum(len(d.clauses) for d in final)
        if manifest and manifest.get("corpus_fingerprint") == fingerprint:
            report.unchanged = True
            report.passages = int(manifest.get("counts", {}).get("passages", 0))
            report.seconds["compare"] = time.perf_counter() - t1
            return report

        passages: list[Passage] = []
        todo: list[tuple[int, list[str]]] = []
        embed_rows: list[int] = []  # rows that get a vector
        embed_texts: list[str] = []  # the text embedded for each of them
        known: dict[str, np.ndarray] = {}  # previous index's vectors, keyed by embedded-text hash
        for seq, d in enumerate(final):
            with_vector = embed_superseded or d.status != "superseded"
            for c in d.leaves():
                if not is_passage(c):
                    continue
                parts = passage_parts(d, c)
                text = " ".join(parts)
                h = text_hash(text)
                toks = old_tokens.get((c.id, h))
                if toks is None:
                    todo.append((len(passages), parts))
                if with_vector:
                    embedded = embed_text(d, c, embed_form)
                    if h in old_vectors:
                        known[text_hash(embedded)] = old_vectors[h]
                    embed_rows.append(len(passages))
                    embed_texts.append(embedded)
                passages.append(Passage(len(passages), c.id, seq, text, h, toks or ""))
        for (row, _), toks in zip(todo, tokenize_passages([p for _, p in todo])):
            passages[row].tokens = toks
        report.tokenized = len(todo)
        texts = embed_texts
        report.passages = len(passages)
        report.vector_passages = len(embed_rows)
        report.distinct_texts = len(set(map(text_hash, texts)))
        report.seconds["tokenize"] = time.perf_counter() - t1
        tell("embed", 0.3)

        folder = new_build_folder(index_dir)  # stale siblings were removed above, under the same lock
        t2 = time.perf_counter()
        dim = 0
        dense_kind = None
        if name != "none":
            model = make_embedder(embedder, cache_dir)
            dim = model.dim
            cache = EmbeddingCache(cache_dir)
            bar = None
            if progress:
                from tqdm import tqdm

                bar = tqdm(total=report.distinct_texts, desc="embedding", unit="text")
                bar.update(sum(1 for t in dict.fromkeys(map(text_hash, texts)) if t in known))
            done = [0]

            def on_batch(n: int) -> None:
                done[0] += n
                tell("embed", 0.3 + 0.5 * min(1.0, done[0] / max(1, report.distinct_texts)))
                if bar:
                    bar.update(n)

            vectors = cache.embed(name, texts, model.encode_passages, known=known, on_batch=on_batch)
            if bar:
                bar.close()
            report.embedded, report.reused = cache.stats.misses, cache.stats.hits
            cache.close()
            dense = DenseRetriever.build(vectors.reshape(len(texts), dim), dim, rows=np.asarray(embed_rows))
            dense.save(folder)
            dense_kind = dense.kind
        report.seconds["embed"] = time.perf_counter() - t2

        t3 = time.perf_counter()
        tell("store", 0.8)
        BM25Retriever.build([u.tokens for u in passages]).save(folder)
        write_store(folder / DB_FILE, final, passages, {"schema_version": str(SCHEMA_VERSION)},
                    links=resolve_links(final))
        report.seconds["store"] = time.perf_counter() - t3
        t4 = time.perf_counter()
        duties = parallel_map(document_duties, final, min_items=PARALLEL_DOCS, chunk=50)
        write_units(folder / DB_FILE, final, rows=[r for rows in duties for r in rows])  # responsibility map
        report.seconds["duties"] = time.perf_counter() - t4
        write_manifest(folder, {
            "schema_version": SCHEMA_VERSION,
            "embedder": name,
            "embedder_spec": embedder,
            "dim": dim,
            "dense_index": dense_description(dense_kind),
            "bm25": "bm25s lucene k1=1.5 b=0.75 over jieba tokens",
            "dictionary_hash": dict_hash,
            "passage_text": PASSAGE_TEXT_VERSION,
            "embed_text": embed_form,
            "embed_superseded": embed_superseded,
            "corpus_fingerprint": fingerprint,
            "counts": {"documents": len(final), "clauses": report.clauses, "passages": len(passages),
                       "vectors": report.vector_passages if name != "none" else 0,
                       "current": sum(d.status == "current" for d in final)},
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_seconds": round(time.perf_counter() - t0, 2),
            "embedded": report.embedded,
            "reused_vectors": report.reused,
            "paths": sorted({str(r) for r in roots} | set((manifest or {}).get("paths", []))),
        })
        tell("swap", 0.95)
        swap_in(index_dir, folder)
        report.seconds["total"] = time.perf_counter() - t0
    return report
