"""Ingest entry points: load one file into a Document, or walk paths into documents plus reported problems."""
from __future__ import annotations

import os
import re
from itertools import takewhile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from ingest.blocks import Block
from ingest.errors import IngestError
from ingest.loaders import RawDoc, file_format, read_markdown, read_plain
from ingest.metadata import (content_hash, doc_id, doc_number_in, doc_number_line, file_date, inferred_issuer,
                             level_from, parse_promulgation, region_from, stated_effective, title_from_filename,
                             title_issuers)
from ingest.model import Clause, Document, Problem
from ingest.metadata import iso_date
from ingest.segment import ARTICLE_RE, segment
from ingest.textio import longest_line, mojibake_note, read_text
from ingest.validity import repealed_titles
from ingest.versions import resolve_versions
from policykb.config import Config


@dataclass
class IngestResult:
    """Documents of a batch (versions resolved) and every problem met, each naming its file."""

    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    passed_over: list[Path] = field(default_factory=list)  # hidden files and folder READMEs, not problems


def read_raw(path: Path, config: Config) -> RawDoc:
    """Dispatch on the file format; raises IngestError for unsupported, unreadable or over-limit input."""
    fmt = file_format(path)
    if not fmt:
        raise IngestError(path, f"unsupported file type {path.suffix or '(no suffix)'!r}: "
                                "expected .txt, .md, .html/.htm, .docx or .pdf")
    if fmt in ("md", "txt"):
        text = read_text(path)
        number, length = longest_line(text)
        if length > config.ingest_max_line_chars:
            raise IngestError(path, f"line {number} has {length:,} characters, over the limit of "
                                    f"{config.ingest_max_line_chars:,} (POLICYKB_INGEST_MAX_LINE_CHARS): not ingested")
        raw = read_markdown(text) if fmt == "md" else read_plain(text)
    else:
        from ingest import richformats  # lxml / pypdf only when such a file comes along

        if fmt == "html":
            raw = richformats.read_html(path)
        elif fmt == "docx":
            raw = richformats.read_docx(path, config.ingest_max_xml_mb * 2**20)
        else:
            raw = richformats.read_pdf(path)
        longest = max((b for b in raw.blocks), key=lambda b: len(b.text), default=None)
        if longest is not None and len(longest.text) > config.ingest_max_line_chars:
            raise IngestError(path, f"a paragraph has {len(longest.text):,} characters, over the limit of "
                                    f"{config.ingest_max_line_chars:,} (POLICYKB_INGEST_MAX_LINE_CHARS): not ingested")
    if (note := mojibake_note(raw.title + "\n".join(b.text for b in raw.blocks))):
        raw.notes.append(note)
    return raw


def build_document(path: Path, raw: RawDoc) -> Document:
    """Metadata and clause tree for what a reader found."""
    title = (raw.title or title_from_filename(path)).strip()
    if raw.fmt == "md" and re.search(r"[，。；！？]", title) and title_from_filename(path) != title:
        # a case file whose '# ' line is its holding (裁判要点), not its name: keep the line as text
        raw.blocks.insert(0, Block(title))
        title = title_from_filename(path)
    if title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        title = title[1:-1].strip()  # a title printed inside its own book-title marks
    prom = parse_promulgation(raw.promulgation)
    info = dict(raw.info)
    notice = raw.notice
    # the issuing body: who signed the notice or is named before 关于, then the enacting body of the promulgation
    # lines; a page's 发布机构 is the site that published it, the last resort
    issuer = ((notice.signer if notice else "") or title_issuers(notice.notice if notice else "")
              or title_issuers(title) or prom.issuer or info.get("发文机关", ""))
    published = (notice.published if notice else None) or prom.published
    adopted = (notice.signed if notice else None) or prom.adopted
    level = level_from(path, title, issuer)
    region = region_from(path, title)
    if not issuer and (issuer := inferred_issuer(level, title, region)):
        info["发布机构依据"] = "按文件类别推定"
    issuer = issuer or info.get("发布机构") or info.get("来源", "")
    version_date = file_date(path) or max([d for d in (adopted, published, *prom.amended) if d], default=None)
    if prom.lines:
        info.setdefault("题注", " ".join(prom.lines))
    issuing_notice = notice.notice if notice and notice.notice != title else ""
    # the id needs the body hash, the body needs segmenting with the id: segment once with a placeholder
    body, clauses, notes = segment("\0", title, raw.blocks, notice=issuing_notice)
    notes = tuple(raw.notes) + notes
    if not body.strip():
        raise IngestError(path, "no text found after removing page furniture and metadata lines")
    digest = content_hash(body)
    effective = (prom.effective or iso_date(info.get("实施日期", ""))
                 or stated_effective(body, published or adopted or version_date))
    version_date = version_date or effective  # an undated text is labelled by the date it states it took effect
    did = doc_id(title, version_date, digest)
    _reid(clauses, "\0", did)
    header = [b.text for b in takewhile(lambda b: not ARTICLE_RE.match(b.text), raw.blocks[:12]) if not b.role]
    return Document(
        id=did, title=title, body=body, source_path=str(path.resolve()), content_hash=digest,
        level=level, region=region, issuer=issuer,
        doc_number=(info.get("文件编号") or info.get("发文字号") or doc_number_in(raw.promulgation)
                    or doc_number_line(header)),
        published=published, adopted=adopted,
        amended=tuple(prom.amended), effective=effective, version_date=version_date,
        repeals=repealed_titles(body), issuing_notice=issuing_notice, info=info, notes=notes, clauses=clauses,
    )


