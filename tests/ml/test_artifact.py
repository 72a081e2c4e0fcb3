"""The artifact: layout, round trip, refusal of tampered files and other scikit-learn majors, install."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

import ml
from ml import artifact
from ml.artifact import sha256_file


def rewrite_metadata(directory: Path, change) -> None:
    """Edit model.json and re-seal its own hash, as a careful forger (or an old build) would."""
    path = directory / "model.json"
    metadata = json.loads(path.read_text(encoding="utf-8"))
    change(metadata)
    metadata["metadata_sha256"] = artifact._self_hash(metadata)
    path.write_text(json.dumps(metadata), encoding="utf-8")


def test_layout_and_metadata(artifact_dir: Path, model: ml.Model) -> None:
    names = {p.relative_to(artifact_dir).as_posix() for p in artifact_dir.rglob("*") if p.is_file()}
    plots = {f"plots/shape_{name}.png" for name in ml.FEATURES} | {"plots/calibration.png"}
    assert names == {"model.json", "model.joblib", "MODEL_CARD.md"} | plots
    meta = model.metadata
    assert set(meta["files"]) == names - {"model.json"}
    assert all(sha256_file(artifact_dir / name) == digest for name, digest in meta["files"].items())
    assert [f["name"] for f in meta["features"]] == ml.FEATURES
    assert {"python", "scikit-learn", "numpy"} <= set(meta["libraries"])
    assert set(meta["imputation"]["numeric"]) == set(ml.FEATURES) - {
        "channel", "segment", "family_role", "payment_method"}
    assert len(meta["training_data"]["sha256"]) == 64 and meta["training_data"]["synthetic"]
    assert set(meta["metrics"]) == {"model", "rules_only", "overall_rate"}
    assert set(meta["drift"]) == set(ml.FEATURES)
    assert model.version == meta["version"] and model.version.split("-")[0].isdigit()


def test_model_card_states_what_the_metrics_mean(artifact_dir: Path, trained: ml.TrainResult) -> None:
    card = (artifact_dir / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "These metrics measure how well the model recovers the synthetic generator, not\nreal-world accuracy" in card
    for heading in ("## Intended use", "## Data", "## Metrics", "## Limits", "## How to retrain"):
        assert heading in card
    assert f"{trained.metrics['model']['roc_auc']:.4f}" in card
    assert f"{trained.metrics['rules_only']['log_loss']:.4f}" in card


def test_model_card_of_operator_data_says_what_its_metrics_mean(model: ml.Model) -> None:
    from ml.card import render_card

    metadata = json.loads(json.dumps(model.metadata))
    metadata["training_data"]["synthetic"] = False
    card = render_card(metadata)
    assert "held-out rows of the same export" in card and "an operator export" in card
    assert "These metrics measure how well the model recovers" not in card


def test_loaded_model_scores_like_the_trained_one(model: ml.Model, trained: ml.TrainResult,
                                                  synthetic_table: ml.Table) -> None:
    assert np.array_equal(model.predict_proba(synthetic_table), trained.model.predict_proba(synthetic_table))


@pytest.mark.parametrize("name", ["model.joblib", "plots/calibration.png", "MODEL_CARD.md"])
def test_a_changed_file_is_refused(artifact_copy: Path, name: str) -> None:
    with open(artifact_copy / name, "ab") as fh:
        fh.write(b"\n")
    with pytest.raises(ml.ModelRefused, match=f"{name} does not match its SHA-256"):
        ml.load_model(artifact_copy)


def test_a_missing_file_is_refused(artifact_copy: Path) -> None:
    (artifact_copy / "plots" / "shape_channel.png").unlink()
    with pytest.raises(ml.ModelRefused, match="plots/shape_channel.png is missing"):
        ml.load_model(artifact_copy)


def test_an_edited_model_json_is_refused(artifact_copy: Path) -> None:
    path = artifact_copy / "model.json"
    metadata = json.loads(path.read_text(encoding="utf-8"))
    metadata["scoring"]["base_value"] += 1
    path.write_text(json.dumps(metadata), encoding="utf-8")
    with pytest.raises(ml.ModelRefused, match="edited after training"):
        ml.load_model(artifact_copy)


def test_resealed_tables_that_disagree_with_the_estimator_are_refused(artifact_copy: Path) -> None:
    rewrite_metadata(artifact_copy, lambda m: m["scoring"].update(base_value=m["scoring"]["base_value"] + 0.5))
    with pytest.raises(ml.ModelRefused, match="do not match model.joblib"):
        ml.load_model(artifact_copy)


def test_another_scikit_learn_major_is_refused(artifact_copy: Path) -> None:
    rewrite_metadata(artifact_copy, lambda m: m["libraries"].update({"scikit-learn": "2.0.0"}))
    with pytest.raises(ml.ModelRefused, match=r"scikit-learn 2\.0\.0.*another major version"):
        ml.load_model(artifact_copy)


def test_another_minor_version_loads_with_a_warning(artifact_copy: Path, caplog) -> None:
    rewrite_metadata(artifact_copy, lambda m: m["libraries"].update({"scikit-learn": "1.0.2"}))
    with caplog.at_level(logging.WARNING, logger="ml.artifact"):
        ml.load_model(artifact_copy)
    assert "built with scikit-learn 1.0.2" in caplog.text


def test_no_model_and_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(ml.ModelNotFound, match="no model in"):
        ml.load_model(tmp_path / "absent")
    (tmp_path / "model.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ml.ModelRefused, match="not readable JSON"):
        ml.load_model(tmp_path)
    (tmp_path / "model.json").write_text('{"kind": "something else"}', encoding="utf-8")
    with pytest.raises(ml.ModelRefused, match="not a cancelsvc risk model"):
        ml.load_model(tmp_path)


def test_install_replaces_the_served_model(artifact_dir: Path, tmp_path: Path, model: ml.Model) -> None:
    served = tmp_path / "served" / "model"
    installed = ml.install(artifact_dir, served)
    assert installed.version == model.version
    (served / "stale.txt").write_text("from the previous model", encoding="utf-8")
    ml.install(artifact_dir, served)
    assert not (served / "stale.txt").exists()
    assert sorted(p.name for p in served.parent.iterdir()) == ["model"]  # no temporary leftovers


def test_install_refuses_a_model_that_failed_the_gate(artifact_copy: Path, tmp_path: Path) -> None:
    rewrite_metadata(artifact_copy, lambda m: m["gate"].update(passed=False, reason="no better than rules"))
    with pytest.raises(ml.ModelRefused, match="not installable: no better than rules"):
        ml.install(artifact_copy, tmp_path / "served")
    assert not (tmp_path / "served").exists()


def test_ml_imports_neither_flask_nor_the_service() -> None:
    import subprocess
    import sys

    code = ("import sys, ml; bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'cancelsvc', 'models')];"
            "assert not bad, bad; assert 'matplotlib' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
