"""A real index (SQLite + bm25s, no vectors) over a hand-written corpus: search, filters, documents, versions."""
from __future__ import annotations

import json
import sqlite3

import pytest

from index.build import build_index
from index.errors import IndexCorruptError, IndexMismatchError, IndexMissingError, QueryError
from index.hit import Filters
from index.kb import KnowledgeBase
from index.ranking.ranker import Ranker
from index.layout import SCHEMA_VERSION


@pytest.fixture
def small_kb(small_corpus, tmp_path):
    index_dir = tmp_path / "kb"
    report = build_index([small_corpus], index_dir, embedder="none")
    assert report.documents == 3 and report.passages > 0 and not report.unchanged
    base = KnowledgeBase.open(index_dir)
    yield base
    base.close()


def test_bm25_finds_the_clause_and_cites_it(small_kb):
    hits = small_kb.search("哪个部门统筹网络关爱工作", k=3, mode="bm25")
    top = hits[0]
    assert top.doc_title == "示例市少年儿童关爱条例"
    assert "网信部门负责统筹协调" in top.text
    assert "第三条" in top.citation and top.citation.startswith("《示例市少年儿童关爱条例》")
    assert top.status == "current" and top.date == "2023-06-01"
    assert top.ranks == {"bm25": 1} and top.scores["bm25"] > 0
    assert "网信部门" in top.article_text and "公安部门" in top.article_text  # the whole article around the unit
    assert set(top.matched_terms) and all(t in top.text for t in top.matched_terms)


def test_hybrid_on_an_index_without_vectors_is_bm25_and_dense_is_refused(small_kb):
    hybrid = small_kb.search("心理辅导", k=3)
    bm25 = small_kb.search("心理辅导", k=3, mode="bm25")
    assert [h.clause_id for h in hybrid] == [h.clause_id for h in bm25]
    with pytest.raises(QueryError, match="embedder none"):
        small_kb.search("心理辅导", mode="dense")


def test_current_versions_only_by_default(small_kb):
    current = small_kb.search("心理健康教师", k=10, mode="bm25")
    assert current and {h.date for h in current} == {"2023-06-01"}
    every = small_kb.search("心理健康教师", k=10, mode="bm25", filters=Filters(include_superseded=True))
    assert {h.status for h in every} == {"current", "superseded"}


def test_filters_level_region_issuer_dates(small_kb):
    q = "学校"
    levels = {h.level for h in small_kb.search(q, k=10, mode="bm25", filters=Filters(levels=("地方政府规章",)))}
    assert levels == {"地方政府规章"}
    assert small_kb.search(q, k=10, mode="bm25", filters=Filters(date_from="2022-01-01", date_to="2024-12-31"))
    assert all(h.date >= "2022-01-01" for h in
               small_kb.search(q, k=10, mode="bm25", filters=Filters(date_from="2022-01-01")))
    assert small_kb.search(q, k=10, mode="bm25", filters=Filters(issuers=("不存在的机关",))) == []
    assert small_kb.search(q, k=10, mode="bm25", filters=Filters(regions=("火星",))) == []


def test_query_errors(small_kb):
    """Plain retrieval refuses what it cannot search, with typed errors naming the parameter (the length of what
    the user typed is the Ranker's check, see tests/index/ranking)."""
    with pytest.raises(QueryError, match="请输入") as err:
        small_kb.search("   ")
    assert err.value.param == "q"
    with pytest.raises(QueryError, match="magic") as err:
        small_kb.search("网络", mode="magic")
    assert err.value.param == "mode"
    with pytest.raises(QueryError, match="k=") as err:
        small_kb.search("网络", k=0)
    assert err.value.param == "k"
    ranker = Ranker(small_kb, "上海", 500)
    with pytest.raises(QueryError, match="问题过长：501 个字"):
        ranker.search("网" * 501)


