"""Population stability index (PSI) per feature against the training distribution."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ml.schema import CATEGORIES, FEATURES, NUMERIC, Table

DRIFT_BINS = 10
FLOOR = 1e-4  # a bin empty on one side counts as this share, so the PSI stays finite
STABLE, WATCH = 0.1, 0.25


def status(psi: float) -> str:
    """stable (< 0.1), watch (0.1–0.25) or retrain (> 0.25)."""
    if psi < STABLE:
        return "stable"
    return "watch" if psi <= WATCH else "retrain"


def _numeric_shares(values: np.ndarray, edges: list[float]) -> list[float]:
    present = values[~np.isnan(values)]
    # Bins are (-inf, e1], (e1, e2], …, (ek, inf), then one bin for empty cells.
    counts = np.bincount(np.searchsorted(np.asarray(edges), present, side="left"), minlength=len(edges) + 1)
    return [*(counts / len(values)).tolist(), float(np.isnan(values).mean())]


def _category_shares(values: np.ndarray, categories: list[str]) -> list[float]:
    return [float(np.mean(values == c)) for c in categories]


def training_bins(table: Table, bins: int = DRIFT_BINS) -> dict[str, Any]:
    """Per-feature bins and shares of the training data, as stored in model.json."""
    out: dict[str, Any] = {}
    for name in FEATURES:
        column = table.columns[name]
        if name in NUMERIC:
            present = column[~np.isnan(column)]
            edges = sorted(set(np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1]).tolist())) if present.size else []
            out[name] = {"edges": edges, "shares": _numeric_shares(column, edges)}
        else:
            out[name] = {"categories": CATEGORIES[name], "shares": _category_shares(column, CATEGORIES[name])}
    return out


def psi(expected: list[float], actual: list[float]) -> float:
    """PSI = Σ (actual − expected) · ln(actual / expected), shares floored at 1e-4."""
    e = np.maximum(np.asarray(expected, dtype=float), FLOOR)
    a = np.maximum(np.asarray(actual, dtype=float), FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def drift_report(bins: Mapping[str, Any], table: Table) -> list[dict[str, Any]]:
    """One entry per feature: PSI of ``table`` against the training bins, and its status."""
    report = []
    for name in FEATURES:
        spec = bins[name]
        if "edges" in spec:
            actual = _numeric_shares(table.columns[name], list(spec["edges"]))
        else:
            actual = _category_shares(table.columns[name], list(spec["categories"]))
        value = psi(spec["shares"], actual)
        report.append({"feature": name, "psi": value, "status": status(value)})
    return report
