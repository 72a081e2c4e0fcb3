"""Recovery: on an additive non-linear process it never saw, the model nears the true probabilities."""

from __future__ import annotations

import pytest
from sklearn.metrics import roc_auc_score

from ml.evaluate import expected_calibration_error
from ml.fit import fit_model
from ml.recovery import AdditiveProcess


@pytest.mark.parametrize("seed", [1, 2])
def test_model_recovers_a_random_additive_process(seed: int) -> None:
    # The full check (20 000 rows, AUC gap ≤ 0.01, ECE ≤ 0.03) is bench/ml_bench.py; this is a
    # smaller, faster version with bounds loosened for the smaller sample.
    process = AdditiveProcess.random(seed)
    train, _ = process.sample(5000, seed * 10 + 1)
    test, truth = process.sample(5000, seed * 10 + 2)
    p = fit_model(train, seed).model().predict_proba(test)
    gap = roc_auc_score(test.label, truth) - roc_auc_score(test.label, p)
    assert gap <= 0.02
    assert expected_calibration_error(test.label, p) <= 0.04


def test_process_is_seeded_and_has_the_target_rate() -> None:
    process = AdditiveProcess.random(3)
    first, p = process.sample(5000, 1)
    again, _ = process.sample(5000, 1)
    assert (first.label == again.label).all()
    assert abs(p.mean() - 0.34) < 0.03