def test_documents_versions_and_citations(small_kb):
    assert small_kb.count_documents() == 2
    assert small_kb.count_documents(Filters(include_superseded=True)) == 3
    listed = small_kb.documents(Filters(include_superseded=True), offset=0, limit=10)
    assert [d.level for d in listed][:2] == ["地方性法规", "地方性法规"] and not listed[0].clauses
    assert listed[0].version_date == "2023-06-01"  # newest version first within a title
    newest = listed[0]
    full = small_kb.document(newest.id)
    assert full.clauses and full.body and small_kb.document("nope") is None
    versions = small_kb.versions(newest.id)
    assert [v.version_date for v in versions] == ["2023-06-01", "2019-03-01"]
    assert versions[1].status == "superseded" and versions[1].superseded_by == newest.id
    rule = next(d for d in small_kb.documents() if d.title == "示例省校园安全办法")
    assert [d.id for d in small_kb.cites(rule.id)] == [newest.id]  # current version preferred
    assert rule.id in [d.id for d in small_kb.cited_by(newest.id)]
    clause = small_kb.clause(small_kb.search("安全座椅", k=1, mode="bm25")[0].clause_id)
    assert clause is not None and "安全座椅" in clause.text
    assert small_kb.facets()["levels"] == {"地方性法规": 2, "地方政府规章": 1}


def test_search_documents_groups_by_document(small_kb):
    groups = Ranker(small_kb, "上海", 500).search_documents("学校 心理 网吧", k=5)
    ids = [g.doc_id for g in groups]
    assert len(ids) == len(set(ids)) == 2
    assert all(g.hits and all(h.doc_id == g.doc_id for h in g.hits) for g in groups)
    assert groups[0].score >= groups[1].score


def test_manifest_records_the_build(small_kb):
    m = small_kb.manifest
    assert m["schema_version"] == SCHEMA_VERSION == 3 and m["embedder"] == "none" and m["dim"] == 0
    assert m["counts"]["documents"] == 3 and m["counts"]["passages"] > 5
    assert len(m["corpus_fingerprint"]) == 64 and m["dictionary_hash"] == small_kb.tokenizer.dictionary_hash


def test_missing_and_corrupt_index_name_the_build_command(tmp_path, small_corpus):
    with pytest.raises(IndexMissingError, match="policykb ingest"):
        KnowledgeBase.open(tmp_path / "nothing")
    index_dir = tmp_path / "kb"
    build_index([small_corpus], index_dir, embedder="none")
    db = index_dir / "kb.sqlite"
    db.write_bytes(b"not a database" * 100)
    with pytest.raises(IndexCorruptError, match="policykb ingest"):
        KnowledgeBase.open(index_dir)
    (index_dir / "manifest.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="manifest"):
        KnowledgeBase.open(index_dir)


def test_an_index_refuses_another_embedder(small_kb):
    with pytest.raises(IndexMismatchError, match="embedder"):
        KnowledgeBase.open(small_kb.index_dir, embedder="bundled")


def test_store_is_plain_sqlite_and_json(small_kb):
    db = sqlite3.connect(small_kb.folder / "kb.sqlite")
    (data,) = db.execute("SELECT data FROM documents LIMIT 1").fetchone()
    assert json.loads(data)["title"]
    assert db.execute("SELECT count(*) FROM passages").fetchone()[0] == small_kb.manifest["counts"]["passages"]
    assert not list(small_kb.folder.rglob("*.pkl")) and not list(small_kb.folder.rglob("*.pickle"))


def test_a_word_the_index_only_holds_inside_longer_words_still_matches(small_kb):
    assert "网信" not in small_kb.bm25._vocab  # jieba keeps 网信部门 whole
    hits = small_kb.search("网信", k=3, mode="bm25")
    assert hits and "网信部门" in hits[0].text and "网信部门" in hits[0].matched_terms


def test_building_from_nothing_is_a_clear_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="no documents to index"):
        build_index([empty], tmp_path / "kb", embedder="none")
    assert not (tmp_path / "kb").exists()
