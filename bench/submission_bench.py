"""Submission latency (``POST /api/v1/cancellations``) through the Flask test client.

Usage: python bench/submission_bench.py [--database-url URL] [--accounts 300] [--rounds 3]
Defaults: a temporary SQLite file, 300 timed submissions per round, 3 rounds.

Each round starts from a clean schema with N typical accounts (2 contracts, 3 bills,
2 devices, 4 services, family primary with 2 members) plus a few for warm-up, runs one
pre-check per account (not timed), then times one submission per account, each with a
fresh ``Idempotency-Key``. Prints p50/p95 per round and the median of the rounds
(target: p95 <= 15 ms).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import SCOPES, analyze, bench_config, check_bench_database, reset_schema, typical_account  # noqa: E402

TARGET_P95_MS = 15.0
WARMUP = 20


def prepare(app, accounts: int) -> tuple[str, list[str]]:  # noqa: ANN001
    """Clean schema, accounts and a key; returns the key and one fresh pre-check id per account."""
    from cancelsvc.auth.keys import create_key
    from models import db

    with app.app_context():
        reset_schema(db)
        msisdns = []
        for n in range(accounts):
            msisdns.append(typical_account(db, n).msisdn)
            if n % 100 == 99:
                db.session.commit()
        _, key = create_key("bench", SCOPES)
        db.session.commit()
        analyze(db)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    prechecks = []
    for msisdn in msisdns:
        response = client.post("/api/v1/prechecks", json={"account": msisdn, "channel": "app"}, headers=headers)
        assert response.status_code == 201 and response.json["can_submit"], response.get_data(as_text=True)
        prechecks.append(response.json["id"])
    with app.app_context():
        analyze(db)
    return key, prechecks


def submit_all(client, key: str, prechecks: list[str]) -> list[float]:  # noqa: ANN001
    samples = []
    for precheck_id in prechecks:
        headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": str(uuid.uuid4())}
        body = {"precheck_id": precheck_id, "reason": "moving"}
        started = time.perf_counter()
        response = client.post("/api/v1/cancellations", json=body, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.get_data(as_text=True)
    return samples


def percentile(sorted_samples: list[float], fraction: float) -> float:
    return sorted_samples[max(int(len(sorted_samples) * fraction) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--accounts", type=int, default=300, help="timed submissions per round")
    parser.add_argument("--rounds", type=int, default=3, help="each round starts from a clean schema")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    check_bench_database(url)

    from cancelsvc import create_app
    from models import db

    app = create_app(bench_config(url))
    with app.app_context():
        dialect = db.engine.dialect.name
    print(f"database: {dialect}; {args.accounts} timed submissions per round (+{WARMUP} warm-up), "
          f"{args.rounds} rounds", flush=True)
    results = []
    for number in range(1, args.rounds + 1):
        key, prechecks = prepare(app, args.accounts + WARMUP)
        client = app.test_client()
        submit_all(client, key, prechecks[:WARMUP])
        samples = sorted(submit_all(client, key, prechecks[WARMUP:]))
        p50, p95 = statistics.median(samples), percentile(samples, 0.95)
        results.append((p50, p95))
        print(f"  round {number}: p50 {p50:.2f} ms  p95 {p95:.2f} ms  max {samples[-1]:.2f} ms", flush=True)
    p50 = statistics.median(r[0] for r in results)
    p95 = statistics.median(r[1] for r in results)
    verdict = "met" if p95 <= TARGET_P95_MS else "MISSED"
    print(f"median of {len(results)} rounds: p50 {p50:.2f} ms  p95 {p95:.2f} ms"
          f"   target p95 <= {TARGET_P95_MS:g} ms: {verdict}")
    with app.app_context():
        db.session.remove()
        if args.database_url:
            reset_schema(db)  # leave the bench database empty
        db.engine.dispose()


if __name__ == "__main__":
    main()
