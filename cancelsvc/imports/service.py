"""All-or-nothing, idempotent upsert of an import document.

Keys: stores by ``code``, customers by ``external_id``, accounts by ``msisdn``, contracts by
``external_id``, bills by (account, ``period``), devices by ``serial``, services by
(account, ``code``). Importing the same file twice changes nothing; a later file
updates what it names and leaves the rest alone.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from cancelsvc.common.masking import hash_identity, last4
from cancelsvc.errors import flatten_messages
from cancelsvc.imports.schemas import ImportFileSchema
from models import (
    Account,
    Bill,
    Contract,
    Customer,
    Device,
    FamilyGroup,
    Store,
    ValueAddedService,
    db,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
CHUNK = 500


class ImportRejected(Exception):
    """The file is invalid; ``problems`` maps JSON paths to messages. Nothing was written."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__(f"{sum(len(v) for v in problems.values())} problem(s)")
        self.problems = problems


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def count(self, kind: str, outcome: str) -> None:
        getattr(self, outcome)[kind] += 1

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))


def import_document(document: Any, pii_key: str) -> ImportReport:
    """Validate the whole document, then upsert it in the caller's transaction."""
    try:
        data = ImportFileSchema().load(document if isinstance(document, dict) else {"customers": document})
    except ValidationError as error:
        raise ImportRejected(flatten_messages(error.messages)) from None
    problems = _duplicate_keys(data["customers"], data["stores"])
    if problems:
        raise ImportRejected(problems)
    with db.session.no_autoflush:
        report = _Upsert(pii_key).run(data["customers"], data["stores"])
    return report


