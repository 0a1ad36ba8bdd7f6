"""Versions of one title: the newest is current, older ones superseded by it, recomputed on any list."""
from __future__ import annotations

from ingest.model import Document
from ingest.pipeline import ingest_paths
from ingest.versions import resolve_versions


def make(doc_id, title, version_date=None, **kw):
    return Document(id=doc_id, title=title, body="x", source_path=f"{doc_id}.md", content_hash=doc_id,
                    version_date=version_date, **kw)


def test_newest_dated_version_wins_over_older_and_undated():
    old, new, undated, other = (make("a@2013", "上海市未成年人保护条例", "2013-12-27"),
                                make("a@2024", "上海市 未成年人保护条例", "2024-12-31"),
                                make("a@hash", "《上海市未成年人保护条例》"), make("b", "别的条例"))
    resolve_versions([old, undated, new, other])
    assert new.status == "current" and new.superseded_by is None
    assert old.status == undated.status == "superseded"
    assert old.superseded_by == undated.superseded_by == "a@2024"
    assert other.status == "current"


def test_recomputed_from_scratch_when_a_newer_version_arrives_later():
    first = make("t@2020", "某条例", "2020-01-01")
    resolve_versions([first])
    assert first.status == "current"
    second = make("t@2022", "某条例", "2022-01-01")
    resolve_versions([first, second])
    assert first.status == "superseded" and first.superseded_by == "t@2022"
    resolve_versions([first])  # alone again (the newer one was removed): current again
    assert first.status == "current" and first.superseded_by is None


def test_undated_versions_are_ordered_by_their_other_dates():
    a = make("t@aaaa", "某办法", adopted="2001-01-01")
    b = make("t@bbbb", "某办法", adopted="2001-01-01", amended=("2010-05-01",))
    resolve_versions([a, b])
    assert b.status == "current" and a.superseded_by == "t@bbbb"


def test_batch_duplicates_are_skipped_and_same_id_different_text_renamed(tmp_path):
    law = "某条例\n\n第一条 甲。\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "某条例(2020-01-01).txt").write_text(law, encoding="utf-8")
    (tmp_path / "b" / "某条例(2020-01-01).txt").write_text(law, encoding="utf-8")
    (tmp_path / "b" / "某条例(2020-01-01).md").write_text("# 某条例\n\n第一条 乙。\n", encoding="utf-8")
    result = ingest_paths([tmp_path])
    assert len(result.documents) == 2
    assert [p.reason.startswith("skipped: duplicate of") for p in result.problems] == [True]
    ids = sorted(d.id for d in result.documents)
    assert ids[0] == "某条例@2020-01-01" and ids[1].startswith("某条例@2020-01-01-")
    renamed = next(d for d in result.documents if d.id == ids[1])
    assert all(c.id.startswith(renamed.id + "#") for c in renamed.clauses)
    assert all(d.status == "current" for d in result.documents)  # same date: neither supersedes the other


def test_parts_of_one_code_with_one_version_date_all_stay_current():
    # the corpus holds 民法典 as several files under one title and date; one part states its 施行 date, one not
    property_part = make("c@2020-a", "中华人民共和国民法典", "2020-05-28", effective="2021-01-01")
    family_part = make("c@2020-b", "中华人民共和国民法典", "2020-05-28")
    resolve_versions([property_part, family_part], today="2026-12-04")
    assert property_part.status == family_part.status == "current"
    assert family_part.superseded_by is None and family_part.validity == property_part.validity == "现行有效"
