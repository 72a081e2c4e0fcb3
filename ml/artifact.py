"""The model artifact: save a trained model to a directory, verify and load it, install it.

A directory holds ``model.joblib`` (the fitted scikit-learn estimator with its knots and
calibration), ``MODEL_CARD.md``, ``plots/*.png`` and ``model.json``, which records the
SHA-256 of every other file and a hash of its own content. Loading checks all of them
and the scikit-learn major version before unpickling anything.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ml.card import render_card
from ml.model import FORMAT, KIND, Model
from ml.schema import CATEGORIES, FEATURES, NUMERIC, Table

if TYPE_CHECKING:
    from ml.train import TrainResult

# joblib and scikit-learn are imported where a model is written or read: a process that
# never loads a model (a command, a service without one) does not pay seconds for them.

log = logging.getLogger(__name__)

METADATA = "model.json"
ESTIMATOR = "model.joblib"
CARD = "MODEL_CARD.md"
PLOTS = "plots"
TOLERANCE = 1e-9


class ModelRefused(Exception):
    """A model directory that must not be served; the message says why."""


class ModelNotFound(ModelRefused):
    """No model in the directory (the service then runs rules-only)."""


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _self_hash(metadata: Mapping[str, Any]) -> str:
    body = {k: v for k, v in metadata.items() if k != "metadata_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def save_model(result: TrainResult, directory: str | Path) -> Path:
    """Write the artifact of ``result`` into ``directory`` (created if needed); returns model.json's path."""
    import joblib

    from ml.plots import write_plots  # matplotlib is only needed here

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model = result.model
    joblib.dump(model.estimator, directory / ESTIMATOR)
    written = [directory / ESTIMATOR]
    written += write_plots(directory / PLOTS, model, result.test_labels, result.test_probabilities)
    metadata = model.metadata
    (directory / CARD).write_text(render_card(metadata), encoding="utf-8")
    written.append(directory / CARD)
    metadata["files"] = {path.relative_to(directory).as_posix(): sha256_file(path) for path in written}
    metadata["metadata_sha256"] = _self_hash(metadata)
    path = directory / METADATA
    path.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def read_metadata(directory: str | Path) -> dict[str, Any]:
    """model.json of ``directory``, checked against its own hash; raises ModelNotFound / ModelRefused."""
    path = Path(directory) / METADATA
    if not path.is_file():
        raise ModelNotFound(f"no model in {directory} ({METADATA} not found)")
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelRefused(f"{path}: not readable JSON ({error})") from None
    if not isinstance(metadata, dict) or metadata.get("kind") != KIND or metadata.get("format") != FORMAT:
        raise ModelRefused(f"{path}: not a cancelsvc risk model of format {FORMAT}")
    if metadata.get("metadata_sha256") != _self_hash(metadata):
        raise ModelRefused(f"{path}: content does not match its recorded SHA-256 (edited after training)")
    return metadata


def _check_tables(model: Model, rows: int = 8) -> None:
    from ml.fit import estimator_logits

    # Rows spread over every knot interval, scored by the tables and by the estimator itself.
    columns: dict[str, np.ndarray] = {}
    for name in FEATURES:
        if name in NUMERIC:
            knots = model.metadata["scoring"]["numeric"][name]["knots"]
            j = [(i * (len(knots) - 1)) // rows for i in range(rows)]
            columns[name] = np.array([knots[k] + 0.37 * (knots[k + 1] - knots[k]) for k in j])
        else:
            categories = CATEGORIES[name]
            columns[name] = np.array([categories[i % len(categories)] for i in range(rows)], dtype=object)
    table = Table(columns, None)
    gap = float(np.max(np.abs(estimator_logits(model.estimator, table) - model.logits(table))))
    if not gap <= TOLERANCE:
        raise ModelRefused(f"the scoring tables in {METADATA} do not match {ESTIMATOR} (logit gap {gap:.3g})")


def load_model(directory: str | Path) -> Model:
    """Verify and load a model directory.

    Raises ModelNotFound when there is no model.json, and ModelRefused when a file is
    missing or its SHA-256 differs from model.json, when model.json itself was edited, or
    when the model was built with another major scikit-learn version.
    """
    import joblib
    import sklearn

    directory = Path(directory)
    metadata = read_metadata(directory)
    for name, expected in sorted(metadata.get("files", {}).items()):
        path = directory / name
        if not path.is_file():
            raise ModelRefused(f"{name} is missing from {directory}")
        if sha256_file(path) != expected:
            raise ModelRefused(f"{name} does not match its SHA-256 in {METADATA} (changed after training)")
    if ESTIMATOR not in metadata.get("files", {}):
        raise ModelRefused(f"{METADATA} does not list {ESTIMATOR}")
    built = str(metadata.get("libraries", {}).get("scikit-learn", "unknown"))
    if _major(built) != _major(sklearn.__version__):
        raise ModelRefused(f"built with scikit-learn {built}, this installation has {sklearn.__version__} "
                           "(another major version); retrain the model")
    if built != sklearn.__version__:
        log.warning("risk model built with scikit-learn %s, running %s", built, sklearn.__version__)
    model = Model(metadata, estimator=joblib.load(directory / ESTIMATOR))
    _check_tables(model)
    return model


def install(source: str | Path, target: str | Path) -> Model:
    """Copy a verified, gate-passing artifact to ``target`` (the served directory), replacing it.

    The copy is made beside the target and renamed into place, so a reader never sees a
    half-copied model. Raises ModelRefused when the source does not load or did not pass.
    """
    source, target = Path(source).resolve(), Path(target).resolve()
    model = load_model(source)
    if not model.metadata.get("gate", {}).get("passed"):
        raise ModelRefused(f"not installable: {model.metadata.get('gate', {}).get('reason', 'no gate decision')}")
    if source == target:
        return model
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.parent / f".{target.name}.incoming-{os.getpid()}"
    previous = target.parent / f".{target.name}.previous-{os.getpid()}"
    shutil.rmtree(incoming, ignore_errors=True)
    shutil.copytree(source, incoming)
    if target.exists():
        os.replace(target, previous)
    os.replace(incoming, target)
    shutil.rmtree(previous, ignore_errors=True)
    return load_model(target)
