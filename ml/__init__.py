"""Risk of a cancellation request failing its first attempt: a calibrated additive model.

Plain scikit-learn and numpy; imports neither Flask nor the service. The service turns
an account into a feature row (FEATURES) and asks a loaded Model for a probability and
its exact per-feature explanation.

The names below are imported from their modules on first use (PEP 562), so importing
``ml`` costs nothing until a model is trained, evaluated or loaded (scikit-learn and
SciPy take seconds to import).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ml.artifact import ModelNotFound, ModelRefused, install, load_model, save_model
    from ml.drift import drift_report
    from ml.drift import status as drift_status
    from ml.evaluate import RulesBaseline, evaluate_model, metrics
    from ml.model import Explanation, Model, band
    from ml.schema import FEATURES, LABEL, DataError, Table, read_csv, table_from_records, write_csv
    from ml.synth import OBSTACLE, synthesize, write_synthetic
    from ml.train import TrainResult, train

#: public name -> (module, name in that module)
_EXPORTS: dict[str, tuple[str, str]] = {
    **{name: ("ml.artifact", name) for name in ("ModelNotFound", "ModelRefused", "install", "load_model", "save_model")},
    "drift_report": ("ml.drift", "drift_report"),
    "drift_status": ("ml.drift", "status"),
    **{name: ("ml.evaluate", name) for name in ("RulesBaseline", "evaluate_model", "metrics")},
    **{name: ("ml.model", name) for name in ("Explanation", "Model", "band")},
    **{name: ("ml.schema", name) for name in
       ("FEATURES", "LABEL", "DataError", "Table", "read_csv", "table_from_records", "write_csv")},
    **{name: ("ml.synth", name) for name in ("OBSTACLE", "synthesize", "write_synthetic")},
    **{name: ("ml.train", name) for name in ("TrainResult", "train")},
}

__all__ = [
    "FEATURES", "LABEL", "OBSTACLE", "DataError", "Explanation", "Model", "ModelNotFound", "ModelRefused",
    "RulesBaseline", "Table", "TrainResult", "band", "drift_report", "drift_status", "evaluate_model", "install",
    "load_model", "metrics", "read_csv", "save_model", "synthesize", "table_from_records", "train", "write_csv",
    "write_synthetic",
]


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'ml' has no attribute {name!r}") from None
    value = getattr(import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
