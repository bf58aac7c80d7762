"""The cross-validation of answerability models picks thresholds as the refit script does."""
from __future__ import annotations

import random

import pytest

from evaluation.fit_answerability import Row, choose_threshold
from evaluation.gate_search import cross_validate, fast_threshold, model_of
from qa.answerability import AnswerabilityModel

MODEL = AnswerabilityModel(features=("x",), coef=(3.0,), intercept=0.0, threshold=0.5,
                           hard_rules=False)


def rows(n: int = 60, seed: int = 0) -> list[Row]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        answerable = i % 3 != 0
        x = rng.gauss(0.6 if answerable else -0.6, 0.8)
        out.append(Row(f"q{i}", "paraphrase" if answerable and i % 2 else "fact",
                       "" if answerable else "near_miss", answerable, {"x": x},
                       place=False, foreign=False, redacted=(i == 3)))
    return out


@pytest.mark.parametrize("budget", [0.0, 0.05, 0.1, 0.3])
def test_fast_threshold_is_the_threshold_fit_answerability_chooses(budget):
    data = rows()
    probs = [MODEL.probability(r.features) for r in data]
    assert fast_threshold(probs, data, False, budget) == pytest.approx(
        choose_threshold(MODEL, data, False, budget))


def test_held_out_figures_separate_a_signal_from_noise():
    data = rows(90)
    signal = cross_validate(data, ("x",), 1.0, 0.1, False)
    for r in data:
        r.features["noise"] = random.Random(r.id).random()
    noise = cross_validate(data, ("noise",), 1.0, 0.1, False)
    assert signal["auroc"] > 0.75 > noise["auroc"]
    assert 0.0 <= signal["fr"] <= 0.2
    model = model_of(data, ("x",), 1.0, 0.1, False)
    assert model.features == ("x",) and model.coef[0] > 0
