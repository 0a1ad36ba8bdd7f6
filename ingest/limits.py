"""Per-file bounds of an ingest: what one file may cost before it is rejected, so no file can stall a batch.

The defaults are far above any real office document (the largest law of the shared corpus is 0.4 MB with lines
under 1,000 characters); policykb.config.Config exposes each field as a setting.
"""
from __future__ import annotations

from dataclasses import dataclass

MIB = 2**20


@dataclass(frozen=True)
class Limits:
    """Size, expanded-XML, line-length and time bounds applied to every file of a batch."""

    max_file_bytes: int = 256 * MIB  # bytes on disk (a scanned-free gazette PDF is a few MB)
    max_xml_bytes: int = 128 * MIB  # uncompressed XML of a .docx (a 1,000-page Word file holds ~20 MB)
    max_line_chars: int = 200_000  # characters in one line/paragraph (the whole Civil Code is ~110,000)
    timeout: float = 120.0  # seconds of parsing per file before its worker process is killed; 0 = no budget

    def describe(self) -> str:
        """The limits as a user reads them in a rejection message."""
        return (f"{self.max_file_bytes // MIB} MiB per file, {self.max_xml_bytes // MIB} MiB of .docx XML, "
                f"{self.max_line_chars:,} characters per line, {self.timeout:g} s per file")
