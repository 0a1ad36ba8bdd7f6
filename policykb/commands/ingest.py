"""`policykb ingest PATH...`: parse documents into clause trees, print a summary, optionally write JSONL."""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from policykb.config import Config


def add_ingest_arguments(p: argparse.ArgumentParser) -> None:
    """The ingest flags (kept apart so the index build can add its own next to them)."""
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (walked recursively) to ingest")
    p.add_argument("--jsonl", type=Path, default=None, metavar="OUT",
                   help="write every parsed document (metadata and clauses) as one JSON object a line")
    p.add_argument("--strict", action="store_true", help="exit non-zero when any file has a problem")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (for logs and scripts)")
    p.add_argument("--timeout", type=float, default=None, metavar="S", dest="ingest_timeout",
                   help="seconds one file may take to parse before it is stopped and reported (0: no budget; "
                        "default POLICYKB_INGEST_TIMEOUT or 120)")
    p.add_argument("--max-file-mb", type=int, default=None, metavar="MB", dest="ingest_max_file_mb",
                   help="larger files are rejected (default POLICYKB_INGEST_MAX_FILE_MB or 256)")
    p.add_argument("--max-xml-mb", type=int, default=None, metavar="MB", dest="ingest_max_xml_mb",
                   help=".docx files whose XML unzips to more are rejected (default POLICYKB_INGEST_MAX_XML_MB or 128)")
    p.add_argument("--max-line-chars", type=int, default=None, metavar="N", dest="ingest_max_line_chars",
                   help="files with a longer line are rejected (default POLICYKB_INGEST_MAX_LINE_CHARS or 200000)")


def register(subparsers, config: Config) -> None:
    p = subparsers.add_parser(
        "ingest",
        help="parse documents (txt, md, html, docx, pdf) into clauses and report what was found",
        description="Load every file under PATH..., recognise its clause structure (章/节/条/款/项, 一、/（一）/一是), "
                    "resolve versions, and print a summary with every skipped file and its reason.",
    )
    add_ingest_arguments(p)
    add_index_arguments(p, config)
    p.set_defaults(run=run)


def add_index_arguments(p: argparse.ArgumentParser, config: Config) -> None:
    """--index and friends: build or incrementally update a searchable index from the ingested documents."""
    p.add_argument("--index", type=Path, default=None, metavar="DIR",
                   help="build/update the index in DIR (new and changed documents added, vanished ones removed)")
    p.add_argument("--embedder", default=None, metavar="SPEC",
                   help=f"bundled | onnx | none | st:MODEL (default {config.embedder}); only with --index")
    p.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                   help=f"embedding cache (default {config.cache_dir}); only with --index")
    p.add_argument("--embed-superseded", action="store_true", default=None,
                   help="also give superseded versions vectors (default: BM25 only for them)")
    p.add_argument("--embed-text", default=None, choices=["full", "heading+text", "text"],
                   help=f"text embedded per unit (default {config.embed_text}); BM25 always indexes the full text")


def build(args: argparse.Namespace, config: Config, result) -> int:
    """Write the ingested documents into the index folder and print what the build did."""
    from index.build import build_index
    from index.embedders import EmbedderError
    from index.errors import KBIndexError

    try:
        report = build_index(args.paths, args.index, embedder=args.embedder or config.embedder,
                             cache_dir=args.cache_dir or config.cache_dir, progress=not args.no_progress,
                             documents=result.documents, problems=result.problems,
                             embed_superseded=bool(args.embed_superseded or config.embed_superseded),
                             embed_form=args.embed_text or config.embed_text)
    except (EmbedderError, KBIndexError, ValueError, OSError) as exc:
        print(f"policykb ingest: error: --index {args.index}: {exc}", file=sys.stderr)
        return 2
    print(report.summary(), file=sys.stderr)
    return 0


def _by_count(counter: Counter) -> str:
    """'法律 7, 地方性法规 6' — most frequent first, ties by name."""
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def summary(result) -> str:
    """Documents, clauses, per-level and per-kind counts, versions, and every problem with its file."""
    docs = result.documents
    levels = Counter(d.level for d in docs)
    kinds = Counter(c.kind for d in docs for c in d.clauses)
    lines = [
        f"documents: {len(docs)}  clauses: {sum(len(d.clauses) for d in docs)}  "
        f"leaves: {sum(1 for d in docs for c in d.clauses if c.leaf)}  "
        f"superseded versions: {sum(1 for d in docs if d.status == 'superseded')}",
        "per level: " + (_by_count(levels) or "-"),
        "per clause kind: " + (_by_count(kinds) or "-"),
    ]
    skipped = [p for p in result.problems if p.fatal or p.reason.startswith("skipped")]
    warned = [p for p in result.problems if p not in skipped]
    if skipped:
        lines.append(f"skipped files: {len(skipped)}")
        lines += [f"  {p.path}: {p.reason}" for p in skipped]
    if warned:
        lines.append(f"ingested with notes: {len(warned)}")
        lines += [f"  {p.path}: {p.reason}" for p in warned]
    if result.passed_over:
        lines.append(f"passed over (hidden files, folder READMEs): {len(result.passed_over)}")
        lines += [f"  {p}" for p in result.passed_over]
    return "\n".join(lines)


def exit_status(result, strict: bool) -> int:
    """1 when nothing could be ingested, or (with --strict) when any problem was met; else 0."""
    if not result.documents:
        return 1
    return 1 if strict and result.problems else 0


def write_jsonl(result, out: Path) -> None:
    """One JSON object a line per document (Document.to_dict, clauses included)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for doc in result.documents:
            fh.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")


def _limits(args: argparse.Namespace, config: Config) -> Config:
    """The config with the per-file limit flags applied (CLI flags over POLICYKB_INGEST_* over the defaults)."""
    return config.with_overrides(**{k: getattr(args, k, None) for k in (
        "ingest_timeout", "ingest_max_file_mb", "ingest_max_xml_mb", "ingest_max_line_chars")})


def run(args: argparse.Namespace, config: Config) -> int:
    """Ingest the paths, print the summary to stderr, write JSONL when asked."""
    from ingest.pipeline import ingest_paths

    # a missing path is reported as a problem
    result = ingest_paths(args.paths, progress=not args.no_progress, config=_limits(args, config))
    if args.jsonl:
        try:
            write_jsonl(result, args.jsonl)
        except OSError as exc:
            print(f"policykb ingest: error: cannot write --jsonl {args.jsonl}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    print(summary(result), file=sys.stderr)
    if args.jsonl:
        print(f"wrote {len(result.documents)} documents to {args.jsonl}", file=sys.stderr)
    status = exit_status(result, args.strict)
    if args.index and result.documents and status == 0:
        return build(args, config, result)
    return status
