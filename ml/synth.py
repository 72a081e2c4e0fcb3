"""The synthetic history generator behind ``ml synth`` (documented in docs/risk-model.md).

Each request draws observable features from realistic distributions, a few hidden
causes the data does not show, and noise. Four obstacles (contract/penalty, value-added
services, devices, other) each fire with their own probability, a logistic function of
features, hidden causes and a per-customer persistence term; the request fails on its
first attempt when at least one fires, and the primary obstacle is one of those that
fired, drawn in proportion to their probabilities.

The obstacle intercepts were solved with :func:`solve_intercepts` so that, in
expectation, 34% of requests fail and the primary obstacle is contract 40%, services
32%, devices 25% and other 3% of failures (41% / 33% / 26% among the three named
obstacles, as in seed 001).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ml.schema import FEATURES, LABEL, write_csv

OBSTACLE = "primary_obstacle"
OBSTACLES = ("contract", "service", "device", "other")
TARGET_FAILURE_RATE = 0.34
TARGET_SHARES = {"contract": 0.40, "service": 0.32, "device": 0.25, "other": 0.03}
# Solved by solve_intercepts(400_000, seed=20261123); see the module docstring.
INTERCEPTS = {"contract": -3.1346, "service": -3.9922, "device": -4.0548, "other": -5.2572}

_CHANNELS = np.array(["app", "web", "counter", "phone"])
_SEGMENTS = np.array(["regular", "vip", "senior"])
_ROLES = np.array(["none", "primary", "member"])
_PAYMENTS = np.array(["auto_debit", "wallet", "card", "cash"])
_PLANS = np.array([8.0, 19.0, 29.0, 39.0, 59.0, 88.0, 128.0, 158.0, 199.0, 299.0, 399.0])


def _pick(rng: np.random.Generator, choices: np.ndarray, probs: list[float], n: int) -> np.ndarray:
    return choices[rng.choice(len(choices), size=n, p=probs)]


def sample_features(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Observable features; money in CNY rounded to 0.01."""
    segment = _pick(rng, _SEGMENTS, [0.78, 0.08, 0.14], n)
    senior, vip = segment == "senior", segment == "vip"
    channel = np.where(senior, _pick(rng, _CHANNELS, [0.18, 0.04, 0.58, 0.20], n),
                       _pick(rng, _CHANNELS, [0.46, 0.17, 0.27, 0.10], n))
    tenure = np.minimum(np.round(np.exp(rng.normal(3.3, 0.95, n)) * np.where(senior, 1.8, 1.0)), 360)
    plan = np.select(
        [vip, senior],
        [_PLANS[rng.choice([6, 7, 8, 9, 10], n, p=[0.2, 0.25, 0.25, 0.2, 0.1])],
         _PLANS[rng.choice([0, 1, 2, 3, 4], n, p=[0.3, 0.3, 0.2, 0.15, 0.05])]],
        _PLANS[rng.choice(10, n, p=[0.04, 0.08, 0.10, 0.15, 0.17, 0.17, 0.14, 0.07, 0.05, 0.03])],
    )
    new = tenure < 24
    contracts = np.where(new, rng.choice(4, n, p=[0.30, 0.48, 0.17, 0.05]), rng.choice(4, n, p=[0.55, 0.35, 0.08, 0.02]))
    remaining = np.where(contracts > 0, rng.integers(0, 25, n), 0)
    rate = rng.uniform(0.2, 0.6, n) * (1 + 0.6 * (contracts - 1).clip(0))
    waived = rng.random(n) < np.where(vip, 0.35, 0.10)
    fee = np.where((remaining > 0) & ~waived, np.round(plan * remaining * rate, 2), 0.0)
    payment = np.where(senior, _pick(rng, _PAYMENTS, [0.35, 0.10, 0.05, 0.50], n),
                       _pick(rng, _PAYMENTS, [0.42, 0.33, 0.10, 0.15], n))
    unpaid_rate = np.select([payment == "auto_debit", payment == "cash"], [0.08, 0.7], 0.3)
    bills_unpaid = np.minimum(rng.poisson(unpaid_rate), 6)
    unbilled = np.where(rng.random(n) < 0.7, rng.uniform(0, 1, n) * plan, 0.0)
    credit = np.where(rng.random(n) < 0.3, rng.exponential(40, n), 0.0)
    balance = np.round(bills_unpaid * plan * rng.uniform(0.8, 1.0, n) + unbilled - credit, 2)
    disputed = np.where(rng.random(n) < 0.04, np.round(rng.lognormal(4.2, 0.8, n), 2), 0.0)
    devices = rng.choice(3, n, p=[0.74, 0.21, 0.05])
    installment = np.where(rng.random(n) < np.where(new, 0.28, 0.10), np.round(rng.uniform(100, 6000, n), 2), 0.0)
    services_operator = np.minimum(rng.poisson(0.9, n), 8)
    services_third = np.minimum(rng.poisson(0.3 + 0.25 * (payment == "wallet") + 0.15 * (channel == "app")), 6)
    role = _pick(rng, _ROLES, [0.62, 0.16, 0.22], n)
    members = np.where(role == "none", 0, np.minimum(1 + rng.poisson(np.where(role == "primary", 1.2, 1.0)), 6))
    prior = rng.choice(4, n, p=[0.84, 0.11, 0.04, 0.01])
    days = np.where(payment == "auto_debit", rng.integers(0, 31, n), np.round(rng.exponential(18, n)))
    days = np.minimum(days + 30 * bills_unpaid, 400)
    columns = {
        "channel": channel, "segment": segment, "tenure_months": tenure, "plan_monthly_fee": plan,
        "contracts_active": contracts, "early_termination_fee": fee, "contract_remaining_months": remaining,
        "balance_net": balance, "bills_unpaid": bills_unpaid, "disputed_amount": disputed,
        "devices_rented_unreturned": devices, "installment_remaining": installment,
        "services_operator": services_operator, "services_third_party": services_third, "family_role": role,
        "family_members": members, "prior_requests": prior, "payment_method": payment,
        "days_since_last_payment": days,
    }
    return {name: columns[name] for name in FEATURES}


