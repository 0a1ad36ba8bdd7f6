"""Verify a question set against the shared corpus: every gold quote is an exact substring of its file and
lies inside the named article (第X条 for laws; 三、三是 for the work plan).

usage: python -m evaluation.check_questions [QUESTIONS.jsonl ...]   (default: evaluation/heldout.jsonl)
Exit status 1 and one line per problem when anything is wrong.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from evaluation.scoring import HELDOUT_QUESTIONS, read_jsonl

REPO = Path(__file__).resolve().parent.parent
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
TYPES = {"who", "what", "which_doc", "number", "cross", "none"}
# 第一千零七十九条 (民法典) and 第二百八十七条之二 (刑法 articles inserted by amendments) included.
_ARTICLE_START = re.compile(r"^第[一二三四五六七八九十百千零〇]+条(?:之[一二三四五六七八九十]+)?[ 　]", re.M)
_WORKPLAN_LOCATOR = re.compile(r"^([一二三四五六七八九十]+、)([一二三四五六七八九十]+是)$")


def article_span(text: str, article: str) -> tuple[int, int] | None:
    """(start, end) of a law article 第X条 in a Markdown law text, or None when absent."""
    starts = [m.start() for m in _ARTICLE_START.finditer(text)]
    for i, start in enumerate(starts):
        if text.startswith(article, start) and text[start + len(article)] in " 　":
            end = starts[i + 1] if i + 1 < len(starts) else len(text)
            heading = text.find("\n## ", start, end)
            return start, (heading if heading != -1 else end)
    return None


def workplan_span(text: str, locator: str) -> tuple[int, int] | None:
    """(start, end) of a work-plan paragraph named like 三、二是 (section marker + paragraph marker)."""
    m = _WORKPLAN_LOCATOR.match(locator)
    if not m:
        return None
    section = re.search(rf"^{m.group(1)}", text, re.M)
    if not section:
        return None
    para = re.compile(rf"^{m.group(2)}.*$", re.M).search(text, section.start())
    next_section = re.compile(r"^[一二三四五六七八九十]+、", re.M).search(text, section.end())
    if not para or (next_section and para.start() > next_section.start()):
        return None
    return para.start(), para.end()


def check(questions: list[dict], corpus: Path = SHARED_CORPUS) -> list[str]:
    """All problems found in a question set (empty list when it is sound)."""
    problems, seen = [], set()
    for q in questions:
        qid = q.get("id", "?")
        if qid in seen:
            problems.append(f"{qid}: duplicate id")
        seen.add(qid)
        if q.get("type") not in TYPES:
            problems.append(f"{qid}: unknown type {q.get('type')!r}")
        if (q.get("type") == "none") != (not q.get("answers")):
            problems.append(f"{qid}: 'none' questions and only they must have no answers")
        for gold in q.get("answers", []):
            path = corpus / gold["file"]
            if not path.is_file():
                problems.append(f"{qid}: file not found: {gold['file']}")
                continue
            text = path.read_text(encoding="utf-8")
            if gold["quote"] not in text:
                problems.append(f"{qid}: quote is not an exact substring of {gold['file']}: {gold['quote'][:30]}")
                continue
            span = (workplan_span(text, gold["article"]) if "、" in gold["article"]
                    else article_span(text, gold["article"]))
            if span is None:
                problems.append(f"{qid}: article {gold['article']} not found in {gold['file']}")
            elif gold["quote"] not in text[span[0]:span[1]]:
                problems.append(f"{qid}: quote is not inside {gold['article']} of {gold['file']}")
    return problems


def main(argv: list[str]) -> int:
    paths = argv or [str(HELDOUT_QUESTIONS)]
    if not SHARED_CORPUS.is_dir():
        print(f"{SHARED_CORPUS} is absent: cannot verify quotes", file=sys.stderr)
        return 2
    bad = 0
    for path in paths:
        questions = read_jsonl(path)
        problems = check(questions)
        for p in problems:
            print(f"{path}: {p}")
        bad += len(problems)
        print(f"{path}: {len(questions)} questions, {sum(len(q['answers']) for q in questions)} gold answers, "
              f"{len(problems)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
