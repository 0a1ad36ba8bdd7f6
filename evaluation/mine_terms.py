"""Mine colloquial -> legal term associations from (question, gold article) pairs, for query expansion.

usage: python -m evaluation.mine_terms [--out index/ranking/data/mined_terms.txt] [--min-count 2]

People write 老公, 离婚协议, 打人; the articles say 配偶, 婚姻关系, 伤害. For every content word of a training question
that its gold quotes do not contain, count which words those quotes hold; keep the associations that recur over
several questions and are specific (a word frequent in all quotes, like 应当, says nothing). Training pairs: dev,
held-out 1–5 and the real_dev training folds (never real_dev's blind split, held-out 6 or real_own). The file has
the synonyms.txt format (COLLOQUIAL = OFFICIAL | OFFICIAL) and a fingerprint line; query analysis reads it
(index/ranking/query.py load_mined), the best pipeline adds the terms as it adds the hand synonyms.
"""
from __future__ import annotations

import argparse
import hashlib
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

from evaluation.scoring import REPO, TRAINING_SETS, read_jsonl
from evaluation.train_ranker import REAL_DEV, real_dev_split
from index.ranking.query import MINED_FILE

MAX_PER_WORD = 2
MIN_SCORE = 0.5  # share of the word's questions x log(lift)
MIN_LIFT = 8.0  # the term is this many times likelier in the gold quotes of the word's questions than in all
MAX_SHARE = 0.03  # terms in more than this share of all gold quotes are too general to add
MAX_WORD_SHARE = 0.01  # a question word the quotes themselves use more often is legal vocabulary, not colloquial
# Words that shape a sentence in any topic (pronouns, light verbs): never a colloquial topic word.
FUNCTION_WORDS = frozenset("自己 这些 那些 这种 属于 过程 得到 之间 之前 之后 处理 构成 追究 一定 一次 为什么 "
                           "如果 时候 可能 已经 还是 或者 就是 需要 应该 现在 以后 怎么样".split())


def training_questions() -> list[dict]:
    """The questions mining may read: the child-protection training sets (scoring.TRAINING_SETS) and the real_dev
    training folds."""
    out = [q for path in TRAINING_SETS.values() for q in read_jsonl(path)]
    train, _ = real_dev_split(read_jsonl(REAL_DEV))
    return out + train


def mine(questions: list[dict], tokenizer, min_count: int = 3) -> dict[str, list[tuple[str, float]]]:
    """word -> [(legal term, score)] best first: the gold-quote words that recur with a question word the quotes
    lack, scored by share of that word's questions × specificity (idf over all gold quotes)."""
    from answers.terms import content_terms

    pairs = []
    quote_df: Counter[str] = Counter()
    for q in questions:
        if not q.get("answers"):
            continue
        quote = " ".join(a["quote"] for a in q["answers"])
        gold_words = {w for w in tokenizer.words(quote) if len(w) >= 2 and w not in tokenizer.stopwords and any('\u4e00' <= ch <= '\u9fff' for ch in w)}
        quote_df.update(gold_words)
        pairs.append((set(content_terms(q["question"], tokenizer)), quote, gold_words))
    n = len(pairs) or 1
    word_q: Counter[str] = Counter()
    co: dict[str, Counter[str]] = defaultdict(Counter)
    for words, quote, gold_words in pairs:
        for w in words:
            if w in quote:
                continue  # the quote already says it: no vocabulary gap here
            word_q[w] += 1
            for g in gold_words:
                if g not in words:
                    co[w][g] += 1
    out: dict[str, list[tuple[str, float]]] = {}
    for w, counts in co.items():
        if word_q[w] < min_count or w in FUNCTION_WORDS or quote_df[w] / n > MAX_WORD_SHARE:
            continue
        scored = []
        for g, c in counts.items():
            share = quote_df[g] / n
            if c < min_count or share > MAX_SHARE:
                continue  # too rare to trust, or a word of every article (应当, 不得)
            lift = (c / word_q[w]) / share
            if lift >= MIN_LIFT:
                scored.append((g, round(c / word_q[w] * math.log(lift), 3)))
        scored = [t for t in sorted(scored, key=lambda t: (-t[1], t[0])) if t[1] >= MIN_SCORE][:MAX_PER_WORD]
        if scored:
            out[w] = scored
    return dict(sorted(out.items()))


def main(argv: list[str] | None = None) -> int:
    from index.tokens import shared_tokenizer

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=MINED_FILE)
    p.add_argument("--min-count", type=int, default=3)
    args = p.parse_args(argv)
    questions = training_questions()
    mined = mine(questions, shared_tokenizer(), args.min_count)
    digest = hashlib.sha256("\n".join(sorted(q["id"] + q["question"] for q in questions)).encode()).hexdigest()[:16]
    lines = ["# Mined colloquial -> legal terms (python -m evaluation.mine_terms): COLLOQUIAL = TERM | TERM",
             f"# training questions: {len(questions)} (fingerprint {digest}); min count {args.min_count}; "
             f"score = share of the word's questions x log(lift) >= {MIN_SCORE}, lift >= {MIN_LIFT}"]
    for w, terms in mined.items():
        lines.append("# " + " ".join(f"{t}:{s}" for t, s in terms))
        lines.append(f"{w} = " + " | ".join(t for t, _ in terms))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(mined)} mined associations to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
