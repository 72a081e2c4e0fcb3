"""A random additive, non-linear process on the feature row: the recovery check's ground truth.

Unlike ``ml synth`` (obstacles that fire, hidden causes), the label here is drawn from
``sigmoid(c + Σ g_f(x_f))`` with a random shape ``g_f`` per feature: smooth waves, steps
at random thresholds, or both, for numeric features; random values for categories.
Features keep the realistic distributions of the synthetic generator. Since the true
probability of every row is known, a model's AUC can be compared with the best
achievable AUC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.schema import CATEGORICAL, CATEGORIES, FEATURES, LABEL, NUMERIC, Table
from ml.synth import sample_features

LOG_ODDS_SD = 1.0
FAILURE_RATE = 0.34


@dataclass(frozen=True)
class Shape:
    """One numeric feature's random shape, a function of the feature's mid-rank in a reference sample."""

    reference: np.ndarray
    waves: tuple[tuple[float, float, float], ...]  # (amplitude, frequency, phase)
    steps: tuple[tuple[float, float], ...]  # (threshold on the mid-rank, jump)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        n = len(self.reference)
        u = (np.searchsorted(self.reference, x, "left") + np.searchsorted(self.reference, x, "right")) / (2 * n)
        out = np.zeros(len(x))
        for amplitude, frequency, phase in self.waves:
            out += amplitude * np.sin(np.pi * frequency * u + phase)
        for threshold, jump in self.steps:
            out += jump * (u > threshold)
        return out


@dataclass(frozen=True)
class AdditiveProcess:
    """Random shapes for every feature, an intercept and a scale, fixed by a seed."""

    shapes: dict[str, Shape]
    category_values: dict[str, dict[str, float]]
    scale: float
    intercept: float

    @classmethod
    def random(cls, seed: int) -> AdditiveProcess:
        """Draw a process: each numeric shape is smooth, stepped or both; log-odds scaled to SD 1."""
        rng = np.random.default_rng(seed)
        reference = sample_features(rng, 20_000)
        shapes = {}
        for name in NUMERIC:
            kind = rng.choice(["smooth", "steps", "both"])
            waves = tuple((float(rng.normal(0, 1)), float(rng.uniform(0.5, 3)), float(rng.uniform(0, 2 * np.pi)))
                          for _ in range(rng.integers(1, 3))) if kind != "steps" else ()
            steps = tuple((float(rng.uniform(0.05, 0.95)), float(rng.normal(0, 1)))
                          for _ in range(rng.integers(1, 4))) if kind != "smooth" else ()
            shapes[name] = Shape(np.sort(reference[name].astype(float)), waves, steps)
        categories = {name: {c: float(rng.normal(0, 0.7)) for c in CATEGORIES[name]} for name in CATEGORICAL}
        process = cls(shapes, categories, 1.0, 0.0)
        raw = process.raw_log_odds(reference)
        scale = LOG_ODDS_SD / raw.std()
        low, high = -10.0, 10.0
        for _ in range(60):  # bisection: the intercept that gives FAILURE_RATE on the reference sample
            mid = (low + high) / 2
            rate = np.mean(1 / (1 + np.exp(-(mid + scale * (raw - raw.mean())))))
            low, high = (mid, high) if rate < FAILURE_RATE else (low, mid)
        return cls(shapes, categories, float(scale), float(mid - scale * raw.mean()))

    def raw_log_odds(self, x: dict[str, np.ndarray]) -> np.ndarray:
        """Σ g_f(x_f) before scaling."""
        total = np.zeros(len(x[FEATURES[0]]))
        for name in FEATURES:
            if name in self.shapes:
                total += self.shapes[name](x[name].astype(float))
            else:
                total += np.array([self.category_values[name][c] for c in x[name]])
        return total

    def sample(self, rows: int, seed: int) -> tuple[Table, np.ndarray]:
        """``rows`` labelled rows and their true probabilities."""
        rng = np.random.default_rng(seed)
        x = sample_features(rng, rows)
        p = 1 / (1 + np.exp(-(self.intercept + self.scale * self.raw_log_odds(x))))
        y = (rng.random(rows) < p).astype(np.int8)
        columns = {name: (x[name].astype(float) if name in NUMERIC else x[name].astype(object)) for name in FEATURES}
        return Table(columns, y, header=[*FEATURES, LABEL]), p
