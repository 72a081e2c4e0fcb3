"""Risk of a cancellation request failing its first attempt: a calibrated additive model.

Plain scikit-learn and numpy; imports neither Flask nor the service. The service turns
an account into a feature row (FEATURES) and asks a loaded Model for a probability and
its exact per-feature explanation.
"""

from ml.artifact import ModelNotFound, ModelRefused, install, load_model, save_model
from ml.drift import drift_report
from ml.drift import status as drift_status
from ml.evaluate import RulesBaseline, evaluate_model, metrics
from ml.model import Explanation, Model, band
from ml.schema import FEATURES, LABEL, DataError, Table, read_csv, table_from_records, write_csv
from ml.synth import OBSTACLE, synthesize, write_synthetic
from ml.train import TrainResult, train

__all__ = [
    "FEATURES", "LABEL", "OBSTACLE", "DataError", "Explanation", "Model", "ModelNotFound", "ModelRefused",
    "RulesBaseline", "Table", "TrainResult", "band", "drift_report", "drift_status", "evaluate_model", "install",
    "load_model", "metrics", "read_csv", "save_model", "synthesize", "table_from_records", "train", "write_csv",
    "write_synthetic",
]
