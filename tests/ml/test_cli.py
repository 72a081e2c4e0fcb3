"""``flask ml …`` commands on a bare app with only the ml group registered."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

import ml


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def history(synthetic_records: list[dict], tmp_path: Path) -> Path:
    path = tmp_path / "history.csv"
    ml.write_synthetic(path, synthetic_records)
    return path


def test_synth_writes_the_documented_columns(cli: FlaskCliRunner, tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    result = cli.invoke(args=["ml", "synth", "--rows", "500", "--seed", "4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 500 rows" in result.output and "primary obstacle among failures: contract" in result.output
    rows = read_rows(out)
    assert len(rows) == 500
    assert list(rows[0]) == [*ml.FEATURES, ml.LABEL, "primary_obstacle"]
    again = tmp_path / "again.csv"
    cli.invoke(args=["ml", "synth", "--rows", "500", "--seed", "4", "--out", str(again)])
    assert again.read_bytes() == out.read_bytes()


def test_synth_creates_the_folder_it_writes_to(cli: FlaskCliRunner, tmp_path: Path) -> None:
    out = tmp_path / "instance" / "synthetic-history.csv"  # a fresh checkout has no instance/
    result = cli.invoke(args=["ml", "synth", "--rows", "50", "--seed", "4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(read_rows(out)) == 50


def test_train_and_install_then_info_and_score_use_the_served_model(
        cli: FlaskCliRunner, cli_app: Flask, history: Path, tmp_path: Path) -> None:
    served = Path(cli_app.extensions["cancelsvc"].settings.CANCELSVC_MODEL_DIR)
    assert "no model installed — rules-only" in cli.invoke(args=["ml", "info"]).output
    out = tmp_path / "artifact"
    result = cli.invoke(args=["ml", "train", "--data", str(history), "--out", str(out), "--seed", "11", "--install"])
    assert result.exit_code == 0, result.output
    assert "ROC AUC" in result.output and "rules-only" in result.output and "gate: passed" in result.output
    assert "installed" in result.output and (served / "model.json").is_file()
    info = cli.invoke(args=["ml", "info"])
    version = ml.load_model(served).version
    assert info.exit_code == 0 and f"model {version}" in info.output and "scikit-learn" in info.output
    scored = tmp_path / "scored.csv"
    result = cli.invoke(args=["ml", "score", "--data", str(history), "--out", str(scored)])
    assert result.exit_code == 0, result.output
    assert version in result.output


def test_install_is_refused_when_the_model_does_not_beat_rules_only(
        cli: FlaskCliRunner, cli_app: Flask, synthetic_records: list[dict], tmp_path: Path) -> None:
    records = synthetic_records[:3000]
    noise = np.random.default_rng(9).random(len(records)) < 0.34
    data = tmp_path / "noise.csv"
    ml.write_synthetic(data, [{**r, ml.LABEL: int(n)} for r, n in zip(records, noise, strict=True)])
    result = cli.invoke(args=["ml", "train", "--data", str(data), "--out", str(tmp_path / "m"), "--install"])
    assert result.exit_code == 1
    assert "Error: not installed: model does not beat rules-only" in result.output
    assert "Traceback" not in result.output
    assert not Path(cli_app.extensions["cancelsvc"].settings.CANCELSVC_MODEL_DIR).exists()
    assert (tmp_path / "m" / "model.json").is_file()  # the artifact is still written, for inspection


def test_score_keeps_rows_in_order_and_adds_probability_and_band(
        cli: FlaskCliRunner, artifact_dir: Path, model: ml.Model, history: Path, tmp_path: Path) -> None:
    out = tmp_path / "scored.csv"
    result = cli.invoke(args=["ml", "score", "--model", str(artifact_dir), "--data", str(history), "--out", str(out)])
    assert result.exit_code == 0, result.output
    original, scored = read_rows(history), read_rows(out)
    assert len(scored) == len(original)
    assert list(scored[0]) == [*original[0], "probability", "band"]
    for before, after in zip(original[:300], scored[:300], strict=True):
        assert {k: after[k] for k in before} == before
        features = {k: before[k] for k in ml.FEATURES}
        explanation = model.explain(features)
        assert abs(float(after["probability"]) - explanation.probability) <= 1e-9
        assert after["band"] == explanation.band


def test_evaluate_prints_metrics_json(cli: FlaskCliRunner, artifact_dir: Path, history: Path) -> None:
    result = cli.invoke(args=["ml", "evaluate", "--model", str(artifact_dir), "--data", str(history)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report["metrics"]) == {"model", "rules_only", "overall_rate"}
    assert set(report["metrics"]["model"]) == {"roc_auc", "log_loss", "brier", "ece"}
    assert report["rows"] == len(read_rows(history))


def test_drift_table_and_json(cli: FlaskCliRunner, artifact_dir: Path, history: Path) -> None:
    table = cli.invoke(args=["ml", "drift", "--model", str(artifact_dir), "--data", str(history)])
    assert table.exit_code == 0, table.output
    assert "tenure_months" in table.output and "stable" in table.output
    result = cli.invoke(args=["ml", "drift", "--model", str(artifact_dir), "--data", str(history), "--json"])
    report = json.loads(result.stdout)
    assert [e["feature"] for e in report["features"]] == ml.FEATURES
    assert all(e["status"] == "stable" for e in report["features"])


def test_bad_data_is_a_one_line_error(cli: FlaskCliRunner, artifact_dir: Path, history: Path, tmp_path: Path) -> None:
    rows = read_rows(history)[:5]
    rows[3]["tenure_months"] = "-4"
    bad = tmp_path / "bad.csv"
    ml.write_csv(bad, list(rows[0]), rows)
    result = cli.invoke(args=["ml", "score", "--model", str(artifact_dir), "--data", str(bad), "--out",
                              str(tmp_path / "o.csv")])
    assert result.exit_code == 1
    assert "Error: bad data: row 4 (line 5), column 'tenure_months': '-4' is negative" in result.output
    assert "Traceback" not in result.output
    unlabelled = tmp_path / "unlabelled.csv"
    ml.write_csv(unlabelled, ml.FEATURES, rows)
    result = cli.invoke(args=["ml", "train", "--data", str(unlabelled), "--out", str(tmp_path / "m")])
    assert result.exit_code == 1 and "missing required column(s): failed_first_attempt" in result.output


def test_refused_model_is_a_clear_error(cli: FlaskCliRunner, cli_app: Flask, artifact_dir: Path,
                                        history: Path, tmp_path: Path) -> None:
    ml.install(artifact_dir, cli_app.extensions["cancelsvc"].settings.CANCELSVC_MODEL_DIR)
    with open(Path(cli_app.extensions["cancelsvc"].settings.CANCELSVC_MODEL_DIR) / "model.joblib", "ab") as fh:
        fh.write(b"x")
    info = cli.invoke(args=["ml", "info"])
    assert info.exit_code == 1
    assert "model refused: model.joblib does not match its SHA-256" in info.output
    assert "rules-only" in info.output and "Traceback" not in info.output
    score = cli.invoke(args=["ml", "score", "--data", str(history), "--out", str(tmp_path / "o.csv")])
    assert score.exit_code == 1 and "Error: model refused:" in score.output
    missing = cli.invoke(args=["ml", "evaluate", "--model", str(tmp_path / "nowhere"), "--data", str(history)])
    assert missing.exit_code == 1 and "Error: no model in" in missing.output
