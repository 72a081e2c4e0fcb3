"""Fixtures of the risk-model tests: one synthetic data set and one trained model per session."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import flask
import pytest
from flask.testing import FlaskCliRunner

import ml
from cancelsvc.config import Settings
from cancelsvc.risk.cli import ml_cli

TRAIN_ROWS = 6000
TRAIN_SEED = 11


@pytest.fixture(scope="session")
def synthetic_records() -> list[dict[str, Any]]:
    """Synthetic history used to train the shared model (do not mutate)."""
    return ml.synthesize(TRAIN_ROWS, TRAIN_SEED)


@pytest.fixture(scope="session")
def synthetic_table(synthetic_records: list[dict[str, Any]]) -> ml.Table:
    return ml.table_from_records(synthetic_records, require_label=True)


@pytest.fixture(scope="session")
def trained(synthetic_table: ml.Table) -> ml.TrainResult:
    """A model trained once per session on the synthetic history."""
    return ml.train(synthetic_table, seed=TRAIN_SEED)


@pytest.fixture(scope="session")
def artifact_dir(trained: ml.TrainResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared model's artifact; tests that modify files copy it first (see ``artifact_copy``)."""
    directory = tmp_path_factory.mktemp("artifact") / "model"
    ml.save_model(trained, directory)
    return directory


@pytest.fixture(scope="session")
def model(artifact_dir: Path) -> ml.Model:
    """The shared model as served: verified and loaded from its artifact."""
    return ml.load_model(artifact_dir)


@pytest.fixture
def artifact_copy(artifact_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the shared artifact, free to tamper with."""
    import shutil

    target = tmp_path / "copy"
    shutil.copytree(artifact_dir, target)
    return target


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write a CSV from a header and rows of cells (lists or dicts); returns its path."""
    counter = iter(range(1_000_000))

    def write(header: Sequence[str], rows: Sequence[Sequence[Any] | Mapping[str, Any]], name: str = "") -> Path:
        path = tmp_path / (name or f"data{next(counter)}.csv")
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                writer.writerow([row.get(h, "") for h in header] if isinstance(row, Mapping) else row)
        return path

    return write


@pytest.fixture
def cli_app(tmp_path: Path) -> Iterator[flask.Flask]:
    """A bare Flask app with only the ``ml`` command group and its own model directory."""
    app = flask.Flask("t")
    # The commands read only the settings of the services object.
    app.extensions["cancelsvc"] = SimpleNamespace(settings=Settings(CANCELSVC_MODEL_DIR=str(tmp_path / "model")))
    app.cli.add_command(ml_cli)
    yield app


@pytest.fixture
def cli(cli_app: flask.Flask) -> FlaskCliRunner:
    return cli_app.test_cli_runner()
