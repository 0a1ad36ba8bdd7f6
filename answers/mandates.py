"""Which sentences of a clause mandate something about a question (应当/负责/推进… with its words): the quotes of
the 依据 ("which document mandates…") page."""
from __future__ import annotations

from answers.terms import alternatives, content_terms, sentences_of, support


def mandating_sentences(text: str, query: str, limit: int = 2, tokenizer=None) -> list[str]:
    """The sentences of a clause that mandate something about the query (应当/负责/推进… with its words)."""
    terms = content_terms(query, tokenizer) if query.strip() else ()
    alts = alternatives(terms, tokenizer)
    marks = ("应当", "负责", "必须", "不得", "禁止", "推进", "推动", "加强", "落实", "建立", "开展", "完善", "制定", "组织")
    scored = []
    for i, s in enumerate(sentences_of(text)):
        sup = support(terms, s, alts)
        if sup <= 0:
            continue
        scored.append((sup + (0.25 if any(m in s for m in marks) else 0.0), -i, s))
    scored.sort(reverse=True)
    return [s for _, _, s in scored[:limit]]
