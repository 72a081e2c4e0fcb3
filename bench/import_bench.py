"""Import speed: a generated file of N customers (default 10 000) through `data import`.

Usage: python bench/import_bench.py [--customers N] [--database-url URL]
Prints the file size, the time of the first import and of a re-import (no changes).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def generate(customers: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    out = []
    for i in range(customers):
        accounts = []
        for j in range(rng.choice((1, 1, 1, 2))):
            n = i * 2 + j
            accounts.append({
                "msisdn": f"+86139{n:08d}",
                "plan": {"code": "5G-128", "monthly_fee": "128.00"},
                "activated_on": "2021-05-01",
                "store_code": f"ST-{n % 50:03d}",
                "unbilled_amount": f"{rng.randint(0, 9999) / 100:.2f}",
                "loyalty_points": rng.randint(0, 5000),
                "payment_method": "auto_debit",
                "family": {"group_code": f"FAM-{i // 3}", "role": "primary" if i % 3 == 0 else "member"},
                "contracts": [{"external_id": f"K-{n}", "kind": "plan_commitment", "start_date": "2025-06-01",
                               "end_date": "2027-05-31", "monthly_commitment": "128.00"}],
                "bills": [{"period": f"2026-{m:02d}", "amount_due": "128.00", "amount_paid": "128.00"}
                          for m in (8, 9, 10)],
                "devices": [{"serial": f"ONT-{n}", "kind": "router", "ownership": "rented",
                             "replacement_value": "300.00"}],
                "services": [{"code": "VIDEO-VIP", "name": "视频会员", "provider": "operator",
                              "monthly_fee": "0.99", "auto_renew": True, "renews_on": "2026-12-01"}],
            })
        out.append({
            "external_id": f"C-{i}", "name": "张伟",
            "id_doc": {"type": "cn_resident_id", "number": f"1101011990{i:08d}"},
            "phone": accounts[0]["msisdn"], "locale": "zh-CN", "segment": "regular", "accounts": accounts,
        })
    return {"customers": out}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cancelsvc-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"

    from flask_migrate import upgrade

    from cancelsvc import create_app
    from cancelsvc.database import transaction
    from cancelsvc.imports.service import import_document
    from models import Account, db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "CANCELSVC_PII_KEY": "bench",
                      "CANCELSVC_LOG_LEVEL": "WARNING", "TESTING": True})
    path = workdir / "bss.json"
    path.write_text(json.dumps(generate(args.customers), ensure_ascii=False))
    print(f"database: {url.split('@')[-1]}")
    print(f"file: {args.customers} customers, {path.stat().st_size / 1e6:.1f} MB")
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()
        for label in ("first import", "re-import (no changes)"):
            started = time.perf_counter()
            with transaction():
                report = import_document(json.loads(path.read_text()), "bench")
            elapsed = time.perf_counter() - started
            print(f"{label}: {elapsed:.1f} s  (accounts created {report.created['accounts']}, "
                  f"updated {report.updated['accounts']}, unchanged {report.unchanged['accounts']})")
        print(f"accounts in database: {db.session.query(Account).count()}")
        db.session.remove()
        if args.database_url:
            db.drop_all()
        db.engine.dispose()


if __name__ == "__main__":
    main()