def _duplicate_keys(customers: Sequence[dict[str, Any]], stores: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Keys that must be unique across the file (or within an account)."""
    problems: dict[str, list[str]] = {}
    seen: dict[tuple[str, str], str] = {}

    def claim(kind: str, key: str, path: str) -> None:
        first = seen.setdefault((kind, key), path)
        if first != path:
            problems.setdefault(path, []).append(f"Duplicate {kind} {key!r}; first given at {first}.")

    for si, store in enumerate(stores):
        claim("store code", store["code"], f"stores[{si}].code")
    for ci, customer in enumerate(customers):
        claim("customer external_id", customer["external_id"], f"customers[{ci}].external_id")
        for ai, account in enumerate(customer["accounts"]):
            base = f"customers[{ci}].accounts[{ai}]"
            claim("msisdn", account["msisdn"], f"{base}.msisdn")
            for i, c in enumerate(account["contracts"]):
                claim("contract external_id", c["external_id"], f"{base}.contracts[{i}].external_id")
            for i, d in enumerate(account["devices"]):
                claim("device serial", d["serial"], f"{base}.devices[{i}].serial")
            for i, b in enumerate(account["bills"]):
                claim(f"bill period of {account['msisdn']}", b["period"], f"{base}.bills[{i}].period")
            for i, s in enumerate(account["services"]):
                claim(f"service code of {account['msisdn']}", s["code"], f"{base}.services[{i}].code")
    return problems


def _chunks(values: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _fetch(model: Any, column: Any, keys: Iterable[str], *options: Any) -> dict[str, Any]:
    wanted = sorted(set(keys))
    found: dict[str, Any] = {}
    for chunk in _chunks(wanted):
        for row in db.session.execute(sa.select(model).where(column.in_(chunk)).options(*options)).scalars():
            found[getattr(row, column.key)] = row
    return found


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set attributes that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


class _Upsert:
    def __init__(self, pii_key: str) -> None:
        self.pii_key = pii_key
        self.report = ImportReport()
        self.problems: dict[str, list[str]] = {}

    def run(self, customers: Sequence[dict[str, Any]], stores: Sequence[dict[str, Any]] = ()) -> ImportReport:
        accounts_in = [a for c in customers for a in c["accounts"]]
        self.customers = _fetch(Customer, Customer.external_id, (c["external_id"] for c in customers))
        self.accounts = _fetch(
            Account,
            Account.msisdn,
            (a["msisdn"] for a in accounts_in),
            selectinload(Account.contracts),
            selectinload(Account.bills),
            selectinload(Account.devices),
            selectinload(Account.services),
        )
        self.contracts = _fetch(
            Contract, Contract.external_id, (k["external_id"] for a in accounts_in for k in a["contracts"])
        )
        self.devices = _fetch(Device, Device.serial, (d["serial"] for a in accounts_in for d in a["devices"]))
        self.groups = _fetch(
            FamilyGroup, FamilyGroup.group_code, (a["family"]["group_code"] for a in accounts_in if a["family"])
        )
        self.stores = _fetch(Store, Store.code, [*(s["code"] for s in stores),
                                                 *(a["store_code"] for a in accounts_in if a["store_code"])])
        for data in stores:
            self._store_row(data)
        for ci, data in enumerate(customers):
            self._customer(f"customers[{ci}]", data)
        if self.problems:
            raise ImportRejected(self.problems)
        db.session.flush()
        return self.report

    def _problem(self, path: str, message: str) -> None:
        self.problems.setdefault(path, []).append(message)

    def _track(self, kind: str, created: bool, changed: bool) -> None:
        self.report.count(kind, "created" if created else "updated" if changed else "unchanged")

    def _customer(self, path: str, data: dict[str, Any]) -> None:
        values = {k: data[k] for k in ("name", "phone", "email", "locale", "timezone", "segment")}
        doc = data["id_doc"]
        values.update(
            id_doc_type=doc["type"] if doc else None,
            id_doc_hash=hash_identity(self.pii_key, doc["type"], doc["number"]) if doc else None,
            id_doc_last4=last4(doc["number"].strip()) if doc else None,
        )
        customer = self.customers.get(data["external_id"])
        created = customer is None
        if customer is None:
            customer = Customer(external_id=data["external_id"])
            db.session.add(customer)
            self.customers[data["external_id"]] = customer
        self._track("customers", created, _assign(customer, values))
        for ai, account in enumerate(data["accounts"]):
            self._account(f"{path}.accounts[{ai}]", customer, account)

    def _account(self, path: str, customer: Customer, data: dict[str, Any]) -> None:
        account = self.accounts.get(data["msisdn"])
        if account is not None and account.customer is not customer:
            self._problem(
                f"{path}.msisdn",
                f"{data['msisdn']} belongs to customer {account.customer.external_id}; "
                "a number changes owner only through the operator's transfer process.",
            )
            return
        created = account is None
        if account is None:
            account = Account(msisdn=data["msisdn"], holds=[])
            customer.accounts.append(account)
            self.accounts[data["msisdn"]] = account
        plan = data["plan"] or {}
        family = data["family"]
        values = {
            "status": data["status"],
            "plan_code": plan.get("code"),
            "plan_monthly_fee": plan.get("monthly_fee", 0),
            "activated_on": data["activated_on"],
            "store_code": data["store_code"],
            "unbilled_amount": data["unbilled_amount"],
            "prepaid_credit": data["prepaid_credit"],
            "loyalty_points": data["loyalty_points"],
            "payment_method": data["payment_method"],
            "last_payment_on": data["last_payment_on"],
            "holds": sorted(set(data["holds"])),
            "family_group": self._group(family["group_code"]) if family else None,
            "family_role": family["role"] if family else None,
        }
        if data["store_code"]:
            self._store(data["store_code"])
        changed = _assign(account, values)
        self._track("accounts", created, changed)
        self._children(path, account, data)

    def _group(self, code: str) -> FamilyGroup:
        group = self.groups.get(code)
        if group is None:
            group = self.groups[code] = FamilyGroup(group_code=code)
            db.session.add(group)
        return group

    def _store_row(self, data: dict[str, Any]) -> None:
        store = self.stores.get(data["code"])
        created = store is None
        if store is None:
            store = self.stores[data["code"]] = Store(code=data["code"])
            db.session.add(store)
        self._track("stores", created, _assign(store, {k: v for k, v in data.items() if k != "code"}))

    def _store(self, code: str) -> None:
        if code not in self.stores:
            self.stores[code] = Store(code=code, name=code)
            db.session.add(self.stores[code])
            self.report.count("stores", "created")

    def _children(self, path: str, account: Account, data: dict[str, Any]) -> None:
        for i, item in enumerate(data["contracts"]):
            self._keyed(f"{path}.contracts[{i}]", account, account.contracts, self.contracts,
                        Contract, "external_id", item, "contracts")
        for i, item in enumerate(data["devices"]):
            self._keyed(f"{path}.devices[{i}]", account, account.devices, self.devices,
                        Device, "serial", item, "devices")
        by_period = {b.period: b for b in account.bills}
        for item in data["bills"]:
            self._local(account.bills, by_period.get(item["period"]), Bill, item, "bills")
        by_code = {s.code: s for s in account.services}
        for item in data["services"]:
            self._local(account.services, by_code.get(item["code"]), ValueAddedService, item, "services")

    def _keyed(self, path: str, account: Account, children: list[Any], index: dict[str, Any],
               model: Any, key: str, item: dict[str, Any], kind: str) -> None:
        row = index.get(item[key])
        if row is not None and row.account is not account:
            self._problem(f"{path}.{key}", f"{item[key]} is recorded on another number ({row.account.msisdn}).")
            return
        created = row is None
        if row is None:
            row = index[item[key]] = model(**{key: item[key]})
            children.append(row)
        self._track(kind, created, _assign(row, {k: v for k, v in item.items() if k != key}))

    def _local(self, children: list[Any], row: Any, model: Any, item: dict[str, Any], kind: str) -> None:
        created = row is None
        if row is None:
            row = model()
            children.append(row)
        self._track(kind, created, _assign(row, item))
