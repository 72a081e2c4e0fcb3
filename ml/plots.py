"""PNG plots for the artifact: the calibration curve and each feature's contribution shape.

Figures are drawn with matplotlib's object API on the Agg canvas, so no global backend
or pyplot state is touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ml.evaluate import ECE_BINS
from ml.model import Model
from ml.schema import FEATURES, NUMERIC


def _save(figure: Figure, path: Path) -> None:
    FigureCanvasAgg(figure)
    figure.tight_layout()
    figure.savefig(path, dpi=90, metadata={"Software": None})


def calibration_plot(path: Path, y: np.ndarray, probabilities: Mapping[str, np.ndarray]) -> None:
    """Observed failure rate against mean predicted probability in 10 equal-width bins, per predictor."""
    figure = Figure(figsize=(5.5, 5))
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfectly calibrated")
    for name, p in probabilities.items():
        index = np.minimum((p * ECE_BINS).astype(int), ECE_BINS - 1)
        used = [b for b in range(ECE_BINS) if (index == b).any()]
        mean_p = [p[index == b].mean() for b in used]
        rate = [y[index == b].mean() for b in used]
        sizes = [20 + 200 * (index == b).mean() for b in used]
        axes.plot(mean_p, rate, marker="o", label=name.replace("_", " "))
        axes.scatter(mean_p, rate, s=sizes, alpha=0.3)
    axes.set(xlim=(0, 1), ylim=(0, 1), xlabel="predicted probability of failing the first attempt",
             ylabel="observed failure rate (held-out rows)", title="Calibration (marker area ∝ rows in bin)")
    axes.legend(loc="upper left")
    _save(figure, path)


def shape_plot(path: Path, model: Model, name: str) -> None:
    """One feature's contribution to the log-odds over its training range (categories as bars)."""
    scoring = model.metadata["scoring"]
    figure = Figure(figsize=(5.5, 3.6))
    axes = figure.add_subplot()
    if name in NUMERIC:
        table = scoring["numeric"][name]
        axes.plot(table["knots"], table["values"], marker=".", color="tab:blue")
        axes.set_xlabel(f"{name} (flat beyond the ends)")
    else:
        table = scoring["categorical"][name]
        axes.bar(list(table), list(table.values()), color=["tab:red" if v > 0 else "tab:green" for v in table.values()])
        axes.set_xlabel(name)
    axes.axhline(0, color="grey", linewidth=0.8)
    axes.set_ylabel("contribution to log-odds")
    axes.set_title(f"{name}: above 0 raises the risk")
    _save(figure, path)


def write_plots(directory: Path, model: Model, y: np.ndarray, probabilities: Mapping[str, np.ndarray]) -> list[Path]:
    """Write calibration.png and shape_<feature>.png into ``directory``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "calibration.png"]
    calibration_plot(paths[0], y, probabilities)
    for name in FEATURES:
        paths.append(directory / f"shape_{name}.png")
        shape_plot(paths[-1], model, name)
    return paths
