"""Shared set-up for the request benchmarks: typical accounts and a bench application.

The typical account is the one of the issue (and of ``precheck_bench.py``): 2 contracts,
3 bills, 2 devices, 4 value-added services, family primary with 2 members. Its pre-check
is yellow and submittable.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cancelsvc_bench"
SCOPES = ("precheck", "cancellations:read", "cancellations:write")


def bench_config(url: str) -> dict[str, Any]:
    """Settings of an in-process bench application (logging at WARNING, no risk model)."""
    return {"DATABASE_URL": url, "SECRET_KEY": "bench", "CANCELSVC_PII_KEY": "bench", "TESTING": False,
            "CANCELSVC_LOG_LEVEL": "WARNING", "CANCELSVC_MODEL_DIR": tempfile.mkdtemp(prefix="cancelsvc-model-")}


def check_bench_database(url: str) -> None:
    """Refuse to wipe a PostgreSQL database that is not a bench database."""
    if url.startswith("postgresql"):
        name = urlsplit(url).path.lstrip("/")
        if "bench" not in name:
            sys.exit(f"refusing to reset database {name!r}: the benchmarks only wipe databases named *bench*")


def reset_schema(db) -> None:  # noqa: ANN001
    """An empty schema with every table (PostgreSQL: a fresh ``public`` schema)."""
    if db.engine.dialect.name == "postgresql":
        db.session.remove()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    else:
        db.drop_all()
    db.create_all()


def typical_account(db, n: int = 0, store_code: str = "HZ-001"):  # noqa: ANN001, ANN201
    """Add the typical account number ``n`` (and its 2 family members); returns the primary (not committed)."""
    from models import Account, Bill, Contract, Customer, Device, FamilyGroup, ValueAddedService

    today = date.today()
    group = FamilyGroup(group_code=f"FAM-BENCH-{n}")
    customer = Customer(external_id=f"C-BENCH-{n}", name="张伟", segment="regular", timezone="Asia/Shanghai")
    base = 3 * n
    primary = Account(msisdn=f"+86138{base:08d}", customer=customer, family_group=group, family_role="primary",
                      plan_code="5G-128", plan_monthly_fee=Decimal("128.00"), unbilled_amount=Decimal("23.50"),
                      loyalty_points=1200, holds=[], store_code=store_code)
    members = [Account(msisdn=f"+86138{base + i:08d}", customer=customer, family_group=group,
                       family_role="member", holds=[], store_code=store_code) for i in (1, 2)]
    primary.contracts = [
        Contract(external_id=f"K-B1-{n}", kind="handset_subsidy", start_date=today - timedelta(days=300),
                 end_date=today + timedelta(days=60), monthly_commitment=Decimal("99.00"),
                 subsidy_amount=Decimal("1200.00")),
        Contract(external_id=f"K-B2-{n}", kind="plan_commitment", start_date=today - timedelta(days=100),
                 end_date=today + timedelta(days=400), monthly_commitment=Decimal("128.00")),
    ]
    primary.bills = [Bill(period=f"2026-0{m}", amount_due=Decimal("128.00"), amount_paid=Decimal(paid))
                     for m, paid in ((7, "128.00"), (8, "128.00"), (9, "0.00"))]
    primary.devices = [
        Device(serial=f"ONT-B-{n}", kind="router", ownership="rented", replacement_value=Decimal("300.00")),
        Device(serial=f"86{n:013d}", kind="handset", ownership="installment",
               installment_remaining=Decimal("800.00")),
    ]
    primary.services = [
        ValueAddedService(code=f"VAS-{i}", name="视频会员", provider="operator" if i < 3 else "third_party",
                          monthly_fee=Decimal("0.99"), auto_renew=True, renews_on=today + timedelta(days=i))
        for i in range(4)
    ]
    db.session.add_all([primary, *members])
    return primary


def analyze(db) -> None:  # noqa: ANN001
    """Fresh planner statistics and visibility map on PostgreSQL (a no-op elsewhere): the steady
    state autovacuum reaches shortly after a bulk insert, in which index-only scans need no
    heap fetches."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def _series(db, sql_head: str, select: str, source: str) -> str:  # noqa: ANN001
    """``sql_head SELECT select FROM <g = :start .. :stop - 1>[, source]`` on the server, no row in Python."""
    rest = f", {source}" if source else ""
    if db.engine.dialect.name == "postgresql":
        return f"{sql_head} SELECT {select} FROM generate_series(:start, :stop - 1) AS s(g){rest}"
    return (f"WITH RECURSIVE s(g) AS (SELECT :start UNION ALL SELECT g + 1 FROM s WHERE g + 1 < :stop) "
            f"{sql_head} SELECT {select} FROM s{rest}")