def _log_odds(rng: np.random.Generator, x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-obstacle log-odds without intercepts: features, hidden causes, persistence, noise."""
    n = len(x["channel"])
    channel, segment, payment = x["channel"], x["segment"], x["payment_method"]
    senior, vip, counter = segment == "senior", segment == "vip", channel == "counter"
    online = (channel == "app") | (channel == "web")
    # Hidden causes: nothing in the feature row records them.
    fee_misquoted = (x["contracts_active"] > 0) & (rng.random(n) < 0.06)
    unrecorded_contract = (x["contracts_active"] == 0) & (rng.random(n) < 0.02)
    unrecorded_subscription = rng.random(n) < 0.06 + 0.05 * (payment == "wallet") + 0.03 * (channel == "app")
    renewal_charged = rng.random(n) < 0.05
    wrong_device_record = rng.random(n) < 0.05
    device_lost = (x["devices_rented_unreturned"] > 0) & (rng.random(n) < 0.15)
    gave_up_video = online & (rng.random(n) < np.where(senior, 0.25, 0.04))
    # Persistence: customers with earlier failed requests tend to stumble again.
    persistence = rng.normal(0, 0.5, n) + 0.4 * np.minimum(x["prior_requests"], 3)
    remaining = x["contract_remaining_months"]
    contract = (
        1.6 * np.tanh(x["early_termination_fee"] / 400) + 0.6 * np.exp(-(((remaining - 9) / 6) ** 2))
        - 1.0 * vip - 0.4 * counter + 0.3 * (channel == "phone")
        + 0.7 * np.tanh(np.maximum(x["balance_net"], 0) / 150) + 0.35 * np.minimum(x["bills_unpaid"], 3)
        + 1.0 * (x["disputed_amount"] > 0) + 0.5 * (x["days_since_last_payment"] > 60)
        + 2.2 * fee_misquoted + 2.5 * unrecorded_contract
    )
    service = (
        1.4 * np.log1p(x["services_third_party"]) + 0.45 * np.minimum(x["services_operator"], 4)
        + 0.35 * (payment == "wallet") + 0.3 * np.tanh(x["tenure_months"] / 48)
        + 2.6 * unrecorded_subscription + 1.5 * renewal_charged
    )
    device = (
        2.2 * (x["devices_rented_unreturned"] >= 1) + 0.5 * (x["devices_rented_unreturned"] >= 2)
        + 0.55 * np.log1p(x["installment_remaining"] / 400) + 0.5 * senior - 0.5 * counter
        + 2.8 * wrong_device_record + 1.0 * device_lost
    )
    other = 3.0 * gave_up_video + 1.2 * ((x["family_role"] == "primary") & (x["family_members"] > 0))
    eta = {"contract": contract, "service": service, "device": device, "other": other}
    return {k: v + persistence + rng.normal(0, 0.6, n) for k, v in eta.items()}


def _probabilities(eta: dict[str, np.ndarray], intercepts: dict[str, float]) -> np.ndarray:
    return np.stack([1 / (1 + np.exp(-(eta[k] + intercepts[k]))) for k in OBSTACLES])


def _expected(p: np.ndarray) -> tuple[float, np.ndarray]:
    """Exact expected failure rate and primary-obstacle shares (enumerating which obstacles fire)."""
    primary = np.zeros(len(OBSTACLES))
    for fired in itertools.product((0, 1), repeat=len(OBSTACLES)):
        mask = np.array(fired, dtype=bool)
        if not mask.any():
            continue
        prob = np.prod(np.where(mask[:, None], p, 1 - p), axis=0)
        weight = p[mask] / p[mask].sum(axis=0)
        primary[mask] += (prob * weight).sum(axis=1)
    failed = primary.sum()
    return failed / p.shape[1], primary / failed


def solve_intercepts(rows: int = 400_000, seed: int = 20261123, iterations: int = 60) -> dict[str, float]:
    """Obstacle intercepts that hit TARGET_FAILURE_RATE and TARGET_SHARES in expectation."""
    rng = np.random.default_rng(seed)
    eta = _log_odds(rng, sample_features(rng, rows))
    target = np.array([TARGET_SHARES[k] for k in OBSTACLES]) * TARGET_FAILURE_RATE
    intercepts = dict.fromkeys(OBSTACLES, -3.0)
    for _ in range(iterations):
        rate, shares = _expected(_probabilities(eta, intercepts))
        for k, want, got in zip(OBSTACLES, target, rate * shares, strict=True):
            intercepts[k] += 0.9 * np.log(want / got)
    return {k: round(float(v), 4) for k, v in intercepts.items()}


def draw_outcomes(rng: np.random.Generator, x: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Hidden causes, noise and obstacles for feature columns ``x``: (failed, primary obstacle or "")."""
    p = _probabilities(_log_odds(rng, x), INTERCEPTS)
    fired = rng.random(p.shape) < p
    failed = np.asarray(fired.any(axis=0))
    weights = np.where(fired, p, 0.0)
    cumulative = np.cumsum(weights, axis=0) / np.maximum(weights.sum(axis=0), 1e-300)
    choice = (rng.random(p.shape[1]) > cumulative).sum(axis=0).clip(max=len(OBSTACLES) - 1)
    return failed, np.where(failed, np.array(OBSTACLES)[choice], "")


def synthesize(rows: int, seed: int) -> list[dict[str, Any]]:
    """``rows`` synthetic requests (feature dicts with the label and ``primary_obstacle``)."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    rng = np.random.default_rng(seed)
    x = sample_features(rng, rows)
    failed, obstacle = draw_outcomes(rng, x)
    return list(_records(x, failed, obstacle))


def _records(x: dict[str, np.ndarray], failed: np.ndarray, obstacle: np.ndarray) -> Iterator[dict[str, Any]]:
    integer = {name for name, values in x.items() if values.dtype.kind in "iu"} | {
        "tenure_months", "days_since_last_payment"}
    columns = {name: values.tolist() for name, values in x.items()}
    for i in range(len(failed)):
        record: dict[str, Any] = {}
        for name in FEATURES:
            value = columns[name][i]
            record[name] = int(value) if name in integer else value
        record[LABEL] = int(failed[i])
        record[OBSTACLE] = str(obstacle[i])
        yield record


def write_synthetic(path: str | Path, records: list[dict[str, Any]]) -> None:
    """Write synthetic records as CSV: the features, the label, then ``primary_obstacle``."""
    write_csv(path, [*FEATURES, LABEL, OBSTACLE], records)
