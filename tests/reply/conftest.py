"""Fixtures for the reply tests: the real Flask app over the session knowledge base (tests/conftest.py `kb`)."""
from __future__ import annotations

import pytest

from policykb.config import Config
from search_app import create_app
from tests.conftest import TEST_CACHE

BULLYING = "我家孩子在学校被同学欺负，学校不管，我应该找哪个部门？"


@pytest.fixture(scope="session")
def reply_app(kb, kb_dir):
    return create_app(Config(index_dir=kb_dir, cache_dir=TEST_CACHE), kb=kb)


@pytest.fixture()
def reply_client(reply_app):
    return reply_app.test_client()


@pytest.fixture(scope="session")
def bullying_reply(kb):
    from index.reply import compose_reply

    return compose_reply(kb, BULLYING)
