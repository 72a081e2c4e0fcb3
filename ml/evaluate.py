"""Metrics, the two baselines (overall rate, rules-only) and the paired-bootstrap install gate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from ml.schema import Table

EPS = 1e-15
ECE_BINS = 10
BOOTSTRAP_RESAMPLES = 2000
MAX_PSEUDO_COUNT = 1e6

# The rule flags of domain.md §2.1 that a rules-only estimate can see, in bit order.
RULE_FLAGS: tuple[str, ...] = (
    "early_termination_fee", "balance_net", "disputed_amount", "devices_rented_unreturned",
    "installment_remaining", "services_operator", "services_third_party", "family_primary_with_members",
)


def rule_flags(table: Table) -> np.ndarray:
    """One bit string per row ("01001000"), each bit one rule flag of RULE_FLAGS (empty cells count as 0)."""
    c = table.columns
    flags = [np.nan_to_num(c[name], nan=0.0) > 0 for name in RULE_FLAGS[:-1]]
    flags.append((c["family_role"] == "primary") & (np.nan_to_num(c["family_members"], nan=0.0) > 0))
    bits = np.stack(flags, axis=1).astype(np.uint8)
    return np.array(["".join(map(str, row)) for row in bits])


def log_losses(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per-row log loss (natural log), probabilities clipped to [1e-15, 1 − 1e-15]."""
    p = np.clip(p, EPS, 1 - EPS)
    return -(y * np.log(p) + (1 - y) * np.log1p(-p))


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = ECE_BINS) -> float:
    """ECE over equal-width probability bins: Σ (rows in bin / rows) · |mean label − mean probability|."""
    index = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.mean() * abs(y[mask].mean() - p[mask].mean())
    return float(total)


def metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """ROC AUC, log loss, Brier score and ECE of probabilities ``p`` for labels ``y``."""
    auc = float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan")
    return {
        "roc_auc": auc,
        "log_loss": float(log_losses(y, p).mean()),
        "brier": float(np.mean((p - y) ** 2)),
        "ece": expected_calibration_error(y, p),
    }


@dataclass(frozen=True)
class RulesBaseline:
    """Failure rate per combination of rule flags, shrunk towards the overall rate.

    Each cell's rate is (failures + m · overall) / (rows + m): a beta-binomial posterior
    mean whose pseudo-count m is estimated from the data by the method of moments, so
    cells that differ only by noise collapse to the overall rate, and an unseen or rare
    cell gets (nearly) the overall rate.
    """

    overall: float
    pseudo_count: float
    cells: dict[str, float]

    @classmethod
    def fit(cls, table: Table) -> RulesBaseline:
        """Estimate the cell rates from a labelled table."""
        if table.label is None:
            raise ValueError("the rules-only baseline needs labelled rows")
        y = table.label.astype(float)
        keys = rule_flags(table)
        overall = float(y.mean())
        cells, inverse = np.unique(keys, return_inverse=True)
        n = np.bincount(inverse).astype(float)
        k = np.bincount(inverse, weights=y)
        spread = float(np.sum(n * (k / n - overall) ** 2)) / max(overall * (1 - overall), EPS)
        # E[spread] = C + ρ (N − C) for C cells under a beta-binomial with intra-cell correlation ρ = 1/(m + 1).
        rho = (spread - len(cells)) / max(len(y) - len(cells), 1)
        m = MAX_PSEUDO_COUNT if rho <= 1 / (MAX_PSEUDO_COUNT + 1) else min(1 / rho - 1, MAX_PSEUDO_COUNT)
        rates = (k + m * overall) / (n + m)
        return cls(overall, float(m), {str(c): float(r) for c, r in zip(cells, rates, strict=True)})

    def predict(self, table: Table) -> np.ndarray:
        """Rules-only probabilities (the overall rate for a combination never seen in training)."""
        return np.array([self.cells.get(key, self.overall) for key in rule_flags(table)])

    def to_json(self) -> dict[str, Any]:
        """The baseline as stored in model.json."""
        return {"overall_rate": self.overall, "pseudo_count": self.pseudo_count, "flags": list(RULE_FLAGS),
                "cells": self.cells}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RulesBaseline:
        """The baseline from model.json."""
        return cls(float(data["overall_rate"]), float(data["pseudo_count"]), dict(data["cells"]))


@dataclass(frozen=True)
class Gate:
    """The install decision: mean per-row log-loss difference model − rules and its 95% interval."""

    passed: bool
    mean_difference: float
    low: float
    high: float
    resamples: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        """The decision as stored in model.json."""
        return {"passed": self.passed, "mean_log_loss_difference": self.mean_difference,
                "interval_95": [self.low, self.high], "resamples": self.resamples, "reason": self.reason}


def paired_bootstrap(difference: np.ndarray, seed: int, resamples: int = BOOTSTRAP_RESAMPLES) -> tuple[float, float]:
    """Percentile 95% interval of the mean of ``difference`` over ``resamples`` row resamples."""
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    chunk = max(1, 2_000_000 // max(len(difference), 1))
    for start in range(0, resamples, chunk):
        size = min(chunk, resamples - start)
        means[start:start + size] = difference[rng.integers(0, len(difference), (size, len(difference)))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return float(low), float(high)


def gate(y: np.ndarray, p_model: np.ndarray, p_rules: np.ndarray, seed: int,
         resamples: int = BOOTSTRAP_RESAMPLES) -> Gate:
    """Pass only when the model's log loss beats rules-only with a 95% interval that excludes zero."""
    difference = log_losses(y, p_model) - log_losses(y, p_rules)
    low, high = paired_bootstrap(difference, seed, resamples)
    mean = float(difference.mean())
    passed = high < 0
    if passed:
        reason = f"model log loss is lower than rules-only by {-mean:.4f} (95% interval {-high:.4f} to {-low:.4f})"
    else:
        reason = (f"model does not beat rules-only: log-loss difference model − rules {mean:+.4f}, "
                  f"95% interval [{low:+.4f}, {high:+.4f}] does not lie below zero")
    return Gate(passed, mean, low, high, resamples, reason)


def compare(y: np.ndarray, p_model: np.ndarray, overall: float, p_rules: np.ndarray) -> dict[str, dict[str, float]]:
    """The metrics table: the model beside the overall-rate and rules-only baselines."""
    return {
        "model": metrics(y, p_model),
        "overall_rate": metrics(y, np.full(len(y), overall)),
        "rules_only": metrics(y, p_rules),
    }


def evaluate_model(model: Any, table: Table, seed: int = 0, resamples: int = BOOTSTRAP_RESAMPLES) -> dict[str, Any]:
    """Metrics of ``model`` on a labelled table beside its stored baselines, with the gate on this data."""
    if table.label is None:
        raise ValueError("evaluation needs labelled rows")
    rules = RulesBaseline.from_json(model.metadata["baselines"])
    y = table.label
    p_model, p_rules = model.predict_proba(table), rules.predict(table)
    decision = gate(y, p_model, p_rules, seed, resamples)
    return {"model_version": model.version, "rows": len(y), "failure_rate": float(y.mean()),
            "metrics": compare(y, p_model, rules.overall, p_rules), "gate": decision.to_json()}
