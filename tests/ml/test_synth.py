"""The synthetic generator: reproducible, valid rows, and the rates of seed 001."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import ml
from ml import synth


@pytest.fixture(scope="module")
def large() -> list[dict]:
    return ml.synthesize(30_000, 5)


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    assert ml.synthesize(300, 3) == ml.synthesize(300, 3)
    assert ml.synthesize(300, 3) != ml.synthesize(300, 4)


def test_failure_rate_and_obstacle_shares_follow_seed_001(large: list[dict]) -> None:
    failed = [r[ml.OBSTACLE] for r in large if r[ml.LABEL] == 1]
    assert abs(len(failed) / len(large) - 0.34) < 0.015
    shares = {k: v / len(failed) for k, v in Counter(failed).items()}
    assert set(shares) == {"contract", "service", "device", "other"}
    assert abs(shares["contract"] - 0.40) < 0.02
    assert abs(shares["service"] - 0.32) < 0.02
    assert abs(shares["device"] - 0.25) < 0.02
    assert shares["other"] < 0.05
    named = {k: shares[k] / (1 - shares["other"]) for k in ("contract", "service", "device")}
    assert named == pytest.approx({"contract": 0.41, "service": 0.33, "device": 0.26}, abs=0.02)


def test_obstacle_is_empty_exactly_when_not_failed(large: list[dict]) -> None:
    assert all((r[ml.OBSTACLE] == "") == (r[ml.LABEL] == 0) for r in large)


def test_rows_pass_the_csv_validation_and_look_realistic(large: list[dict], tmp_path) -> None:
    path = tmp_path / "synth.csv"
    ml.write_synthetic(path, large[:2000])
    table, warnings = ml.read_csv(path, require_label=True)
    assert warnings == ["ignored column(s) not in the feature schema: primary_obstacle"]
    c = table.columns
    assert set(c["channel"]) == {"app", "web", "counter", "phone"}
    assert (c["balance_net"] < 0).any() and (c["balance_net"] > 0).any()
    assert 12 <= np.median(c["tenure_months"]) <= 60
    assert set(np.unique(c["plan_monthly_fee"])) <= {8, 19, 29, 39, 59, 88, 128, 158, 199, 299, 399}
    no_contract = c["contracts_active"] == 0
    assert (c["early_termination_fee"][no_contract] == 0).all() and (c["contract_remaining_months"][no_contract] == 0).all()
    assert (c["family_members"][c["family_role"] == "none"] == 0).all()


def test_features_do_not_determine_the_label() -> None:
    # The same feature rows, drawn again with other hidden causes and noise, end differently.
    x = synth.sample_features(np.random.default_rng(1), 20_000)
    first, _ = synth.draw_outcomes(np.random.default_rng(2), x)
    second, _ = synth.draw_outcomes(np.random.default_rng(3), x)
    assert abs(first.mean() - second.mean()) < 0.02
    assert (first != second).mean() > 0.25


def test_intercepts_are_the_solution_of_the_documented_targets() -> None:
    solved = synth.solve_intercepts(rows=60_000, iterations=40)
    for name, value in synth.INTERCEPTS.items():
        assert solved[name] == pytest.approx(value, abs=0.15)


def test_rows_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ml.synthesize(0, 1)
