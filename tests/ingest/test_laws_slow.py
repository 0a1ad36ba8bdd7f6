"""Scale check (slow, `make test-slow`): every file of ../shared/corpus/laws keeps its text and its articles."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths
from tests.conftest import need_shared

ARTICLE_LINE = re.compile(r"^[ \u3000]*第[一二三四五六七八九十百千零〇两\d]+条(?:之[一二三四五六七八九十]+)?(?:[ \u3000:：]|$)", re.M)


@pytest.mark.slow
def test_all_laws_keep_their_text_and_articles():
    laws = need_shared("corpus", "laws")
    result = ingest_paths([laws])
    assert len(result.documents) > 3400
    assert len([p for p in result.problems if p.fatal]) < 10
    for doc in result.documents:
        pos = 0
        for leaf in doc.leaves():
            assert doc.body[leaf.start:leaf.end] == leaf.text
            assert leaf.start >= pos and not doc.body[pos:leaf.start].strip(), doc.source_path
            pos = leaf.end
        assert not doc.body[pos:].strip(), doc.source_path
        assert len({c.id for c in doc.clauses}) == len(doc.clauses), doc.source_path
        raw = Path(doc.source_path).read_text(encoding="utf-8")
        articles = sum(1 for c in doc.clauses if c.kind == "article")
        assert articles == len(ARTICLE_LINE.findall(raw)), doc.source_path
