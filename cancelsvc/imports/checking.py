"""Checking a chunk of an import file: parse, validate and turn into staging rows.

This is the per-record work of an import, free of the database and of the application, so
that it can run in worker processes (``cancelsvc.imports.workers``) while the importing
process writes what they return: a ``Checker`` turns a chunk of what a source read into a
``Checked``, with

- the problems of the chunk, each at its place (the first ``listed`` kept, all counted);
- the keys that must be unique across the file, as stable 64-bit hashes (the same in
  every process, unlike ``hash()``);
- the staging rows of the valid records: on PostgreSQL already as ``COPY`` text, on SQLite
  as tuples for ``INSERT``.

A child row's place in the file is its record's number (``seq``) and its place within the
record (``ord``), so a chunk needs nothing from the chunks before it.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError

from cancelsvc.common.jsoncodec import dumps as json_dumps
from cancelsvc.common.masking import hash_identity, last4
from cancelsvc.errors import flatten_messages
from cancelsvc.imports import tables as st
from cancelsvc.imports.loading import Loader
from cancelsvc.imports.reader import Kind, Problem, Read, Record, parsed
from cancelsvc.imports.schemas import CustomerSchema, StoreSchema

_SCHEMAS: dict[Kind, Schema] = {Kind.CUSTOMER: CustomerSchema(), Kind.STORE: StoreSchema()}
_LOADERS = {kind: Loader(schema) for kind, schema in _SCHEMAS.items()}

#: Staging rows of one table: COPY text (PostgreSQL) or tuples (SQLite).
Rows = bytes | list[tuple[Any, ...]]


def load(record: Record) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """The record loaded by its schema, or the messages of what is wrong with it."""
    data = _LOADERS[record.kind].load(record.data, nul_free=record.nul_free)
    if data is not None:
        return data, {}
    try:
        return _SCHEMAS[record.kind].load(record.data), {}
    except ValidationError as error:
        return None, flatten_messages(error.messages)


def key_hash(key: str) -> int:
    """A 64-bit hash of a file-unique key, the same in every process."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little", signed=True)


