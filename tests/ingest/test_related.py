"""The 17 related laws of ../shared/corpus/related and the work plan: invariant, article counts, citations,
versions, and every gold answer of the dev question set found in the citation unit it names."""
from __future__ import annotations

import json
import re

import pytest

from ingest.numerals import cn_to_int
from ingest.pipeline import ingest_paths
from tests.conftest import WORKPLAN

ARTICLE_LINE = re.compile(r"^第([一二三四五六七八九十百零]+)条(?:之[一二三四五六七八九十]+)?[ \u3000]", re.M)


@pytest.fixture(scope="module")
def batch(related_dir):
    result = ingest_paths([related_dir, WORKPLAN])
    assert not [p for p in result.problems if p.fatal], result.problems
    return result


def by_file(batch, name):
    return next(d for d in batch.documents if d.source_path.endswith(name))


def check_invariant(doc):
    """Leaves partition the body; containers span their text; ids unique and URL-safe."""
    pos = 0
    for leaf in doc.leaves():
        assert doc.body[leaf.start:leaf.end] == leaf.text, leaf.id
        assert leaf.start >= pos and not doc.body[pos:leaf.start].strip(), (leaf.id, doc.body[pos:leaf.start])
        pos = leaf.end
    assert not doc.body[pos:].strip()
    for c in doc.clauses:
        assert doc.body[c.start:c.end] == c.text and c.text.strip(), c.id
        assert not re.search(r"[\s/]", c.id) and c.id.startswith(doc.id + "#")
    assert len({c.id for c in doc.clauses}) == len(doc.clauses)
    ids = {c.id for c in doc.clauses}
    assert all(c.parent_id in ids for c in doc.clauses if c.parent_id)
    assert all(c.article_id in ids for c in doc.clauses if c.article_id)


def test_every_related_file_and_the_work_plan_keep_all_their_text(batch, related_dir):
    assert len(batch.documents) == len(list(related_dir.rglob("*.md"))) + 1
    for doc in batch.documents:
        check_invariant(doc)


@pytest.mark.parametrize("name,count", [
    ("上海市未成年人保护条例(2024-12-31).md", 87),
    ("上海市未成年人保护条例.md", 56),
    ("未成年人保护法(2024-04-26).md", 132),
    ("家庭教育促进法(2021-10-23).md", 55),
    ("未成年人网络保护条例(2023-10-16).md", 60),
    ("学前教育法(2024-11-08).md", 85),
    ("社会救助暂行办法(2019-03-02).md", 70),
])
def test_article_counts_match_the_text(batch, related_dir, name, count):
    doc = by_file(batch, name)
    raw = next(related_dir.rglob(name)).read_text(encoding="utf-8")
    numbers = [cn_to_int(m) for m in ARTICLE_LINE.findall(raw)]
    articles = [c for c in doc.clauses if c.kind == "article"]
    assert len(articles) == len(numbers) == count == numbers[-1]
    assert [c.id.split("#")[1] for c in articles][:3] == ["第一条", "第二条", "第三条"]


def test_article_49_of_the_current_shanghai_regulation_cites_correctly(batch):
    current = by_file(batch, "上海市未成年人保护条例(2024-12-31).md")
    older = by_file(batch, "上海市未成年人保护条例.md")
    assert current.status == "current" and current.id == "上海市未成年人保护条例@2024-12-31"
    assert older.status == "superseded" and older.superseded_by == current.id
    assert current.issuer == "上海市人民代表大会常务委员会" and current.level == "地方性法规"
    assert current.region == "上海" and current.adopted == "2004-11-25"
    assert current.amended == ("2013-12-27", "2022-02-18", "2024-12-31")
    art = next(c for c in current.clauses if c.id == current.id + "#第四十九条")
    assert art.kind == "article" and art.citation == "《上海市未成年人保护条例》第四十九条"
    assert art.locator == ("第五章 网络保护", "第四十九条") and art.headings == ("第五章 网络保护",)
    first = next(c for c in current.clauses if c.id == current.id + "#第四十九条.第一款")
    assert first.citation == "《上海市未成年人保护条例》第四十九条第一款"
    assert first.text.startswith("第四十九条 网信部门负责统筹协调本市未成年人网络保护和相关监督管理工作。")
    assert first.article_id == art.id and first.leaf
    kuan = [c for c in current.clauses if c.parent_id == art.id]
    assert [c.locator[-1] for c in kuan] == ["第一款", "第二款", "第三款"]
    assert art.text == current.body[kuan[0].start:kuan[-1].end]


def test_items_and_single_paragraph_articles(batch):
    doc = by_file(batch, "上海市未成年人保护条例(2024-12-31).md")
    item = next(c for c in doc.clauses if c.id == doc.id + "#第七条.第一款.第一项")
    assert item.kind == "item" and item.text.startswith("（一）组织、协调")
    assert item.citation == "《上海市未成年人保护条例》第七条第一款第一项"
    single = next(c for c in doc.clauses if c.id == doc.id + "#第四条.第一款")
    assert single.citation == "《上海市未成年人保护条例》第四条"  # one 款: cited by its article alone


def test_promulgation_metadata_of_a_national_law(batch):
    law = by_file(batch, "未成年人保护法(2024-04-26).md")
    assert law.title == "中华人民共和国未成年人保护法" and law.level == "法律" and law.region == "全国"
    assert law.issuer == "全国人民代表大会常务委员会" and law.adopted == "1991-09-04"
    assert law.version_date == "2024-04-26" and law.amended[-1] == "2024-04-26"
    assert by_file(batch, "未成年人网络保护条例(2023-10-16).md").level == "行政法规"
    assert by_file(batch, "强奸、猥亵未成年人刑事案件适用法律若干问题的解释(2023-05-24).md").level == "司法解释"


def test_chapters_without_numbers_are_headings(batch):
    doc = by_file(batch, "未成年人网络保护条例(2023-10-16).md")
    heads = [c.text for c in doc.clauses if c.kind == "heading"]
    assert heads[:3] == ["第一章 总 则", "网络素养促进", "网络信息内容规范"]
    art13 = next(c for c in doc.clauses if c.id == doc.id + "#第十三条")
    assert art13.headings == ("网络素养促进",)
    art12 = next(c for c in doc.clauses if c.id == doc.id + "#第十二条")
    assert "网络素养促进" not in art12.text


def test_every_gold_answer_lies_in_the_clause_it_cites(batch, dev_questions):
    """For each answer of ../shared/eval/dev.jsonl the cited unit (第X条 / 三、三是) exists and holds the quote."""
    checked = 0
    for line in dev_questions.read_text(encoding="utf-8").splitlines():
        for ans in json.loads(line)["answers"]:
            name = ans["file"].rsplit("/", 1)[1]
            doc = by_file(batch, name)
            units = [c for c in doc.clauses if c.article_id == c.id and "".join(c.locator).endswith(ans["article"])]
            assert units, (name, ans["article"])
            assert any(ans["quote"] in u.text for u in units), (name, ans["article"], ans["quote"])
            checked += 1
    assert checked >= 50
