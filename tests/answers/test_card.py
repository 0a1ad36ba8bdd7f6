"""The answer card (answers/card.py) on hand-written clauses in the corpus style: units for who, the figure's
sentence for number, clauses otherwise, found=False below the threshold — never an item without its clause."""
from answers.card import CONFIDENCE_THRESHOLD, build_answer, expected_measures, figures
from answers.mandates import mandating_sentences
from index.hit import Hit

# Hand-written clauses in the style of the corpus (not copied from any law).
SH = "示例市少年关爱条例"
ART49 = ("第二条 网信部门负责统筹协调本市少年网络关爱和相关监督管理工作。公安、教育、文化旅游等部门按照各自职责，"
         "做好少年网络关爱工作。")
ART16 = "携带未满五周岁的少年乘坐家庭乘用车，应当使用儿童安全座椅，不得让未满十周岁的少年乘坐副驾驶座位。"
PLAN = "推动全市200间“阳光小屋”改造实施落地，改善困境少年居住学习环境。"
ART5 = "第五条 幼儿园招聘工作人员时，应当向公安机关查询应聘者是否具有违法犯罪记录。教育部门负责监督检查。"


def hit(text: str, article: str, doc: str = SH, rank: int = 1) -> Hit:
    doc_id = f"{doc}(2024-12-31)"
    return Hit(
        clause_id=f"{doc_id}#{article}", doc_id=doc_id, doc_title=doc, citation=f"《{doc}》{article}",
        locator=(article,), text=text, article_id=f"{doc_id}#{article}", article_text=text, level="地方性法规",
        region="上海", issuer="", date="2024-12-31", status="current", score=1.0 / rank,
    )


def test_who_question_names_units_with_their_clause():
    a = build_answer("哪个部门负责少年网络关爱", [hit(ART49, "第二条")])
    assert a.found and a.kind == "units" and a.qtype == "who"
    first = a.units[0]
    assert first.unit == "网信部门" and first.citation == f"《{SH}》第二条"
    assert first.duty.startswith("负责统筹协调本市少年网络关爱")
    assert {"公安机关", "教育部门"} <= {u.unit for u in a.units}
    assert all(u.clause_id and u.duty in ART49 for u in a.units)


def test_number_question_gives_the_sentence_with_the_figure():
    a = build_answer("几岁以下坐私家车必须用安全座椅？", [hit(PLAN, "三、一是", "工作要点", 1), hit(ART16, "第三条", rank=2)])
    assert a.found and a.kind == "sentences"
    assert "五周岁" in a.sentences[0].text and a.sentences[0].text in ART16
    assert a.sentences[0].citation.endswith("第三条")


def test_number_question_without_a_figure_of_that_kind_is_not_found():
    a = build_answer("阳光小屋每户改造能补贴多少钱？", [hit(PLAN, "三、一是", "工作要点")])
    assert expected_measures("阳光小屋每户改造能补贴多少钱？") == ("元", "万元", "亿元")
    assert not a.found and a.kind == "none"
    assert a.nearest and a.nearest[0].clause_id.endswith("三、一是")  # shown as the nearest clause, not an answer


def test_unsupported_question_is_not_found_and_empty_hits_too():
    a = build_answer("今年迪士尼儿童票怎么买", [hit(ART49, "第二条")])
    assert not a.found and a.confidence < CONFIDENCE_THRESHOLD and not (a.units or a.sentences or a.clauses)
    empty = build_answer("哪个部门负责少年网络关爱", [])
    assert not empty.found and empty.nearest == [] and empty.confidence == 0.0


def test_other_questions_answer_with_clauses_and_to_dict_shape():
    a = build_answer("少年网络关爱工作怎么做", [hit(ART49, "第二条")])
    assert a.found and a.kind == "clauses" and a.clauses[0].text == ART49
    d = a.to_dict()
    assert d["found"] is True and d["answer"]["kind"] == "clauses"
    assert set(d["answer"]["clauses"][0]) >= {"text", "citation", "clause_id", "doc_id"}


def test_figures_and_mandating_sentences():
    assert figures(ART16) == ["五周岁", "十周岁"]
    assert figures("自2025年3月1日起施行") == ["2025年3月1日"]
    sents = mandating_sentences(ART49, "少年网络关爱统筹协调")
    assert sents[0].startswith("第二条 网信部门负责统筹协调")


def test_where_to_go_questions_put_the_unit_a_duty_points_to_first():
    a = build_answer("幼儿园招人，要到哪里查应聘者的犯罪记录？", [hit(ART5, "第五条")])
    assert a.found and a.kind == "units" and a.units[0].unit == "公安机关"
    b = build_answer("哪个部门负责监督检查幼儿园招聘工作人员", [hit(ART5, "第五条")])
    assert b.found and b.units[0].unit == "教育部门"  # who must act comes first otherwise
