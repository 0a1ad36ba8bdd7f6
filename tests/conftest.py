"""Shared test helpers: where ../shared lives, and skipping cleanly when it is absent; the session index; Chromium."""
from __future__ import annotations

import os
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


# --- index fixtures (issue 3): one real index over the work plan + related laws, built once per session ---------
TEST_CACHE = REPO / "data" / "test-cache"  # persistent embedding cache (gitignored): local re-runs embed nothing


@pytest.fixture(scope="session")
def kb_dir(tmp_path_factory, related_dir) -> Path:
    """Index folder over the work plan + ../shared/corpus/related, bundled embedder (cold cache: a few minutes)."""
    from index.build import build_index

    out = tmp_path_factory.mktemp("kb") / "index"
    build_index([WORKPLAN, related_dir], out, embedder="bundled", cache_dir=TEST_CACHE)
    return out


@pytest.fixture(scope="session")
def kb(kb_dir):
    """An open, read-only KnowledgeBase on kb_dir (shared by all tests; do not close it)."""
    from index.kb import KnowledgeBase

    base = KnowledgeBase.open(kb_dir, cache_dir=TEST_CACHE)
    yield base
    base.close()


@pytest.fixture(scope="session")
def kb_app(kb_dir, kb):
    """The real Flask app over the session index (work plan + related laws), handed the open KnowledgeBase."""
    from policykb.config import Config
    from search_app import create_app

    return create_app(Config(index_dir=kb_dir, cache_dir=TEST_CACHE), kb=kb)


@pytest.fixture()
def kb_client(kb_app):
    return kb_app.test_client()


# --- browser tests (pytest.mark.browser): Debian's headless Chromium driven by Playwright ------------------------
CHROMIUM = Path(os.environ.get("POLICYKB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Playwright cannot download browsers here); skips when playwright or chromium is absent."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    if not CHROMIUM.exists():
        pytest.skip(f"no browser: {CHROMIUM} is absent (install Debian's chromium, or `make browser`)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
