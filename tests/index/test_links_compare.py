"""Validity on an injected day, the validity filter, article-level links and 条文对照 on a real small index."""
from __future__ import annotations

import pytest

from index.build import build_index
from index.hit import Filters
from index.kb import KnowledgeBase

LAW_V1 = """# 示例市儿童关爱条例

2019年3月1日 示例市人民代表大会常务委员会第十次会议通过

<!-- INFO END -->

第一条 为了关爱儿童，制定本条例。

第二条 本条例适用于本市行政区域内的儿童。

第三条 网信部门负责统筹协调儿童网络关爱工作。

第四条 学校应当配备心理健康教师。

第五条 本条例自2019年5月1日起施行。
"""

LAW_V2 = """# 示例市儿童关爱条例

2029年6月1日 示例市人民代表大会常务委员会第五次会议修订

<!-- INFO END -->

第一条 为了关爱儿童，制定本条例。

第二条 本条例适用于本市行政区域内的儿童。

第三条 儿童安全座椅应当在家庭乘用车中正确使用。

第四条 网信部门负责统筹协调儿童网络关爱和相关监督管理工作。

第五条 学校应当配备专职心理健康教师，每学期至少开展两次心理辅导。

第六条 违反本条例第五条规定的，由教育部门责令改正。

第七条 本条例自2030年1月1日起施行。
"""

OLD_RULE = """# 示例市校园旧办法

2010年1月1日 示例市人民政府令第3号公布

<!-- INFO END -->

第一条 学校周边不得开设网吧。

第二条 本办法自2010年3月1日起施行。
"""

NEW_RULE = """# 示例市校园安全办法

2020年1月1日 示例市人民政府令第9号公布

<!-- INFO END -->

第一条 学校应当依照《示例市儿童关爱条例》第四条配备教师，并依照本办法第二条开展检查。

第二条 教育部门负责校园安全检查。

第三条 本办法自2020年3月1日起施行，《示例市校园旧办法》同时废止。
"""


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("validity") / "corpus"
    for rel, text in (("地方性法规/示例市儿童关爱条例(2019-03-01).md", LAW_V1),
                      ("地方性法规/示例市儿童关爱条例(2029-06-01).md", LAW_V2),
                      ("地方政府规章/示例市校园旧办法.md", OLD_RULE),
                      ("地方政府规章/示例市校园安全办法.md", NEW_RULE)):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    out = root.parent / "index"
    build_index([root], out, embedder="none")
    return out


V1, V2 = "示例市儿童关爱条例@2019-03-01", "示例市儿童关爱条例@2029-06-01"
OLD, NEW = "示例市校园旧办法@2010-01-01", "示例市校园安全办法@2020-01-01"


def test_validity_follows_the_day(index_dir):
    early = KnowledgeBase.open(index_dir, today="2009-06-01")
    assert early.validities() == {V1: "尚未生效", V2: "尚未生效", OLD: "尚未生效", NEW: "尚未生效"}
    mid = KnowledgeBase.open(index_dir, today="2025-01-01")
    # the 2029 revision is passed but not in force: the 2019 text still applies; the old rule is repealed
    assert mid.validities() == {V1: "现行有效", V2: "尚未生效", OLD: "已废止", NEW: "现行有效"}
    late = KnowledgeBase.open(index_dir, today="2030-01-01")
    assert late.validities()[V1] == "已被修订" and late.validities()[V2] == "现行有效"
    doc = mid.document(V2, clauses=False)
    assert doc.validity == "尚未生效" and doc.validity_date == "2025-01-01" and doc.effective == "2030-01-01"


def test_validity_filter_and_hit_fields(index_dir):
    kb = KnowledgeBase.open(index_dir, today="2025-01-01")
    hits = kb.search("心理健康教师", k=5, filters=Filters(validity=("现行有效",)), mode="bm25")
    assert {h.doc_id for h in hits} == {V1, NEW} and all(h.validity == "现行有效" for h in hits)
    assert next(h for h in hits if h.doc_id == V1).effective_date == "2019-05-01"
    pending = kb.search("心理健康教师", k=5, filters=Filters(validity=("尚未生效",)), mode="bm25")
    assert {h.doc_id for h in pending} == {V2}  # the validity filter replaces the newest-version-only rule
    assert kb.count_documents(Filters(validity=("已废止",))) == 1
    assert [d.id for d in kb.documents(Filters(validity=("已废止",)))] == [OLD]


def test_article_links_cites_and_cited_by(index_dir):
    kb = KnowledgeBase.open(index_dir, today="2025-01-01")
    art = f"{NEW}#第一条"
    cites = kb.clause_cites(art)
    # the 2020 rule cites 《示例市儿童关爱条例》第四条 as in force in 2020 (the 2019 text: in 2029 its 第四条 became
    # 第五条); 本办法第二条 is its own article
    assert {c["clause_id"] for c in cites} == {f"{V1}#第四条", f"{NEW}#第二条"}
    assert {c["citation"] for c in cites} == {"《示例市儿童关爱条例》第四条", "《示例市校园安全办法》第二条"}
    cited = kb.clause_cited_by(f"{V1}#第四条")
    assert cited == [{"clause_id": f"{NEW}#第一条.第一款", "citation": "《示例市校园安全办法》第一条"}]
    assert kb.clause_cited_by(f"{V2}#第四条") == []
    assert kb.clause_cited_by(f"{V2}#第五条") == [{"clause_id": f"{V2}#第六条.第一款",
                                                   "citation": "《示例市儿童关爱条例》第六条"}]
    assert kb.clause_cites(f"{V2}#第三条") == [] and kb.clause_cited_by(f"{V2}#第四十条") == []


def test_compare_versions_article_by_article(index_dir):
    kb = KnowledgeBase.open(index_dir)
    older, newer, rows = kb.compare(V2, V1)  # either order: the older comes first
    assert (older.id, newer.id) == (V1, V2)
    got = [(r.status, r.old_label, r.new_label) for r in rows]
    assert got == [("same", "第一条", "第一条"), ("same", "第二条", "第二条"), ("added", "", "第三条"),
                   ("changed", "第三条", "第四条"), ("changed", "第四条", "第五条"), ("added", "", "第六条"),
                   ("changed", "第五条", "第七条")]
    changed = rows[3]
    assert changed.renumbered and "".join(s.text for s in changed.segments if s.op == "insert") == "和相关监督管理"
    assert not [s for s in changed.segments if s.op == "delete"]  # renumbering alone is no change of wording
    assert rows[0].segments == [] and rows[2].new_text.startswith("第三条 儿童安全座椅")
    with pytest.raises(ValueError):
        kb.compare(V1, NEW)
    with pytest.raises(KeyError):
        kb.compare(V1, "无此文件@2000-01-01")
