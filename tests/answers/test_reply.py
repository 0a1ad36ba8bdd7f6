"""Draft replies over the real index: every quotation is verbatim from the clause it cites, units and channels
come from the corpus, the user's clause choice is honoured, and the .docx opens with every citation."""
import io

import docx
import pytest

from answers.reply import (NO_BASIS, ReplyInputError, UnknownClauseError, compose_reply, plain_text)
from answers.reply_docx import reply_docx
from tests.conftest import BULLYING


def _full_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_bullying_draft_quotes_clauses_verbatim(kb, bullying_reply):
    r = bullying_reply
    assert r.found and r.citations
    assert r.draft.startswith("您好！")
    for c in r.citations:
        clause = kb.clause(c.clause_id)
        assert clause is not None, c
        assert c.text and c.text in clause.text, c
        assert c.citation == clause.citation
        assert f"“{c.text}”" in r.draft and c.citation in r.draft
    assert any("欺凌" in c.text for c in r.citations)


def test_bullying_draft_names_units_and_where_to_turn(bullying_reply):
    names = {u.name for u in bullying_reply.units}
    # The learned ranking quotes 第三十九条第一款 (学校…欺凌防控) rather than its 第二款 (…向公安机关报告): the draft
    # names the education authority and the school; 公安机关 is no longer named (README, Reply drafts).
    assert "教育部门" in names and len(names) >= 2, names
    assert all(n in bullying_reply.draft for n in names)
    for u in bullying_reply.units:
        quote = next(c.text for c in bullying_reply.citations if c.clause_id == u.clause_id)
        assert u.text == quote and u.duty in quote and u.unit_text in quote


def test_channels_are_found_in_the_corpus_not_hard_coded(kb, bullying_reply):
    assert bullying_reply.channels
    assert any("12345" in ch.text for ch in bullying_reply.channels)
    for ch in bullying_reply.channels:
        assert ch.text in kb.clause(ch.clause_id).text


def test_clause_choice_redraws_without_dropped_clause(kb, ranker, bullying_reply):
    selected = [c.clause_id for c in bullying_reply.candidates if c.selected]
    assert len(selected) >= 2
    dropped = selected[0]
    r = compose_reply(ranker, BULLYING, clause_ids=selected[1:])
    assert dropped not in [c.clause_id for c in r.citations]
    dropped_quote = next(c.text for c in bullying_reply.candidates if c.clause_id == dropped)
    assert dropped_quote not in r.draft
    assert [c.clause_id for c in r.citations[: len(selected) - 1]] == selected[1:]
    assert {c.clause_id for c in r.candidates if c.selected} == set(selected[1:])


def test_nothing_clears_threshold_says_so_and_names_units(kb, ranker):
    r = compose_reply(ranker, "我想问下小区停车位怎么收费")
    assert not r.found
    assert NO_BASIS in r.draft and "一、相关规定" not in r.draft
    for c in r.citations:
        assert c.text in kb.clause(c.clause_id).text


@pytest.mark.parametrize("bad", ["", "   ", "问" * 1001, None, 42])
def test_bad_inquiry_is_rejected(kb, ranker, bad):
    with pytest.raises(ReplyInputError, match="留言") as err:
        compose_reply(ranker, bad)
    assert err.value.param == "inquiry" and err.value.status == 400


def test_unknown_clause_id(kb, ranker):
    with pytest.raises(UnknownClauseError, match="no-such-doc"):
        compose_reply(ranker, BULLYING, clause_ids=["no-such-doc#第一条"])


def test_docx_opens_and_holds_every_citation(bullying_reply):
    data = reply_docx(bullying_reply)
    text = _full_text(data)
    assert bullying_reply.title in text and "〔" in text
    for c in bullying_reply.citations:
        assert c.citation in text and c.text in text


def test_docx_uses_the_edited_draft(bullying_reply):
    text = _full_text(reply_docx(bullying_reply, draft="您好！\n这是经办人修改后的答复正文。"))
    assert "这是经办人修改后的答复正文。" in text
    assert "一、相关规定" not in text.split("引用依据")[0]
    assert all(c.citation in text for c in bullying_reply.citations)


def test_plain_text_lists_citations(bullying_reply):
    text = plain_text(bullying_reply)
    assert text.startswith(bullying_reply.title) and bullying_reply.draft in text
    assert all(c.citation in text for c in bullying_reply.citations)


def test_cli_reply_writes_docx_and_txt(kb_dir, tmp_path, capsys):
    from policykb.cli import main
    from tests.conftest import TEST_CACHE

    out_docx, out_txt = tmp_path / "r.docx", tmp_path / "r.txt"
    rc = main(["reply", BULLYING, "--index", str(kb_dir), "--cache-dir", str(TEST_CACHE),
               "--docx", str(out_docx), "--txt", str(out_txt)])
    printed = capsys.readouterr().out
    assert rc == 0 and "一、相关规定" in printed and "[x]" in printed
    assert "引用依据" in out_txt.read_text(encoding="utf-8")
    assert "答复" in _full_text(out_docx.read_bytes())
    assert main(["reply", "  ", "--index", str(kb_dir)]) == 2


def test_dropping_every_clause_claims_nothing(kb, ranker):
    from answers.reply import NONE_CHOSEN

    r = compose_reply(ranker, BULLYING, clause_ids=[])
    assert not r.found and NONE_CHOSEN in r.draft and NO_BASIS not in r.draft and not r.units
    assert all(c in r.channels for c in r.citations)


def test_docx_drops_characters_xml_cannot_hold(bullying_reply):
    """A pasted draft with control characters or a lone surrogate still exports (found by schemathesis)."""
    import io

    import docx

    from answers.reply_docx import reply_docx

    from dataclasses import replace

    body = reply_docx(replace(bullying_reply, inquiry="\b欺负\ud943"), "您好！\b\x0c\x1f\ud943正文。")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)
    assert "您好！" in text and "正文。" in text  # answers.xmltext.xml_safe: each illegal character becomes a space
    assert not any(c in text for c in "\b\x0c\x1f\ud943")
