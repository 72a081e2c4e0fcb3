"""Risk model figures: training time, one-row scoring latency, online/batch agreement, recovery.

Usage: python bench/ml_bench.py [--rows 20000] [--calls 5000] [--seeds 1 2 3]
Prints (a) the time of ``ml.train`` (and of writing the artifact) on synthetic rows,
(b) p50/p95 of scoring and explaining one row in-process and the largest difference
between that and batch scoring, (c) recovery of random additive non-linear processes
(not the ``ml synth`` generator): the model's held-out AUC against the AUC of the true
probabilities, and its calibration error.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.metrics import roc_auc_score  # noqa: E402

import ml  # noqa: E402
from ml.evaluate import expected_calibration_error  # noqa: E402
from ml.fit import fit_model  # noqa: E402
from ml.recovery import AdditiveProcess  # noqa: E402


def training(rows: int) -> ml.Model:
    records = ml.synthesize(rows, 1)
    failed = Counter(r[ml.OBSTACLE] for r in records if r[ml.LABEL])
    total = sum(failed.values())
    print(f"synthetic history ({rows} rows, seed 1): failed first attempt {total / rows:.1%}; primary obstacle "
          + ", ".join(f"{k} {failed[k] / total:.1%}" for k in ("contract", "service", "device", "other")))
    table = ml.table_from_records(records, require_label=True)
    start = time.perf_counter()
    result = ml.train(table, seed=1)
    trained = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        ml.save_model(result, directory)
        saved = time.perf_counter() - start
        start = time.perf_counter()
        model = ml.load_model(directory)
        loaded = time.perf_counter() - start
    print(f"(a) training on {rows} synthetic rows: {trained:.2f} s (target < 30 s; {os.cpu_count()} CPUs); "
          f"writing the artifact incl. plots {saved:.2f} s; verifying and loading it {loaded * 1000:.1f} ms")
    print(f"    held-out: AUC {result.metrics['model']['roc_auc']:.4f} (rules-only "
          f"{result.metrics['rules_only']['roc_auc']:.4f}), log loss {result.metrics['model']['log_loss']:.4f} "
          f"(rules-only {result.metrics['rules_only']['log_loss']:.4f}), gate passed: {result.gate.passed}")
    return model


def latency(model: ml.Model, calls: int) -> None:
    records = ml.synthesize(calls, 99)
    for record in records:
        del record[ml.LABEL], record[ml.OBSTACLE]
    timings = []
    online = np.empty(calls)
    for i, record in enumerate(records):
        start = time.perf_counter_ns()
        explanation = model.explain(record)
        timings.append(time.perf_counter_ns() - start)
        online[i] = explanation.probability
    batch = model.predict_proba(ml.table_from_records(records))
    q = statistics.quantiles(timings, n=100)
    print(f"(b) score+explain one row, {calls} calls: p50 {q[49] / 1e6:.4f} ms, p95 {q[94] / 1e6:.4f} ms, "
          f"max {max(timings) / 1e6:.3f} ms (target p95 ≤ 0.2 ms)")
    print(f"    max |online − batch| probability: {np.max(np.abs(online - batch)):.3g} (target ≤ 1e-9)")


def recovery(rows: int, seeds: list[int]) -> None:
    print(f"(c) recovery of random additive non-linear processes, {rows} training rows, {rows} fresh test rows:")
    for seed in seeds:
        process = AdditiveProcess.random(seed)
        train, _ = process.sample(rows, seed * 1000 + 1)
        test, truth = process.sample(rows, seed * 1000 + 2)
        start = time.perf_counter()
        model = fit_model(train, seed).model()
        seconds = time.perf_counter() - start
        p = model.predict_proba(test)
        auc, best = roc_auc_score(test.label, p), roc_auc_score(test.label, truth)
        ece = expected_calibration_error(test.label, p)
        print(f"    seed {seed}: model AUC {auc:.4f}, true-probability AUC {best:.4f}, gap {best - auc:+.4f} "
              f"(target ≤ 0.01); ECE {ece:.4f} (target ≤ 0.03); failure rate {test.label.mean():.3f}; "
              f"fit {seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=5_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    args = parser.parse_args()
    model = training(args.rows)
    latency(model, args.calls)
    recovery(args.rows, args.seeds)


if __name__ == "__main__":
    main()
