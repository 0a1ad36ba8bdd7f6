"""Shared test helpers: where ../shared lives, and skipping cleanly when it is absent."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SHARED_CORPUS = SHARED / "corpus"
WORKPLAN = REPO / "corpus" / "2024年上海市未成年人保护工作要点.txt"


def need_shared(*parts: str) -> Path:
    """Return ../shared/<parts>, or skip the test with a message saying what is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: this test reads the shared corpus/eval data beside the checkout")
    return path


@pytest.fixture(scope="session")
def related_dir() -> Path:
    return need_shared("corpus", "related")


@pytest.fixture(scope="session")
def dev_questions() -> Path:
    return need_shared("eval", "dev.jsonl")
