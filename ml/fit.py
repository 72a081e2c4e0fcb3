"""Fitting: knots, the L2 strength by cross-validation, Platt calibration on out-of-fold logits."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from ml.model import KNOT_QUANTILES, Model, choose_knots, design_matrix, scoring_tables
from ml.schema import NUMERIC, DataError, Table

C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
CV_FOLDS = 4
MAX_ITER = 2000


@dataclass
class Fitted:
    """What fitting produced: the plain-data parts of model.json and the sklearn estimator."""

    knots: dict[str, list[float]]
    medians: dict[str, float]
    scoring: dict[str, Any]
    estimator: LogisticRegression
    calibration: dict[str, float]
    C: float
    cv_log_loss: dict[str, float]

    def model(self) -> Model:
        """A servable Model with only the scoring tables and imputation (no artifact metadata)."""
        return Model({"version": "unsaved", "scoring": self.scoring, "imputation": {"numeric": self.medians}},
                     estimator=self.payload())

    def payload(self) -> dict[str, Any]:
        """What model.joblib stores: the estimator with the knots, medians and calibration it needs."""
        return {"knots": self.knots, "medians": self.medians, "estimator": self.estimator,
                "calibration": self.calibration}


def _log_loss(y: np.ndarray, z: np.ndarray) -> float:
    # log(1 + e^-z) for y = 1 and log(1 + e^z) for y = 0, computed stably.
    return float(np.mean(np.logaddexp(0.0, np.where(y == 1, -z, z))))


def platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling: ``a``, ``b`` of the logistic regression of ``y`` on the logit ``z``."""
    lr = LogisticRegression(C=1e6, max_iter=MAX_ITER).fit(z.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def _regression(C: float) -> LogisticRegression:
    # Newton-Cholesky converges in a handful of exact steps on a few hundred columns.
    return LogisticRegression(C=C, solver="newton-cholesky", tol=1e-8, max_iter=MAX_ITER)


def fit_model(table: Table, seed: int) -> Fitted:
    """Fit the calibrated additive model on every row of ``table`` (which must be labelled).

    The L2 strength C is the one of C_GRID with the lowest out-of-fold log loss after Platt
    scaling (stratified CV_FOLDS-fold, seeded); Platt's a and b come from those same
    out-of-fold logits, so calibration never sees a row's own fit.
    """
    y = table.label
    if y is None:
        raise DataError("training needs the label column")
    positives = int(y.sum())
    if min(positives, len(y) - positives) < 2 * CV_FOLDS:
        raise DataError(f"too few rows of each outcome to train ({positives} failed, {len(y) - positives} not)")
    medians = {}
    for name in NUMERIC:
        column = table.columns[name]
        medians[name] = float(np.median(column[~np.isnan(column)])) if (~np.isnan(column)).any() else 0.0
    knots = {name: choose_knots(table.columns[name], KNOT_QUANTILES) for name in NUMERIC}
    X = design_matrix(table, knots, medians)
    folds = list(StratifiedKFold(CV_FOLDS, shuffle=True, random_state=seed).split(X, y))
    oof = {C: np.empty(len(y)) for C in C_GRID}
    # One BLAS thread: at this size threads gain little, and on a busy machine they cost a lot.
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        for fit_index, held_index in folds:
            for C in C_GRID:
                regression = _regression(C).fit(X[fit_index], y[fit_index])
                oof[C][held_index] = regression.decision_function(X[held_index])
        scores = {}
        for C in C_GRID:
            a, b = platt(oof[C], y)
            scores[C] = _log_loss(y, a * oof[C] + b)
        best = min(C_GRID, key=lambda C: scores[C])
        a, b = platt(oof[best], y)
        estimator = _regression(best).fit(X, y)
    scoring = scoring_tables(knots, estimator.coef_[0], float(estimator.intercept_[0]), a, b, table, medians)
    return Fitted(knots, medians, scoring, estimator, {"a": a, "b": b}, best,
                  {str(C): round(score, 6) for C, score in scores.items()})


def estimator_logits(payload: dict[str, Any], table: Table) -> np.ndarray:
    """Calibrated logits straight from the stored sklearn estimator (used to check the tables)."""
    X = design_matrix(table, payload["knots"], payload["medians"])
    calibration = payload["calibration"]
    return calibration["a"] * payload["estimator"].decision_function(X) + calibration["b"]
