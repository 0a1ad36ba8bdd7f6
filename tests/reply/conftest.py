"""Fixtures for the reply tests (the app over the session knowledge base is tests/conftest.py `kb_app`)."""
from __future__ import annotations

import pytest

BULLYING = "我家孩子在学校被同学欺负，学校不管，我应该找哪个部门？"


@pytest.fixture(scope="session")
def bullying_reply(kb):
    from index.reply import compose_reply

    return compose_reply(kb, BULLYING)
