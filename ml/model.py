"""The risk model: a calibrated generalised additive logistic model with exact explanations.

Each numeric feature enters through a piecewise-linear "ramp" basis on quantile knots,
each category through a one-hot column, and a scikit-learn ``LogisticRegression`` fits
them with an L2 penalty chosen by cross-validation. A ramp coefficient is the change of
the log-odds across one knot interval, so the penalty pulls each shape towards flat.
Platt scaling (``a·logit + b``) fitted on out-of-fold logits calibrates the result.

Because the fitted log-odds is a sum of one function per feature, it is stored as
tables (knots → values, category → value) with ``a`` and ``b`` folded in and each
feature centred on the training data; serving reads only these tables, so the base value
plus the contributions equals the logit of the probability, by construction.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ml.schema import (
    CATEGORIES,
    FEATURES,
    KINDS,
    NUMERIC,
    DataError,
    Table,
    normalise_category,
    parse_number,
    table_from_records,
)

#: What a model directory's ``model.json`` says it is (checked before anything is unpickled).
FORMAT = 1
KIND = "cancelsvc-risk-additive-logistic"
KNOT_QUANTILES = 16
BANDS = ((0.2, "low"), (0.5, "medium"))


def band(probability: float) -> str:
    """The risk band of domain.md §2.5: low (< 0.2), medium (< 0.5) or high."""
    for limit, name in BANDS:
        if probability < limit:
            return name
    return "high"


def choose_knots(values: np.ndarray, quantiles: int = KNOT_QUANTILES) -> list[float]:
    """Knots for one numeric feature: its point masses and quantiles of the rest.

    A value held by at least 1/quantiles of the rows (e.g. a zero fee) is a knot, and so
    is the next larger observed value, so "zero" and "a little" can differ sharply; the
    other knots are equally spaced quantiles of the values that are not point masses.
    """
    x = values[~np.isnan(values)]
    if x.size == 0:
        return [0.0, 1.0]
    distinct, counts = np.unique(x, return_counts=True)
    heavy = counts >= x.size / quantiles
    knots = {float(distinct[0]), float(distinct[-1])}
    for i in np.flatnonzero(heavy):
        knots.add(float(distinct[i]))
        if i + 1 < distinct.size:
            knots.add(float(distinct[i + 1]))
    rest = x[~np.isin(x, distinct[heavy])]
    if rest.size:
        knots.update(np.quantile(rest, np.linspace(0, 1, quantiles + 1)).tolist())
    result = sorted(knots)
    return result if len(result) > 1 else [result[0], result[0] + 1.0]


def impute(table: Table, medians: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Numeric columns with empty cells replaced by the stored training medians."""
    return {name: np.where(np.isnan(table.columns[name]), medians[name], table.columns[name]) for name in NUMERIC}


def design_matrix(table: Table, knots: Mapping[str, Sequence[float]], medians: Mapping[str, float]) -> np.ndarray:
    """Ramp columns per numeric feature and one-hot columns per category, in FEATURES order."""
    numeric = impute(table, medians)
    blocks = []
    for name in FEATURES:
        if name in numeric:
            k = np.asarray(knots[name])
            blocks.append(np.clip((numeric[name][:, None] - k[:-1]) / np.diff(k), 0.0, 1.0))
        else:
            blocks.append((table.columns[name][:, None] == np.array(CATEGORIES[name], dtype=object)).astype(float))
    return np.hstack(blocks)


