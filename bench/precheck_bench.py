"""Pre-check latency through the Flask test client, with 1 000 and then 200 000 accounts.

Usage: python bench/precheck_bench.py [--database-url URL] [--runs N] [--large N]
Defaults: a temporary SQLite file, 2 000 timed runs, 200 000 accounts in the large case.
Prints p50/p95 for the typical account (2 contracts, 3 bills, 2 devices, 4 services,
family primary with 2 members) and the ratio of the large to the small p95.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_data import typical_account  # noqa: E402


def fill(db, start: int, stop: int) -> None:  # noqa: ANN001
    """Bulk-insert plain accounts (each with a contract and a bill) numbered start..stop-1."""
    from models import Account, Bill, Contract, Customer

    batch = 5000
    for lo in range(start, stop, batch):
        hi = min(stop, lo + batch)
        db.session.execute(sa_insert(Customer), [
            {"id": i, "external_id": f"B-{i}", "name": "用户", "locale": "zh-CN", "segment": "regular"}
            for i in range(lo, hi)])
        db.session.execute(sa_insert(Account), [
            {"id": i, "customer_id": i, "msisdn": f"+86137{i:08d}", "status": "active", "plan_code": "4G",
             "plan_monthly_fee": Decimal("58.00"), "unbilled_amount": Decimal("0"), "prepaid_credit": Decimal("0"),
             "loyalty_points": 0, "holds": [], "store_code": "ST-001"} for i in range(lo, hi)])
        db.session.execute(sa_insert(Contract), [
            {"account_id": i, "external_id": f"BK-{i}", "kind": "plan_commitment", "start_date": date(2026, 1, 1),
             "end_date": date(2027, 12, 31), "monthly_commitment": Decimal("58.00"),
             "subsidy_amount": Decimal("0"), "penalty_rate": Decimal("0.30"), "fixed_penalty": Decimal("0")}
            for i in range(lo, hi)])
        db.session.execute(sa_insert(Bill), [
            {"account_id": i, "period": "2026-10", "amount_due": Decimal("58.00"), "amount_paid": Decimal("58.00"),
             "disputed": False} for i in range(lo, hi)])
        db.session.commit()


def sa_insert(model):  # noqa: ANN001, ANN201
    import sqlalchemy as sa

    return sa.insert(model)


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
    parser.add_argument("--large", type=int, default=200_000)
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
        fill(db, 1_000_000, 1_000_000 + 1000 - 3)
        print(f"database: {db.engine.dialect.name}; typical account {msisdn}; {args.runs} timed runs")
    client = app.test_client()
    small = measure(client, key, msisdn, args.runs)
    print(f"  1 000 accounts:   p50 {small[0]:.2f} ms  p95 {small[1]:.2f} ms")
    with app.app_context():
        started = time.perf_counter()
        fill(db, 1_000_000 + 1000 - 3, 1_000_000 + args.large - 3)
        print(f"  (filled to {args.large:,} accounts in {time.perf_counter() - started:.0f} s)")
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
    large = measure(client, key, msisdn, args.runs)
    print(f"  {args.large:,} accounts: p50 {large[0]:.2f} ms  p95 {large[1]:.2f} ms")
    print(f"  p95 ratio large/small: {large[1] / small[1]:.2f} (target <= 1.3); targets p50 <= 3 ms, p95 <= 6 ms")
    with app.app_context():
        db.session.remove()
        if args.database_url:
            db.drop_all()
        db.engine.dispose()


if __name__ == "__main__":
    main()
