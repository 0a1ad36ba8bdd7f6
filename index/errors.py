"""Errors of the index layer; each message says what is wrong and which command fixes it."""
from __future__ import annotations

from pathlib import Path


class PolicyKBError(Exception):
    """An error a caller can act on: it carries its HTTP status and machine-readable code, and a message in Chinese
    for the user. One handler in search_app maps any of these to the error envelope; the CLI prints the message."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param  # the request parameter at fault, when there is one


class InputError(PolicyKBError, ValueError):
    """A parameter has a wrong value (names the parameter and what is wrong)."""

    code = "invalid_parameter"


class QueryError(InputError):
    """The query itself cannot be searched: empty, too long, or a mode the index cannot serve."""

    def __init__(self, message: str, param: str = "q") -> None:
        super().__init__(message, param)


class QueryTooLongError(QueryError):
    """The query is longer than Config.max_query_chars."""

    code = "query_too_long"


class NotFoundError(PolicyKBError):
    """A document, clause or department the caller named is not in the knowledge base."""

    status = 404
    code = "not_found"


class DocumentNotFoundError(NotFoundError, KeyError):
    """A document id is not in the knowledge base."""

    def __init__(self, doc_id: str) -> None:
        super().__init__(f"文件 {doc_id[:100]!r} 不存在", "doc_id")

    def __str__(self) -> str:
        return self.message


class KBIndexError(PolicyKBError, RuntimeError):
    """The index folder cannot be used (missing, corrupt, or built with other models)."""

    status = 503
    code = "index_unavailable"


def build_hint(index_dir: Path | str) -> str:
    return f"build it with: policykb ingest PATH... --index {index_dir}"


class IndexMissingError(KBIndexError):
    def __init__(self, index_dir: Path | str, detail: str = "") -> None:
        super().__init__(f"no index at {index_dir}{': ' + detail if detail else ''}; {build_hint(index_dir)}")


class IndexCorruptError(KBIndexError):
    def __init__(self, index_dir: Path | str, detail: str) -> None:
        super().__init__(f"index at {index_dir} is unreadable ({detail}); rebuild it with: "
                         f"policykb ingest PATH... --index {index_dir}")


class IndexMismatchError(KBIndexError):
    """The index was built with another embedder, tokenizer dictionary or schema than the one asked for."""

    def __init__(self, index_dir: Path | str, detail: str) -> None:
        super().__init__(f"index at {index_dir}: {detail}; rebuild it with: "
                         f"policykb ingest PATH... --index {index_dir} --embedder SPEC")
