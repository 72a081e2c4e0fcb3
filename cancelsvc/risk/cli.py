"""``ml synth | train | score | evaluate | drift | info``: the risk model's commands (ml.md).

The served model lives in ``CANCELSVC_MODEL_DIR``; a relative path is relative to the
current directory. Bad input and refused models end as one-line errors, never tracebacks.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click
from flask.cli import AppGroup

import ml
from cancelsvc.services import settings
from ml.card import METRIC_NAMES

ml_cli = AppGroup("ml", help="The risk model: synthetic data, training, scoring, evaluation, drift.")

F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")
R = TypeVar("R")


def _clear_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the ml package's expected errors into click errors (one line, exit status 1)."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ml.DataError as error:
            raise click.ClickException(f"bad data: {error}") from None
        except ml.ModelNotFound as error:
            raise click.ClickException(str(error)) from None
        except ml.ModelRefused as error:
            raise click.ClickException(f"model refused: {error}") from None
        except OSError as error:
            raise click.ClickException(f"{error.filename or ''}: {error.strerror or error}".lstrip(": ")) from None

    return wrapper


def served_dir() -> Path:
    """The directory of the installed model (CANCELSVC_MODEL_DIR)."""
    return Path(settings().CANCELSVC_MODEL_DIR)


def _read(path: str, require_label: bool) -> ml.Table:
    table, warnings = ml.read_csv(path, require_label=require_label)
    for warning in warnings:
        click.echo(f"warning: {path}: {warning}", err=True)
    return table


def format_metrics(metrics: Mapping[str, Mapping[str, float]]) -> str:
    """The metrics table as aligned text: one row per metric, model beside the baselines."""
    lines = [f"{'metric':<46}{'model':>10}{'rules-only':>12}{'overall rate':>14}"]
    for key, label in METRIC_NAMES.items():
        lines.append(f"{label:<46}{metrics['model'][key]:>10.4f}{metrics['rules_only'][key]:>12.4f}"
                     f"{metrics['overall_rate'][key]:>14.4f}")
    return "\n".join(lines)


def _model_dir_option(command: F) -> F:
    return click.option("--model", "model_dir", type=click.Path(file_okay=False), default=None,
                        help="Model directory (default: the installed model, CANCELSVC_MODEL_DIR).")(command)


@ml_cli.command("synth")
@click.option("--rows", type=click.IntRange(min=1), required=True, help="Number of requests to generate.")
@click.option("--seed", type=int, required=True, help="Random seed (same seed, same file).")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="CSV file to write.")
@_clear_errors
def synth(rows: int, seed: int, out: str) -> None:
    """Write synthetic request history (features, label, primary_obstacle) to a CSV file."""
    records = ml.synthesize(rows, seed)
    ml.write_synthetic(out, records)
    failed = [r[ml.OBSTACLE] for r in records if r[ml.LABEL]]
    shares = Counter(failed)
    parts = ", ".join(f"{k} {shares[k] / max(len(failed), 1):.1%}" for k in ("contract", "service", "device", "other"))
    click.echo(f"wrote {rows} rows to {out}: failed first attempt {len(failed) / rows:.1%}; "
               f"primary obstacle among failures: {parts}")


@ml_cli.command("train")
@click.option("--data", type=click.Path(dir_okay=False), required=True, help="Labelled training CSV.")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Directory for the artifact.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split, folds and bootstrap.")
@click.option("--install", is_flag=True, help="Make it the served model, only if it beats rules-only.")
@_clear_errors
def train(data: str, out: str, seed: int, install: bool) -> None:
    """Fit, calibrate and evaluate a model; write the artifact to --out."""
    table = _read(data, require_label=True)
    result = ml.train(table, seed)
    ml.save_model(result, out)
    meta = result.model.metadata
    click.echo(f"model {result.model.version} written to {out} "
               f"({meta['training_data']['train_rows']} rows fitted, {meta['training_data']['test_rows']} held out)")
    click.echo(format_metrics(result.metrics))
    click.echo(f"gate: {'passed' if result.gate.passed else 'not passed'}: {result.gate.reason}")
    if not install:
        return
    if not result.gate.passed:
        raise click.ClickException(f"not installed: {result.gate.reason}")
    target = served_dir()
    ml.install(out, target)
    click.echo(f"installed {result.model.version} into {target}")


@ml_cli.command("score")
@_model_dir_option
@click.option("--data", type=click.Path(dir_okay=False), required=True, help="CSV of feature rows.")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="CSV to write.")
@_clear_errors
def score(model_dir: str | None, data: str, out: str) -> None:
    """Write the input rows, in order, with `probability` and `band` added."""
    model = ml.load_model(model_dir or served_dir())
    table = _read(data, require_label=False)
    probabilities = model.predict_proba(table)
    header = [name for name in table.header if name not in ("probability", "band")] + ["probability", "band"]
    rows = ({**row, "probability": repr(float(p)), "band": ml.band(float(p))}
            for row, p in zip(table.rows, probabilities, strict=True))
    ml.write_csv(out, header, rows)
    bands = Counter(ml.band(float(p)) for p in probabilities)
    click.echo(f"scored {len(table)} rows with model {model.version} into {out}: "
               + ", ".join(f"{b} {bands[b]}" for b in ("low", "medium", "high")))


@ml_cli.command("evaluate")
@_model_dir_option
@click.option("--data", type=click.Path(dir_okay=False), required=True, help="Labelled CSV.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
@_clear_errors
def evaluate(model_dir: str | None, data: str, seed: int) -> None:
    """Print metrics JSON (model beside the baselines, and the gate) for labelled data."""
    model = ml.load_model(model_dir or served_dir())
    table = _read(data, require_label=True)
    click.echo(json.dumps(ml.evaluate_model(model, table, seed), indent=2))


@ml_cli.command("drift")
@_model_dir_option
@click.option("--data", type=click.Path(dir_okay=False), required=True, help="CSV of recent feature rows.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_clear_errors
def drift(model_dir: str | None, data: str, as_json: bool) -> None:
    """Population stability index per feature against the training data."""
    model = ml.load_model(model_dir or served_dir())
    report = ml.drift_report(model.metadata["drift"], _read(data, require_label=False))
    if as_json:
        click.echo(json.dumps({"model_version": model.version, "features": report}, indent=2))
        return
    click.echo(f"{'feature':<28}{'PSI':>8}  status")
    for entry in report:
        click.echo(f"{entry['feature']:<28}{entry['psi']:>8.4f}  {entry['status']}")
    worst = max(report, key=lambda entry: entry["psi"])
    click.echo(f"largest: {worst['feature']} ({worst['status']}); < 0.1 stable, 0.1–0.25 watch, > 0.25 retrain")


@ml_cli.command("info")
def info() -> None:
    """Show the installed model's metadata, or why the service runs rules-only."""
    directory = served_dir()
    try:
        model = ml.load_model(directory)
    except ml.ModelNotFound:
        click.echo(f"no model installed — rules-only (looked in {directory})")
        return
    except ml.ModelRefused as error:
        raise click.ClickException(f"model refused: {error} — the service runs rules-only") from None
    meta = model.metadata
    data = meta["training_data"]
    click.echo(f"model {model.version} in {directory}")
    click.echo(f"created {meta['created_at']} with " + ", ".join(f"{k} {v}" for k, v in meta["libraries"].items()))
    click.echo(f"trained on {data['rows']} rows ({'synthetic' if data.get('synthetic') else 'operator data'}), "
               f"SHA-256 {data['sha256']}")
    click.echo(format_metrics(meta["metrics"]))
    click.echo(f"gate: {meta['gate']['reason']}")
