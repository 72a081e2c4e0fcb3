"""Metrics, the rules-only baseline, and the install gate (paired bootstrap on log loss)."""

from __future__ import annotations

import numpy as np
import pytest

import ml
from ml.evaluate import (
    RULE_FLAGS,
    RulesBaseline,
    expected_calibration_error,
    gate,
    log_losses,
    paired_bootstrap,
    rule_flags,
)
from ml.schema import Table


def relabel(table: Table, labels: np.ndarray) -> Table:
    return Table(dict(table.columns), labels.astype(np.int8), header=list(table.header))


def test_expected_calibration_error_by_hand() -> None:
    y = np.array([0, 1, 1, 1, 0, 0, 0, 1])
    p = np.array([0.05, 0.05, 0.95, 1.0, 0.35, 0.35, 0.35, 0.35])
    # bins: [0, .1) → 2 rows, rate .5 vs .05; [.3, .4) → 4 rows, .25 vs .35; [.9, 1] → 2 rows, 1 vs .975
    expected = 2 / 8 * 0.45 + 4 / 8 * 0.10 + 2 / 8 * 0.025
    assert expected_calibration_error(y, p) == pytest.approx(expected)


def test_metrics_of_perfect_and_constant_predictions() -> None:
    y = np.array([0, 0, 1, 1])
    perfect = ml.metrics(y, np.array([0.0, 0.0, 1.0, 1.0]))
    assert perfect["roc_auc"] == 1 and perfect["brier"] == 0 and perfect["ece"] == 0
    assert perfect["log_loss"] < 1e-12
    constant = ml.metrics(y, np.full(4, 0.5))
    assert constant["roc_auc"] == 0.5 and constant["log_loss"] == pytest.approx(np.log(2))
    assert log_losses(np.array([1]), np.array([0.0]))[0] == pytest.approx(-np.log(1e-15))


def test_rule_flags_bits(synthetic_table: Table) -> None:
    keys = rule_flags(synthetic_table)
    assert len(RULE_FLAGS) == 8 and all(len(k) == 8 for k in keys)
    c = synthetic_table.columns
    i = int(np.flatnonzero((c["family_role"] == "primary") & (c["family_members"] > 0))[0])
    assert keys[i][7] == "1"
    assert keys[i][0] == ("1" if c["early_termination_fee"][i] > 0 else "0")


def test_rules_baseline_shrinks_noise_to_the_overall_rate(synthetic_table: Table) -> None:
    noise = np.random.default_rng(0).random(len(synthetic_table)) < 0.3
    baseline = RulesBaseline.fit(relabel(synthetic_table, noise))
    rates = np.array(list(baseline.cells.values()))
    assert baseline.pseudo_count > 200
    assert np.all(np.abs(rates - baseline.overall) < 0.02)


def test_rules_baseline_keeps_real_cell_differences(synthetic_table: Table) -> None:
    fee = synthetic_table.columns["early_termination_fee"] > 0
    y = np.random.default_rng(1).random(len(fee)) < np.where(fee, 0.6, 0.1)
    baseline = RulesBaseline.fit(relabel(synthetic_table, y))
    assert baseline.pseudo_count < 50
    p = baseline.predict(synthetic_table)
    assert abs(p[fee].mean() - 0.6) < 0.05 and abs(p[~fee].mean() - 0.1) < 0.05
    assert RulesBaseline.from_json(baseline.to_json()) == baseline


def test_unseen_flag_combination_gets_the_overall_rate(synthetic_table: Table) -> None:
    baseline = RulesBaseline(0.3, 10.0, {"00000000": 0.1})
    assert set(baseline.predict(synthetic_table.subset(np.arange(50)))) <= {0.1, 0.3}


def test_paired_bootstrap_is_seeded_and_covers_the_mean() -> None:
    d = np.random.default_rng(2).normal(-0.01, 0.1, 3000)
    assert paired_bootstrap(d, 5, 1000) == paired_bootstrap(d, 5, 1000)
    low, high = paired_bootstrap(d, 5, 1000)
    assert low < d.mean() < high
    assert high - low == pytest.approx(2 * 1.96 * d.std() / np.sqrt(len(d)), rel=0.15)


def test_gate_decisions_by_hand() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(4000) < 0.4).astype(int)
    good, bad = np.where(y == 1, 0.6, 0.3), np.full(4000, 0.4)
    assert gate(y, good, bad, seed=1).passed
    refused = gate(y, bad, good, seed=1)
    assert not refused.passed and "does not beat rules-only" in refused.reason
    assert not gate(y, good, good, seed=1).passed  # a tie is not a win


def test_gate_passes_on_the_synthetic_history(trained: ml.TrainResult) -> None:
    assert trained.installable
    assert trained.gate.high < 0 and trained.gate.resamples >= 1000
    m = trained.metrics
    assert m["model"]["roc_auc"] > m["rules_only"]["roc_auc"] > m["overall_rate"]["roc_auc"] == 0.5
    assert m["model"]["log_loss"] < m["rules_only"]["log_loss"] < m["overall_rate"]["log_loss"]
    assert m["model"]["ece"] < 0.05


def test_gate_refuses_when_the_label_depends_only_on_rule_flags(synthetic_table: Table) -> None:
    table = synthetic_table.subset(np.arange(4000))
    c = table.columns
    fee, device = c["early_termination_fee"] > 0, c["devices_rented_unreturned"] > 0
    # An interaction of two flags: the flag table captures it, an additive model cannot.
    p = np.where(fee ^ device, 0.65, 0.12)
    y = np.random.default_rng(4).random(len(p)) < p
    result = ml.train(relabel(table, y), seed=4)
    assert not result.installable
    assert result.gate.high >= 0


def test_gate_refuses_a_model_of_pure_noise(synthetic_table: Table) -> None:
    table = synthetic_table.subset(np.arange(4000))
    y = np.random.default_rng(5).random(len(table)) < 0.34
    result = ml.train(relabel(table, y), seed=5)
    assert not result.installable
    assert result.metrics["model"]["roc_auc"] < 0.56


def test_evaluate_model_on_new_labelled_data(model: ml.Model) -> None:
    table = ml.table_from_records(ml.synthesize(3000, 77), require_label=True)
    report = ml.evaluate_model(model, table, seed=1, resamples=1000)
    assert report["model_version"] == model.version and report["rows"] == 3000
    assert set(report["metrics"]) == {"model", "rules_only", "overall_rate"}
    assert report["metrics"]["model"]["log_loss"] < report["metrics"]["overall_rate"]["log_loss"]
    assert report["gate"]["resamples"] == 1000
