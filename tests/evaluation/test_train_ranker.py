"""The ranker's training: the consultation prior is counted per question and never lets a question see itself."""
import math

import numpy as np

from evaluation.train_ranker import prior_counts, prior_of, with_prior
from index.ranking.ltr import FEATURES


def _rows():
    # q1 answered by 民法典#1079, q2 by 民法典#1084 and (in a second set) again by #1084; q3 by nothing in its pool
    qid = np.array(["q1", "q1", "q2", "q2", "q3"])
    return {"x": np.zeros((5, len(FEATURES)), dtype=np.float32), "y": np.array([1, 0, 1, 0, 0]), "qid": qid,
            "doc_key": np.array(["民法典", "刑法", "民法典", "民法典", "民法典"]),
            "art_key": np.array(["民法典#1079", "刑法#264", "民法典#1084", "民法典#1079", "民法典#1079"])}


def test_prior_counts_each_question_once():
    rows = _rows()
    twice = {k: np.concatenate([v, v]) for k, v in rows.items()}  # the same questions in two sets (pools A and B)
    assert prior_counts(prior_of(twice)) == {"docs": {"民法典": 2}, "articles": {"民法典#1079": 1, "民法典#1084": 1}}


def test_training_rows_leave_their_own_question_out():
    rows = _rows()
    filled = with_prior(rows, prior_of(rows))["x"]
    doc, art = FEATURES.index("asked_doc"), FEATURES.index("asked_article")
    # q1's own answer does not count for q1: 民法典 was asked once by someone else (q2), #1079 by nobody else
    assert filled[0, doc] == np.float32(math.log1p(1)) and filled[0, art] == 0.0
    # q3 asked nothing: it sees both questions that 民法典 answered, and q1's #1079
    assert filled[4, doc] == np.float32(math.log1p(2)) and filled[4, art] == np.float32(math.log1p(1))
    # a saved prior (counts, as the model file keeps it) is applied as is: new questions are never in it
    saved = with_prior(rows, prior_counts(prior_of(rows)))["x"]
    assert saved[0, doc] == np.float32(math.log1p(2)) and rows["x"][0, doc] == 0.0  # the input is not modified