@dataclass(frozen=True)
class Explanation:
    """One scored row: probability, its logit, the base value and each feature's contribution."""

    probability: float
    logit: float
    base_value: float
    contributions: dict[str, float]

    @property
    def band(self) -> str:
        """low | medium | high."""
        return band(self.probability)

    def top(self, n: int = 3) -> list[tuple[str, float]]:
        """The ``n`` features that move the log-odds most (either way), largest first."""
        return sorted(self.contributions.items(), key=lambda item: -abs(item[1]))[:n]


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(eq=False)
class Model:
    """A fitted risk model. ``metadata`` is the model.json dict; scoring uses its tables only."""

    metadata: dict[str, Any] = field(repr=False)
    estimator: Any = field(default=None, repr=False)
    # Per feature, in FEATURES order: (name, category lookup or None, knots, values, slopes, median).
    _plan: list[tuple[str, dict[str, float] | None, list[float], list[float], list[float], float]] = field(
        init=False, repr=False)

    def __post_init__(self) -> None:
        scoring = self.metadata["scoring"]
        medians = self.metadata["imputation"]["numeric"]
        self._base = float(scoring["base_value"])
        self._plan = []
        for name in FEATURES:
            if KINDS[name] == "category":
                self._plan.append((name, dict(scoring["categorical"][name]), [], [], [], 0.0))
            else:
                knots = [float(k) for k in scoring["numeric"][name]["knots"]]
                values = [float(v) for v in scoring["numeric"][name]["values"]]
                slopes = [(values[j + 1] - values[j]) / (knots[j + 1] - knots[j]) for j in range(len(knots) - 1)]
                self._plan.append((name, None, knots, values, slopes, float(medians[name])))

    def __repr__(self) -> str:
        return f"Model(version={self.version!r})"

    @property
    def version(self) -> str:
        """The model version (date of training and a hash of the scoring tables)."""
        return str(self.metadata["version"])

    @property
    def base_value(self) -> float:
        """The log-odds of a row whose every feature contributes zero (the training average)."""
        return self._base

    def explain(self, row: Mapping[str, Any]) -> Explanation:
        """Score one feature dict and split its logit into one additive contribution per feature.

        Empty numeric values (None, "", NaN) are imputed; unknown categories count as "other".
        Raises DataError for a missing key or an invalid value.
        """
        z = self._base
        contributions: dict[str, float] = {}
        for name, lookup, knots, values, slopes, median in self._plan:
            if name not in row:
                raise DataError("missing from the feature row", column=name)
            raw = row[name]
            if lookup is not None:
                value = lookup.get(raw)
                if value is None:
                    value = lookup[normalise_category(name, raw)]
            else:
                x = parse_number(name, raw)
                if math.isnan(x):
                    x = median
                if x <= knots[0]:
                    value = values[0]
                elif x >= knots[-1]:
                    value = values[-1]
                else:
                    j = bisect_right(knots, x) - 1
                    value = values[j] + (x - knots[j]) * slopes[j]
            contributions[name] = value
            z += value
        return Explanation(_sigmoid(z), z, self._base, contributions)

    def contributions(self, data: Table | Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
        """Per-feature contribution arrays for a batch (same tables and arithmetic as ``explain``)."""
        table = data if isinstance(data, Table) else table_from_records(data)
        out: dict[str, np.ndarray] = {}
        for name, lookup, knots, values, slopes, median in self._plan:
            column = table.columns[name]
            if lookup is not None:
                out[name] = np.array([lookup[c] if c in lookup else lookup[normalise_category(name, c)]
                                      for c in column], dtype=float)
                continue
            x = np.where(np.isnan(column), median, column)
            k, v, s = np.asarray(knots), np.asarray(values), np.asarray(slopes)
            j = np.clip(np.searchsorted(k, x, side="right") - 1, 0, len(k) - 2)
            inner = v[j] + (x - k[j]) * s[j]
            out[name] = np.where(x <= k[0], v[0], np.where(x >= k[-1], v[-1], inner))
        return out

    def logits(self, data: Table | Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Batch log-odds: the base value plus the contributions, summed in feature order."""
        parts = self.contributions(data)
        z = np.full(len(next(iter(parts.values()))), self._base)
        for name in FEATURES:
            z = z + parts[name]
        return z

    def predict_proba(self, data: Table | Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Batch probabilities of failing the first attempt (equal to ``explain`` within 1e-9)."""
        z = self.logits(data)
        e = np.exp(-np.abs(z))  # the same two branches as the scalar sigmoid, without overflow
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def scoring_tables(knots: Mapping[str, Sequence[float]], coef: np.ndarray, intercept: float, a: float, b: float,
                   train: Table, medians: Mapping[str, float]) -> dict[str, Any]:
    """Fold the coefficients and Platt's ``a``, ``b`` into per-feature tables centred on ``train``."""
    numeric = impute(train, medians)
    tables: dict[str, Any] = {"numeric": {}, "categorical": {}}
    base = a * intercept + b
    offset = 0
    for name in FEATURES:
        if name in NUMERIC:
            k = np.asarray(knots[name])
            width = len(k) - 1
            values = a * np.concatenate([[0.0], np.cumsum(coef[offset:offset + width])])
            mean = float(np.interp(numeric[name], k, values).mean())
            tables["numeric"][name] = {"knots": k.tolist(), "values": (values - mean).tolist()}
        else:
            width = len(CATEGORIES[name])
            values = a * coef[offset:offset + width]
            lookup = dict(zip(CATEGORIES[name], values.tolist(), strict=True))
            mean = float(np.mean([lookup[c] for c in train.columns[name]]))
            tables["categorical"][name] = {c: v - mean for c, v in lookup.items()}
        base += mean
        offset += width
    tables["base_value"] = float(base)
    return tables

