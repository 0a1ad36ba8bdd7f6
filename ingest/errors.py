"""The one error ingest raises for a file it cannot take, always naming the file and the reason."""
from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """A file could not be ingested; `path` and `reason` say which and why."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason
