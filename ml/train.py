"""Training end to end: split, fit, evaluate against the baselines, decide the install gate."""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import joblib
import numpy as np
import scipy
import sklearn
from sklearn.model_selection import train_test_split

from ml.drift import training_bins
from ml.evaluate import BOOTSTRAP_RESAMPLES, Gate, RulesBaseline, compare, gate
from ml.fit import C_GRID, CV_FOLDS, fit_model
from ml.model import FORMAT, KIND, KNOT_QUANTILES, Model
from ml.schema import CATEGORIES, FEATURES, KINDS, LABEL, NEGATIVE_ALLOWED, DataError, Table
from ml.synth import OBSTACLE

TEST_SIZE = 0.25


@dataclass
class TrainResult:
    """A trained model with its held-out evaluation (``metrics``: model beside the two baselines)."""

    model: Model
    metrics: dict[str, dict[str, float]]
    gate: Gate
    rules: RulesBaseline
    test_labels: np.ndarray
    test_probabilities: dict[str, np.ndarray]

    @property
    def installable(self) -> bool:
        """True when the model beats rules-only (the gate passed)."""
        return self.gate.passed


def library_versions() -> dict[str, str]:
    """Versions recorded in model.json (the scikit-learn major must match at load)."""
    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "scipy": scipy.__version__, "joblib": joblib.__version__}


def feature_schema() -> list[dict[str, Any]]:
    """The feature list with types and categories, as stored in model.json."""
    out = []
    for name in FEATURES:
        entry: dict[str, Any] = {"name": name, "type": KINDS[name]}
        if name in CATEGORIES:
            entry["categories"] = CATEGORIES[name]
        else:
            entry["minimum"] = None if name in NEGATIVE_ALLOWED else 0
        out.append(entry)
    return out


def train(table: Table, seed: int = 0, *, test_size: float = TEST_SIZE,
          resamples: int = BOOTSTRAP_RESAMPLES) -> TrainResult:
    """Fit on a stratified, seeded training split; evaluate and gate on the held-out rest.

    The returned model is the one fitted on the training split (the one the metrics
    describe). Raises DataError when the table has no labels or too few of either outcome.
    """
    if table.label is None:
        raise DataError(f"training needs the label column {LABEL!r}")
    y = table.label
    if min(int(y.sum()), len(y) - int(y.sum())) < 10:
        raise DataError("training needs at least 10 rows of each outcome (failed and not failed)")
    fit_index, test_index = train_test_split(np.arange(len(y)), test_size=test_size, stratify=y, random_state=seed)
    fit_part, test_part = table.subset(np.sort(fit_index)), table.subset(np.sort(test_index))
    y_test = y[np.sort(test_index)]
    fitted = fit_model(fit_part, seed)
    rules = RulesBaseline.fit(fit_part)
    created = datetime.now(UTC).replace(microsecond=0)
    digest = hashlib.sha256(json.dumps(fitted.scoring, sort_keys=True).encode()).hexdigest()
    metadata: dict[str, Any] = {
        "format": FORMAT,
        "kind": KIND,
        "version": f"{created:%Y%m%d}-{digest[:10]}",
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "libraries": library_versions(),
        "label": LABEL,
        "features": feature_schema(),
        "imputation": {"numeric": fitted.medians, "numeric_method": "median of the training split",
                       "categorical": "empty or unknown values count as 'other'"},
        "training_data": {"sha256": table.sha256, "rows": len(table), "train_rows": len(fit_part),
                          "test_rows": len(test_part), "failure_rate": float(y.mean()), "seed": seed,
                          "synthetic": OBSTACLE in table.header},
        "fit": {"C": fitted.C, "C_grid": list(C_GRID), "cv_folds": CV_FOLDS, "cv_log_loss": fitted.cv_log_loss,
                "knot_quantiles": KNOT_QUANTILES, "calibration": fitted.calibration},
        "scoring": fitted.scoring,
    }
    model = Model(metadata, estimator=fitted.payload())
    p_model, p_rules = model.predict_proba(test_part), rules.predict(test_part)
    results = compare(y_test, p_model, rules.overall, p_rules)
    decision = gate(y_test, p_model, p_rules, seed, resamples)
    metadata.update({"metrics": results, "gate": decision.to_json(), "baselines": rules.to_json(),
                     "drift": training_bins(table)})
    return TrainResult(model, results, decision, rules, y_test,
                       {"model": p_model, "rules_only": p_rules})
