"""The staging tables of an import: temporary tables with the columns of the real ones.

Each import writes its rows into these first (``import_customers``, ``import_accounts``, …;
visible only to its own connection). Column types are those of the real tables, so a staged
value compares with a stored one exactly.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from models import Account, Bill, Contract, Customer, Device, Store, ValueAddedService
from models.customer import FamilyGroup

_metadata = sa.MetaData()


def _staging(name: str, *columns: sa.Column[Any] | tuple[str, Any]) -> sa.Table:
    made = [c if isinstance(c, sa.Column) else _like(*c) for c in columns]
    return sa.Table(name, _metadata, *made, prefixes=["TEMPORARY"])


def _like(name: str, column: Any) -> sa.Column[Any]:
    """A staging column with the type of a real table's column."""
    return sa.Column(name, column.property.columns[0].type)


def _place() -> tuple[sa.Column[Any], sa.Column[Any]]:
    return sa.Column("seq", sa.Integer), sa.Column("ord", sa.Integer)


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

#: ``seq`` and ``ord``: a child row's place in the file (its record's number, then its place
#: in the record), so that rows new to the database get their ids in file order (the order a
#: customer's contracts, bills, devices and services are shown in).
CONTRACTS = _staging("import_contracts", *_place(), sa.Column("loc", sa.Text), ("msisdn", Account.msisdn),
                     ("external_id", Contract.external_id), *((c, getattr(Contract, c)) for c in CONTRACT_COLUMNS))
BILL_COLUMNS = ("amount_due", "amount_paid", "due_date", "disputed")
BILLS = _staging("import_bills", *_place(), ("msisdn", Account.msisdn), ("period", Bill.period),
                 *((c, getattr(Bill, c)) for c in BILL_COLUMNS))
DEVICE_COLUMNS = ("kind", "ownership", "replacement_value", "returned_on", "installment_remaining")
DEVICES = _staging("import_devices", *_place(), sa.Column("loc", sa.Text), ("msisdn", Account.msisdn),
                   ("serial", Device.serial), *((c, getattr(Device, c)) for c in DEVICE_COLUMNS))
SERVICE_COLUMNS = ("name", "provider", "monthly_fee", "auto_renew", "renews_on", "status")
SERVICES = _staging("import_services", *_place(), ("msisdn", Account.msisdn), ("code", ValueAddedService.code),
                    *((c, getattr(ValueAddedService, c)) for c in SERVICE_COLUMNS))
TABLES = (STORES, CUSTOMERS, ACCOUNTS, CONTRACTS, BILLS, DEVICES, SERVICES)
#: The tables of a customer's children, whose rows carry their place in the file.
CHILDREN = (CONTRACTS.name, BILLS.name, DEVICES.name, SERVICES.name)
