"""Pre-check latency through the Flask test client, with 1 000 and then 1 000 000 customers.

Usage: python bench/precheck_bench.py [--database-url URL] [--runs N] [--large N]
Defaults: a temporary SQLite file, 2 000 timed runs, 1 000 000 customers in the large case
(each with one account, a contract and a bill, inserted set-based on the server:
``bench_data.fill_plain_customers``). Prints p50/p95 for the typical account (2 contracts,
3 bills, 2 devices, 4 services, family primary with 2 members), measured at 1 000 customers
and then, in the same run, at ``--large``, and the ratio of the large to the small p95.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import analyze, fill_plain_customers, typical_account  # noqa: E402
from progress_bench import CpuMeter  # noqa: E402

#: The plain customers' numbers start here (the typical account's ids are small).
FIRST = 1_000_000


def measure(client, key: str, msisdn: str, runs: int, database: str | None) -> dict[str, float]:  # noqa: ANN001
    """Wall-clock p50/p95 of ``runs`` pre-checks, the p95 of this process's CPU time per
    pre-check, and the mean CPU per pre-check of the database's PostgreSQL backends; CPU
    time is steadier than the wall clock on a shared machine."""
    headers = {"Authorization": f"Bearer {key}"}
    body = {"account": msisdn, "channel": "app"}
    for _ in range(200):
        assert client.post("/api/v1/prechecks", json=body, headers=headers).status_code == 201
    meter = CpuMeter(os.getpgrp(), database)
    before = meter.sample()
    samples, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        response = client.post("/api/v1/prechecks", json=body, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
        assert response.status_code == 201
    after = meter.sample()
    samples.sort()
    cpu.sort()
    postgres = (after.get("postgres", 0.0) - before.get("postgres", 0.0)) / runs * 1000
    return {"p50": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1],
            "cpu p95": cpu[int(len(cpu) * 0.95) - 1], "cpu p50": statistics.median(cpu), "postgres cpu": postgres,
            "load": os.getloadavg()[0]}


def show(label: str, m: dict[str, float]) -> None:
    print(f"  {label}: p50 {m['p50']:.2f} ms  p95 {m['p95']:.2f} ms   CPU p50 {m['cpu p50']:.2f} p95 {m['cpu p95']:.2f} ms"
          f" (+ PostgreSQL {m['postgres cpu']:.2f} ms a pre-check)   load {m['load']:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--large", type=int, default=1_000_000)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"

    from cancelsvc import create_app
    from cancelsvc.auth.keys import create_key
    from models import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b", "CANCELSVC_PII_KEY": "b", "TESTING": False,
                      "CANCELSVC_LOG_LEVEL": "WARNING", "CANCELSVC_MODEL_DIR": tempfile.mkdtemp()})
    with app.app_context():
        db.drop_all()
        db.create_all()
        msisdn = typical_account(db).msisdn
        db.session.commit()
        _, key = create_key("bench", ["precheck"])
        db.session.commit()
        fill_plain_customers(db, FIRST, FIRST + 1000 - 1)  # with the typical account's: 1 000 customers
        analyze(db)
        print(f"database: {db.engine.dialect.name}; typical account {msisdn}; {args.runs} timed runs")
    client = app.test_client()
    database = urlsplit(url).path.lstrip("/") if url.startswith("postgresql") else None
    small = measure(client, key, msisdn, args.runs, database)
    show("1 000 customers", small)
    with app.app_context():
        started = time.perf_counter()
        fill_plain_customers(db, FIRST + 1000 - 1, FIRST + args.large - 1)
        filled = time.perf_counter() - started
        analyze(db)
        print(f"  (filled to {args.large:,} customers in {filled:.0f} s, then VACUUM ANALYZE"
              f" {time.perf_counter() - started - filled:.0f} s)")
    large = measure(client, key, msisdn, args.runs, database)
    show(f"{args.large:,} customers", large)
    print(f"  p95 ratio large/small: {large['p95'] / small['p95']:.2f} (target <= 1.3); CPU p95 ratio"
          f" {large['cpu p95'] / small['cpu p95']:.2f}; PostgreSQL CPU ratio"
          f" {large['postgres cpu'] / max(small['postgres cpu'], 1e-9):.2f}; targets p50 <= 3 ms, p95 <= 6 ms")
    with app.app_context():
        db.session.remove()
        if args.database_url:
            db.drop_all()
        db.engine.dispose()


if __name__ == "__main__":
    main()