def padded(db, expression: str, width: int) -> str:  # noqa: ANN001
    """SQL for ``expression`` (an integer) as text with leading zeros."""
    if db.engine.dialect.name == "postgresql":
        return f"lpad(({expression})::text, {width}, '0')"
    return f"printf('%0{width}d', {expression})"


def insert_series(db, table: str, start: int, stop: int, values: dict[str, str], *, source: str = "",  # noqa: ANN001
                  **params: Any) -> None:
    """One set-based ``INSERT … SELECT`` of ``stop - start`` rows into ``table``: ``values`` maps
    each column to an SQL expression of ``g`` (the row's number), of ``:params`` and of the
    columns of ``source`` (e.g. ``"cancellation_requests t WHERE t.id = :template"``)."""
    import sqlalchemy as sa

    if stop <= start:
        return
    head = f"INSERT INTO {table} ({', '.join(values)})"
    statement = _series(db, head, ", ".join(values.values()), source)
    db.session.execute(sa.text(statement), {"start": start, "stop": stop, **params})


def clone_rows(db, table: str, start: int, stop: int, where: str, changes: dict[str, str],  # noqa: ANN001
               **params: Any) -> None:
    """Copy the row ``t`` of ``table`` that ``where`` selects once per ``g`` in ``start .. stop - 1``,
    with ``changes`` (column → SQL expression) applied; other columns are copied as they are, but
    an integer primary key, left to its sequence."""
    values = {}
    for column in db.metadata.tables[table].columns:
        if column.name in changes:
            values[column.name] = changes[column.name]
        elif not (column.primary_key and column.autoincrement in (True, "auto") and column.type.python_type is int):
            values[column.name] = f"t.{column.name}"
    insert_series(db, table, start, stop, values, source=f"{table} t WHERE {where}", **params)


def fill_plain_customers(db, start: int, stop: int) -> None:  # noqa: ANN001
    """Customers ``start .. stop - 1``, each with one plain account (a contract and a paid bill),
    inserted set-based on the server (1 000 000 in about a minute on PostgreSQL); committed."""
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    stamp = now if db.engine.dialect.name == "postgresql" else now.replace(tzinfo=None)
    insert_series(db, "customers", start, stop, {
        "id": "g", "external_id": "'B-' || g", "name": "'用户'", "locale": "'zh-CN'", "segment": "'regular'",
        "created_at": ":now", "updated_at": ":now"}, now=stamp)
    insert_series(db, "accounts", start, stop, {
        "id": "g", "customer_id": "g", "msisdn": "'+86137' || " + padded(db, "g", 8), "status": "'active'",
        "plan_code": "'4G'", "plan_monthly_fee": "58.00", "unbilled_amount": "0", "prepaid_credit": "0",
        "loyalty_points": "0", "holds": "'[]'", "store_code": "'ST-001'", "created_at": ":now",
        "updated_at": ":now"}, now=stamp)
    insert_series(db, "contracts", start, stop, {
        "account_id": "g", "external_id": "'BK-' || g", "kind": "'plan_commitment'", "start_date": ":start_date",
        "end_date": ":end_date", "monthly_commitment": "58.00", "subsidy_amount": "0", "penalty_rate": "0.30",
        "fixed_penalty": "0", "created_at": ":now", "updated_at": ":now"},
        start_date=date(2026, 1, 1), end_date=date(2027, 12, 31), now=stamp)
    insert_series(db, "bills", start, stop, {
        "account_id": "g", "period": "'2026-10'", "amount_due": "58.00", "amount_paid": "58.00",
        "disputed": "false" if db.engine.dialect.name == "postgresql" else "0", "created_at": ":now",
        "updated_at": ":now"}, now=stamp)
    db.session.commit()