def keys_of(kind: Kind, data: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(what, where in the record, key) of every key of a record that is unique across a file."""
    if kind == Kind.STORE:
        yield "store code", "code", data["code"]
        return
    yield "customer external_id", "external_id", data["external_id"]
    for ai, account in enumerate(data["accounts"]):
        yield "msisdn", f"accounts[{ai}].msisdn", account["msisdn"]
        for i, c in enumerate(account["contracts"]):
            yield "contract external_id", f"accounts[{ai}].contracts[{i}].external_id", c["external_id"]
        for i, d in enumerate(account["devices"]):
            yield "device serial", f"accounts[{ai}].devices[{i}].serial", d["serial"]


def _repeated_within_accounts(customer: dict[str, Any]) -> list[tuple[str, str]]:
    """Bills by period and services by code are unique within their account."""
    found = []
    for ai, account in enumerate(customer["accounts"]):
        for kind, children, key in (("bill period", account["bills"], "period"),
                                    ("service code", account["services"], "code")):
            first: dict[str, int] = {}
            for i, child in enumerate(children):
                seen = first.setdefault(child[key], i)
                if seen != i:
                    name = "bills" if key == "period" else "services"
                    found.append((f"accounts[{ai}].{name}[{i}].{key}",
                                  f"Duplicate {kind} of {account['msisdn']} {child[key]!r}; "
                                  f"first given at accounts[{ai}].{name}[{seen}].{key}."))
    return found


@dataclass
class Checked:
    """What checking one chunk found."""

    records: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)
    problem_count: int = 0
    #: Key hashes per kind of key (``array("q")`` bytes).
    keys: dict[str, bytes] = field(default_factory=dict)
    #: Staging rows per table name, and how many.
    rows: dict[str, Rows] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)


_ESCAPES = str.maketrans({"\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
                          "\r": "\\r"})
#: How values other than text and NULL are written, by their exact type (a bool is not an int here).
_TEXT_OF: dict[type, Any] = {bool: lambda value: "t" if value else "f", int: str, Decimal: str, date: str}


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format (NUL never reaches here: the schemas refuse
    it), as psycopg writes it. Text is escaped only when it holds a backslash or a character
    that is not printable (tab, line ends, …): most values are copied as they are."""
    if value is None:
        return "\\N"
    if type(value) is str:
        return value if "\\" not in value and value.isprintable() else value.translate(_ESCAPES)
    try:
        return _TEXT_OF[type(value)](value)
    except KeyError:
        raise TypeError(f"cannot stage {type(value).__name__}") from None


def copy_rows(rows: list[tuple[Any, ...]]) -> bytes:
    """Rows in PostgreSQL's COPY text format."""
    return "".join(["\t".join(map(_copy_text, row)) + "\n" for row in rows]).encode()


class Checker:
    """Checks chunks for one import. ``copy_text``: rows as PostgreSQL COPY text (else tuples);
    ``listed``: problems kept per chunk (the others counted)."""

    def __init__(self, pii_key: str, *, copy_text: bool, listed: int) -> None:
        self.pii_key, self.copy_text, self.listed = pii_key, copy_text, listed

    def check(self, chunk: Sequence[Read]) -> Checked:
        checked = Checked()
        rows: dict[str, list[tuple[Any, ...]]] = {table.name: [] for table in st.TABLES}
        keys: dict[str, array[int]] = {}
        for read in chunk:
            item = parsed(read)
            checked.records += 1
            if isinstance(item, Problem):
                self._problem(checked, item.where, item.message)
                continue
            data = self._valid(checked, item)
            if data is None:
                continue
            for what, _, key in keys_of(item.kind, data):
                bucket = keys.get(what)
                if bucket is None:
                    bucket = keys[what] = array("q")
                bucket.append(key_hash(key))
            if not checked.problem_count:
                self._rows(rows, item, data)
        checked.keys = {what: bucket.tobytes() for what, bucket in keys.items()}
        if not checked.problem_count:
            for name, table_rows in rows.items():
                if table_rows:
                    checked.row_counts[name] = len(table_rows)
                    checked.rows[name] = self._encoded(table_rows)
        return checked

    def _problem(self, checked: Checked, where: str, message: str) -> None:
        if checked.problem_count < self.listed:
            checked.problems.append((where, message))
        checked.problem_count += 1

    def _valid(self, checked: Checked, item: Record) -> dict[str, Any] | None:
        data, messages = load(item)
        for path, texts in messages.items():
            for text in texts:
                self._problem(checked, item.path("" if path == "$" else path), str(text))
        if data is None:
            return None
        local = _repeated_within_accounts(data) if item.kind == Kind.CUSTOMER else []
        for path, message in local:
            self._problem(checked, item.path(path), message)
        return None if local else data

    def _encoded(self, rows: list[tuple[Any, ...]]) -> Rows:
        return copy_rows(rows) if self.copy_text else rows

    def _rows(self, rows: dict[str, list[tuple[Any, ...]]], record: Record, data: dict[str, Any]) -> None:
        if record.kind == Kind.STORE:
            rows[st.STORES.name].append((data["code"], data["name"], data["city"], data["address"],
                                         data["opening_hours"], data["phone"]))
            return
        doc = data["id_doc"]
        rows[st.CUSTOMERS.name].append((
            record.seq, data["external_id"], data["name"], doc["type"] if doc else None,
            hash_identity(self.pii_key, doc["type"], doc["number"]) if doc else None,
            last4(doc["number"].strip()) if doc else None,
            data["phone"], data["email"], data["locale"], data["timezone"], data["segment"]))
        seq, places = record.seq, dict.fromkeys(st.CHILDREN, 0)
        for index, account in enumerate(data["accounts"]):
            self._account(rows, seq, places, record.path(f"accounts[{index}]"), data["external_id"], account)

    def _account(self, rows: dict[str, list[tuple[Any, ...]]], seq: int, places: dict[str, int], loc: str,
                 customer: str, data: dict[str, Any]) -> None:
        msisdn, plan, family = data["msisdn"], data["plan"] or {}, data["family"]
        holds = sorted(set(data["holds"]))
        rows[st.ACCOUNTS.name].append((
            loc, customer, msisdn, data["status"], plan.get("code"), plan.get("monthly_fee", 0),
            data["activated_on"], data["store_code"], data["unbilled_amount"], data["prepaid_credit"],
            data["loyalty_points"], data["payment_method"], data["last_payment_on"],
            json_dumps(holds) if self.copy_text else holds,
            family["group_code"] if family else None, family["role"] if family else None))

        def place(table: str) -> int:
            places[table] += 1
            return places[table]

        for i, c in enumerate(data["contracts"]):
            rows[st.CONTRACTS.name].append((seq, place(st.CONTRACTS.name), f"{loc}.contracts[{i}]", msisdn,
                                            c["external_id"], *(c[k] for k in st.CONTRACT_COLUMNS)))
        for b in data["bills"]:
            rows[st.BILLS.name].append((seq, place(st.BILLS.name), msisdn, b["period"],
                                        *(b[k] for k in st.BILL_COLUMNS)))
        for i, d in enumerate(data["devices"]):
            rows[st.DEVICES.name].append((seq, place(st.DEVICES.name), f"{loc}.devices[{i}]", msisdn, d["serial"],
                                          *(d[k] for k in st.DEVICE_COLUMNS)))
        for s in data["services"]:
            rows[st.SERVICES.name].append((seq, place(st.SERVICES.name), msisdn, s["code"],
                                           *(s[k] for k in st.SERVICE_COLUMNS)))
