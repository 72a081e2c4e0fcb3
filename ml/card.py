"""MODEL_CARD.md: what the model is for, what it was trained on, how good it is, and its limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ml.schema import FEATURES

METRIC_NAMES = {"roc_auc": "ROC AUC (higher is better)", "log_loss": "log loss (lower is better)",
                "brier": "Brier score (lower is better)", "ece": "calibration error, 10 bins (lower is better)"}


_SYNTHETIC = [
    "**These metrics measure how well the model recovers the synthetic generator, not",
    "real-world accuracy.** No operator data ships with the service; the default model is trained on",
    "the documented generator, whose rates follow published figures (about 34% of requests fail on the",
    "first attempt; obstacles: contract/penalty ~41%, value-added services ~33%, devices ~26%).",
]
_OPERATOR = [
    "**These metrics are measured on held-out rows of the same export.** They describe past requests",
    "of this operator; they say nothing about a population that has since changed (see drift below).",
    "Metrics of a model trained on synthetic history would only measure recovery of the generator.",
]


def metrics_table(metrics: Mapping[str, Mapping[str, float]]) -> list[str]:
    """The metrics as Markdown table lines: one row per metric, model beside the baselines."""
    lines = ["| metric | model | rules-only | overall rate |", "| --- | ---: | ---: | ---: |"]
    for key, label in METRIC_NAMES.items():
        lines.append(f"| {label} | {metrics['model'][key]:.4f} | {metrics['rules_only'][key]:.4f} "
                     f"| {metrics['overall_rate'][key]:.4f} |")
    return lines


def _spread(scoring: Mapping[str, Any], name: str) -> float:
    table = scoring["numeric"].get(name)
    values = table["values"] if table else list(scoring["categorical"][name].values())
    return max(values) - min(values)


def render_card(metadata: Mapping[str, Any]) -> str:
    """The model card as Markdown, from the model.json metadata."""
    data, fit, gate = metadata["training_data"], metadata["fit"], metadata["gate"]
    libraries = ", ".join(f"{k} {v}" for k, v in metadata["libraries"].items())
    ranked = sorted(FEATURES, key=lambda name: -_spread(metadata["scoring"], name))
    source = ("synthetic history from `flask --app wsgi ml synth` (it has the generator's `primary_obstacle` column)"
              if data.get("synthetic") else "an operator export (no `primary_obstacle` column)")
    low, high = gate["interval_95"]
    lines = [
        f"# Model card: cancellation first-attempt risk, version {metadata['version']}",
        "",
        f"Created {metadata['created_at']} with {libraries}.",
        "",
        "## Intended use",
        "",
        "Estimates the probability that a cancellation request will not complete on its first attempt, at",
        "pre-check time, from the account's feature row (docs/risk-model.md). Operators use it to send",
        "high-risk requests (band high, p ≥ 0.5) to a clerk early; customers see the factors that push",
        "their risk most in plain words. It never blocks or delays a cancellation: the rules decide what",
        "must be done, the model only says how likely it is that something will still go wrong.",
        "",
        "Not for: judging customers, pricing, retention offers, or any decision about a person beyond",
        "offering earlier help.",
        "",
        "## Data",
        "",
        f"- Training file: {data['rows']} rows, SHA-256 `{data['sha256']}`; source: {source}.",
        f"- Failure rate {data['failure_rate']:.3f}. Stratified split with seed {data['seed']}: "
        f"{data['train_rows']} rows to fit, {data['test_rows']} held out for the metrics below.",
        "",
        *(_SYNTHETIC if data.get("synthetic") else _OPERATOR),
        "",
        "## Metrics (held-out rows)",
        "",
        *metrics_table(metadata["metrics"]),
        "",
        "Rules-only is the training failure rate per combination of the eight rule flags, shrunk towards the",
        "overall rate (empirical-Bayes pseudo-count "
        f"{metadata['baselines']['pseudo_count']:.1f}).",
        "",
        f"Install gate: {'passed' if gate['passed'] else 'NOT passed'}. Per-row log loss, model − rules-only: "
        f"mean {gate['mean_log_loss_difference']:+.4f}, paired-bootstrap 95% interval [{low:+.4f}, {high:+.4f}] "
        f"({gate['resamples']} resamples); the model is installable only when the interval lies below zero.",
        "",
        "Plots: `plots/calibration.png` (observed rate against predicted probability) and",
        "`plots/shape_<feature>.png`",
        "(each feature's contribution to the log-odds).",
        "",
        "## How it works",
        "",
        "A generalised additive logistic model: a piecewise-linear function of each numeric feature on",
        f"quantile knots ({fit['knot_quantiles']} quantiles plus point masses), one value per category,",
        f"L2 strength C = {fit['C']} chosen by {fit['cv_folds']}-fold cross-validation, then Platt scaling",
        f"(a = {fit['calibration']['a']:.4f}, b = {fit['calibration']['b']:.4f}) fitted on out-of-fold logits and",
        "folded into the tables. The log-odds is exactly the base value plus one contribution per feature,",
        "so every explanation adds up. Empty numeric cells take the training median; empty or unknown",
        "categories count as `other`.",
        "",
        "Features by the range of their contribution (largest first): " + ", ".join(ranked) + ".",
        "",
        "## Limits",
        "",
        "- It cannot see what the data does not record (an unrecorded third-party subscription, a wrong",
        "  device record, a customer giving up the video check); those are why no model is near certain.",
        "- Additive: effects of two features together are the sum of their separate effects.",
        "- Outside the training range a feature's contribution stays at its value at the nearest end.",
        "- The population moves: check `flask --app wsgi ml drift` on recent requests (PSI < 0.1 stable,",
        "  0.1–0.25 watch, > 0.25 retrain).",
        "",
        "## How to retrain",
        "",
        "```",
        "flask --app wsgi ml export --out history.csv            # or: ml synth --rows 20000 --seed 1 --out history.csv",
        "flask --app wsgi ml train --data history.csv --out model-new --seed 1",
        "flask --app wsgi ml train --data history.csv --out model-new --seed 1 --install   # only if the gate passes",
        "flask --app wsgi ml info",
        "```",
        "",
    ]
    return "\n".join(lines)
