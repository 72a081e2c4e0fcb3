"""Staging: the validated records as rows of temporary tables, loaded in batches.

Each import writes its rows into temporary tables first (``import_customers``,
``import_accounts``, …; visible only to its own connection, gone with the transaction on
PostgreSQL and dropped at the end on SQLite): on PostgreSQL with ``COPY``, on SQLite with
batched ``INSERT`` statements. The real tables are then changed by a few set-based
statements (``cancelsvc.imports.upsert``). Column types are those of the real tables, so a
staged value compares with a stored one exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from cancelsvc.common.jsoncodec import dumps as json_dumps
from cancelsvc.common.masking import hash_identity, last4
from models import Account, Bill, Contract, Customer, Device, Store, ValueAddedService, db
from models.customer import FamilyGroup

BATCH_RECORDS = 2000
_metadata = sa.MetaData()


def _staging(name: str, *columns: sa.Column[Any] | tuple[str, Any]) -> sa.Table:
    made = [c if isinstance(c, sa.Column) else _like(*c) for c in columns]
    return sa.Table(name, _metadata, *made, prefixes=["TEMPORARY"])


def _like(name: str, column: Any) -> sa.Column[Any]:
    """A staging column with the type of a real table's column."""
    return sa.Column(name, column.property.columns[0].type)


STORES = _staging("import_stores", *((c, getattr(Store, c)) for c in
                                     ("code", "name", "city", "address", "opening_hours", "phone")))
CUSTOMERS = _staging(
    "import_customers", sa.Column("seq", sa.Integer),
    *((c, getattr(Customer, c)) for c in ("external_id", "name", "id_doc_type", "id_doc_hash", "id_doc_last4",
                                          "phone", "email", "locale", "timezone", "segment")))
ACCOUNT_COLUMNS = ("status", "plan_code", "plan_monthly_fee", "activated_on", "store_code", "unbilled_amount",
                   "prepaid_credit", "loyalty_points", "payment_method", "last_payment_on", "holds")
ACCOUNTS = _staging(
    "import_accounts", sa.Column("loc", sa.Text), ("customer_external_id", Customer.external_id),
    ("msisdn", Account.msisdn), *((c, getattr(Account, c)) for c in ACCOUNT_COLUMNS),
    ("family_group_code", FamilyGroup.group_code), ("family_role", Account.family_role))
CONTRACT_COLUMNS = ("kind", "start_date", "end_date", "monthly_commitment", "subsidy_amount", "penalty_rate",
                    "fixed_penalty", "waiver_reason")
#: ``ord``: a row's place in the file, so that rows new to the database get their ids in file
#: order (the order a customer's contracts, bills, devices and services are shown in).
CONTRACTS = _staging("import_contracts", sa.Column("ord", sa.Integer), sa.Column("loc", sa.Text), ("msisdn", Account.msisdn),
                     ("external_id", Contract.external_id), *((c, getattr(Contract, c)) for c in CONTRACT_COLUMNS))
BILL_COLUMNS = ("amount_due", "amount_paid", "due_date", "disputed")
BILLS = _staging("import_bills", sa.Column("ord", sa.Integer), ("msisdn", Account.msisdn), ("period", Bill.period),
                 *((c, getattr(Bill, c)) for c in BILL_COLUMNS))
DEVICE_COLUMNS = ("kind", "ownership", "replacement_value", "returned_on", "installment_remaining")
DEVICES = _staging("import_devices", sa.Column("ord", sa.Integer), sa.Column("loc", sa.Text), ("msisdn", Account.msisdn), ("serial", Device.serial),
                   *((c, getattr(Device, c)) for c in DEVICE_COLUMNS))
SERVICE_COLUMNS = ("name", "provider", "monthly_fee", "auto_renew", "renews_on", "status")
SERVICES = _staging("import_services", sa.Column("ord", sa.Integer), ("msisdn", Account.msisdn), ("code", ValueAddedService.code),
                    *((c, getattr(ValueAddedService, c)) for c in SERVICE_COLUMNS))
TABLES = (STORES, CUSTOMERS, ACCOUNTS, CONTRACTS, BILLS, DEVICES, SERVICES)


