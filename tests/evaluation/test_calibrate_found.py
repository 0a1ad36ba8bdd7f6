"""The found decision's fit: evidence features keep their sign, however the training data's correlations fall."""
import numpy as np

from answers.found import FEATURES
from evaluation.calibrate_found import SIGNS, fit


def _examples(n=400, seed=5):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        feats = {f: float(rng.normal()) for f in FEATURES}
        right = int(feats["p1"] + 0.3 * rng.normal() > 0)
        feats["margin"] = -2.0 * feats["p1"] + rng.normal()  # in this sample a wide margin goes with wrong answers
        out.append((f"set:q{i}", feats, right))
    return out


def test_signed_features_never_take_the_wrong_sign():
    model, mean, scale = fit(_examples())
    coef = dict(zip(FEATURES, model.coef_[0]))
    assert coef["p1"] > 0.5  # the real evidence is learned
    for name, sign in SIGNS.items():
        assert coef[name] * sign >= 0, (name, coef[name])
    assert coef["margin"] == 0.0  # it would have been negative: held at the bound instead
    x = np.zeros((2, len(FEATURES)))
    x[1, FEATURES.index("margin")] = 3.0
    low, high = model.predict_proba(x)[:, 1]
    assert high >= low  # a wider margin never lowers P(right)
