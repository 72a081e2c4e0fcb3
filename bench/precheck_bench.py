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
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import analyze, fill_plain_customers, typical_account  # noqa: E402

#: The plain customers' numbers start here (the typical account's ids are small).
FIRST = 1_000_000


def measure(client, key: str, msisdn: str, runs: int) -> tuple[float, float]:  # noqa: ANN001
    headers = {"Authorization": f"Bearer {key}"}
    body = {"account": msisdn, "channel": "app"}
    for _ in range(200):
        assert client.post("/api/v1/prechecks", json=body, headers=headers).status_code == 201
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.post("/api/v1/prechecks", json=body, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


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
    small = measure(client, key, msisdn, args.runs)
    print(f"  1 000 customers:   p50 {small[0]:.2f} ms  p95 {small[1]:.2f} ms")
    with app.app_context():
        started = time.perf_counter()
        fill_plain_customers(db, FIRST + 1000 - 1, FIRST + args.large - 1)
        filled = time.perf_counter() - started
        analyze(db)
        print(f"  (filled to {args.large:,} customers in {filled:.0f} s, then VACUUM ANALYZE"
              f" {time.perf_counter() - started - filled:.0f} s)")
    large = measure(client, key, msisdn, args.runs)
    print(f"  {args.large:,} customers: p50 {large[0]:.2f} ms  p95 {large[1]:.2f} ms")
    print(f"  p95 ratio large/small: {large[1] / small[1]:.2f} (target <= 1.3); targets p50 <= 3 ms, p95 <= 6 ms")
    with app.app_context():
        db.session.remove()
        if args.database_url:
            db.drop_all()
        db.engine.dispose()


if __name__ == "__main__":
    main()