class Stager:
    """Collects staging rows and writes them a batch at a time, in the caller's transaction."""

    def __init__(self, pii_key: str) -> None:
        self.pii_key = pii_key
        self.postgres = db.engine.dialect.name == "postgresql"
        self.rows: dict[sa.Table, list[tuple[Any, ...]]] = {table: [] for table in TABLES}
        self.staged: dict[sa.Table, int] = dict.fromkeys(TABLES, 0)
        self.pending = 0
        connection = db.session.connection()
        for table in TABLES:
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))
            table.create(connection)

    def store(self, data: dict[str, Any]) -> None:
        self.rows[STORES].append((data["code"], data["name"], data["city"], data["address"],
                                  data["opening_hours"], data["phone"]))
        self._added()

    def customer(self, seq: int, where: Any, data: dict[str, Any]) -> None:
        """One validated customer; ``where(sub)`` is the place of ``sub`` in the file."""
        doc = data["id_doc"]
        self.rows[CUSTOMERS].append((
            seq, data["external_id"], data["name"], doc["type"] if doc else None,
            hash_identity(self.pii_key, doc["type"], doc["number"]) if doc else None,
            last4(doc["number"].strip()) if doc else None,
            data["phone"], data["email"], data["locale"], data["timezone"], data["segment"]))
        for index, account in enumerate(data["accounts"]):
            self._account(where(f"accounts[{index}]"), data["external_id"], account)
        self._added()

    def _account(self, loc: str, customer: str, data: dict[str, Any]) -> None:
        msisdn, plan, family = data["msisdn"], data["plan"] or {}, data["family"]
        holds = sorted(set(data["holds"]))
        self.rows[ACCOUNTS].append((
            loc, customer, msisdn, data["status"], plan.get("code"), plan.get("monthly_fee", 0),
            data["activated_on"], data["store_code"], data["unbilled_amount"], data["prepaid_credit"],
            data["loyalty_points"], data["payment_method"], data["last_payment_on"],
            json_dumps(holds) if self.postgres else holds,
            family["group_code"] if family else None, family["role"] if family else None))
        rows = self.rows
        for i, c in enumerate(data["contracts"]):
            rows[CONTRACTS].append((self._ord(CONTRACTS), f"{loc}.contracts[{i}]", msisdn, c["external_id"],
                                    *(c[k] for k in CONTRACT_COLUMNS)))
        for b in data["bills"]:
            rows[BILLS].append((self._ord(BILLS), msisdn, b["period"], *(b[k] for k in BILL_COLUMNS)))
        for i, d in enumerate(data["devices"]):
            rows[DEVICES].append((self._ord(DEVICES), f"{loc}.devices[{i}]", msisdn, d["serial"],
                                  *(d[k] for k in DEVICE_COLUMNS)))
        for s in data["services"]:
            rows[SERVICES].append((self._ord(SERVICES), msisdn, s["code"], *(s[k] for k in SERVICE_COLUMNS)))

    def _ord(self, table: sa.Table) -> int:
        """The place of the next row of ``table`` in the file."""
        return self.staged[table] + len(self.rows[table])

    def _added(self) -> None:
        self.pending += 1
        if self.pending >= BATCH_RECORDS:
            self.flush()

    def flush(self) -> None:
        """Write the collected rows to the staging tables."""
        for table, rows in self.rows.items():
            if rows:
                self._write(table, rows)
                self.staged[table] += len(rows)
                rows.clear()
        self.pending = 0

    def analyze(self) -> None:
        """Statistics for the planner (PostgreSQL's autovacuum never looks at temporary tables)."""
        if self.postgres:
            db.session.execute(sa.text(f"ANALYZE {', '.join(t.name for t in TABLES)}"))

    def _write(self, table: sa.Table, rows: Sequence[tuple[Any, ...]]) -> None:
        names = [c.name for c in table.columns]
        if self.postgres:
            cursor: Any = db.session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            with cursor, cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            db.session.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])

    def drop(self) -> None:
        """Remove the staging tables (on PostgreSQL they would go with the transaction anyway)."""
        connection = db.session.connection()
        for table in TABLES:
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))