def load_file(path: str | Path, config: Config | None = None) -> Document:
    """One file -> one Document; raises IngestError(path, reason) on bad input or input over the limits of
    `config` (default Config())."""
    config = config or Config()
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise IngestError(p, "no such file") from None
    except OSError as exc:
        raise IngestError(p, f"unreadable: {exc.strerror or exc}") from None
    if not p.is_file():
        raise IngestError(p, "not a regular file")
    if st.st_size > config.ingest_max_file_mb * 2**20:
        raise IngestError(p, f"{st.st_size / 2**20:,.1f} MiB, over the limit of {config.ingest_max_file_mb} MiB per "
                             "file (POLICYKB_INGEST_MAX_FILE_MB): not read")
    return build_document(p, read_raw(p, config))


def iter_files(paths: Sequence[str | Path], passed_over: list[Path] | None = None,
               problems: list[Problem] | None = None) -> Iterator[Path]:
    """Files named, and files under folders named (recursively, sorted). Inside folders, hidden files and a
    folder's README.md/README.txt (which describes the folder, not a policy) are passed over (and appended to
    `passed_over` when given); a subfolder that cannot be listed is appended to `problems` by name."""
    for item in paths:
        p = Path(item)
        if p.is_dir():
            found: list[Path] = []

            def unreadable(exc: OSError) -> None:
                if problems is not None:
                    problems.append(Problem(exc.filename or str(p), f"folder not read: {exc.strerror or exc} "
                                                                    "(its files were not ingested)"))

            for folder, dirs, names in os.walk(p, onerror=unreadable):
                dirs.sort()
                found.extend(Path(folder, n) for n in names)
            for f in sorted(found):
                if not f.is_file():
                    continue
                if any(part.startswith(".") for part in f.relative_to(p).parts) \
                        or f.name.lower() in ("readme.md", "readme.txt"):
                    if passed_over is not None:
                        passed_over.append(f)
                    continue
                yield f
        else:
            yield p


def _load_one(path: Path, config: Config) -> Document | Problem:
    """load_file, with every failure turned into a Problem (runs in worker processes)."""
    try:
        return load_file(path, config)
    except IngestError as exc:
        return Problem(exc.path, exc.reason)
    except Exception as exc:  # a reader library choking on a malformed file must not stop the batch
        return Problem(str(path), f"could not be read: {type(exc).__name__}: {exc}")


def ingest_paths(paths: Sequence[str | Path], progress: bool = False, workers: int = 1,
                 config: Config | None = None) -> IngestResult:
    """Load every file under `paths`; a bad, over-limit or too slow file becomes a Problem naming it, and the
    batch goes on.

    Files are parsed in `workers` worker processes, each file within `config.ingest_timeout` seconds (its worker
    is killed past it). With timeout 0 and one worker, files are parsed in this process (no budget: trusted input).
    """
    config = config or Config()
    result = IngestResult()
    files = list(iter_files(paths, result.passed_over, result.problems))
    if config.ingest_timeout > 0 or workers > 1:
        from ingest.budget import load_with_budget

        loaded = load_with_budget(files, _load_one, config, workers) if files else iter(())
    else:
        loaded = (_load_one(f, config) for f in files)
    if progress:
        from tqdm import tqdm

        loaded = tqdm(loaded, total=len(files), desc="ingest", unit="file")
    seen: dict[str, tuple[Document, Path]] = {}
    for f, doc in zip(files, loaded):
        if isinstance(doc, Problem):
            result.problems.append(doc)
            continue
        if doc.id in seen:
            other, other_path = seen[doc.id]
            if other.content_hash == doc.content_hash:
                result.problems.append(Problem(str(f), f"skipped: duplicate of {other_path}", fatal=False))
                continue
            _rename(doc, f"{doc.id}-{doc.content_hash[:8]}")
        seen[doc.id] = (doc, f)
        for note in doc.notes:
            result.problems.append(Problem(str(f), note, fatal=False))
        result.documents.append(doc)
    resolve_versions(result.documents)
    return result


def _rename(doc: Document, new_id: str) -> None:
    """Give a document (and its clauses) a new id when two different texts share title and date."""
    _reid(doc.clauses, doc.id, new_id)
    doc.id = new_id


def _reid(clauses: list[Clause], old: str, new: str) -> None:
    """Move clauses from document id `old` to `new`: their doc_id and the id prefix of id/parent_id/article_id."""
    for c in clauses:
        c.doc_id = new
        c.id = new + c.id[len(old):]
        c.parent_id = new + c.parent_id[len(old):] if c.parent_id else None
        c.article_id = new + c.article_id[len(old):] if c.article_id else None
