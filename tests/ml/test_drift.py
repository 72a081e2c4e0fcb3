"""Drift: PSI per feature against the training bins stored in model.json."""

from __future__ import annotations

import numpy as np
import pytest

import ml
from ml.drift import psi, status, training_bins
from ml.schema import Table


def test_psi_formula_and_status_thresholds() -> None:
    assert psi([0.5, 0.5], [0.5, 0.5]) == 0
    assert psi([0.5, 0.5], [0.7, 0.3]) == pytest.approx(0.2 * np.log(0.7 / 0.5) - 0.2 * np.log(0.3 / 0.5))
    assert np.isfinite(psi([0.5, 0.5, 0.0], [0.4, 0.4, 0.2]))  # empty bins are floored
    assert [status(v) for v in (0.0, 0.099, 0.1, 0.25, 0.2501, 3)] == [
        "stable", "stable", "watch", "watch", "retrain", "retrain"]


def test_same_population_is_stable(model: ml.Model) -> None:
    fresh = ml.table_from_records(ml.synthesize(4000, 123))
    report = ml.drift_report(model.metadata["drift"], fresh)
    assert [entry["feature"] for entry in report] == ml.FEATURES
    assert all(entry["status"] == "stable" for entry in report), report


def test_shifted_features_are_flagged_and_others_are_not(model: ml.Model) -> None:
    fresh = ml.table_from_records(ml.synthesize(4000, 124))
    c = dict(fresh.columns)
    c["early_termination_fee"] = c["early_termination_fee"] * 3 + 50  # price rise, every contract quoted higher
    c["channel"] = np.where(np.arange(len(fresh)) % 2 == 0, "app", c["channel"]).astype(object)
    c["tenure_months"] = c["tenure_months"] + 1  # a small shift
    days = c["days_since_last_payment"].copy()
    days[:1200] = np.nan  # an export that lost a column in 30% of rows
    c["days_since_last_payment"] = days
    report = {e["feature"]: e for e in ml.drift_report(model.metadata["drift"], Table(c, None))}
    assert report["early_termination_fee"]["status"] == "retrain"
    assert report["days_since_last_payment"]["status"] == "retrain"
    assert report["channel"]["psi"] > 0.1
    assert report["tenure_months"]["status"] == "stable"
    assert report["segment"]["status"] == "stable"


def test_training_bins_cover_every_row(synthetic_table: Table) -> None:
    bins = training_bins(synthetic_table)
    for name, spec in bins.items():
        assert sum(spec["shares"]) == pytest.approx(1.0), name
