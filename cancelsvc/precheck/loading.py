"""From the database to the engine's snapshot (the only place that reads account rows).

One statement per pre-check, on indexed keys only: the account, found by id or by
number, joined with its customer and family group, plus correlated subqueries for the
other members of the family group, the open request, the earlier unfinished requests
and each child collection (contracts, bills, devices, services) as a JSON array
(``jsonrows``). The statement is built and compiled once per dialect and lookup, then
run as its SQL text (``database.Compiled``): SQLAlchemy would otherwise hash the statement's whole
structure (its cache key) on every execution to find the compiled form.

The open request and the earlier requests belong to other packages: the application
factory gives their subqueries to the ``SnapshotLoader`` it builds
(``cancelsvc.services``), so this package never imports them. Without them the snapshot
has no open request and ``prior_requests`` is None.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from cancelsvc.common.jsoncodec import loads as json_loads
from cancelsvc.database import Compiled
from cancelsvc.precheck.jsonrows import RowsDecoder, as_text, convert_row, converters, json_array, json_rows
from cancelsvc.precheck.snapshot import (
    AccountSnap,
    BillSnap,
    ContractSnap,
    DeviceSnap,
    OpenRequestRef,
    ServiceSnap,
)
from models import Account, Bill, Contract, Customer, Device, FamilyGroup, ValueAddedService, db
from models.base import Base

#: Builds, from the account id column of the enclosing statement, scalar subqueries.
OpenRequestColumns = Callable[[sa.ColumnElement[int]], tuple[sa.ColumnElement[str], sa.ColumnElement[str]]]
AccountCount = Callable[[sa.ColumnElement[int]], sa.ColumnElement[int]]
LookupBy = Literal["id", "msisdn"]


@dataclass(frozen=True, slots=True)
class LoadedAccount:
    """A snapshot with what the visibility rule needs (``customer_id``, ``store_code``)."""

    snap: AccountSnap
    customer_id: int

    @property
    def id(self) -> int:
        return self.snap.id

    @property
    def msisdn(self) -> str:
        return self.snap.msisdn

    @property
    def store_code(self) -> str | None:
        return self.snap.store_code


def _columns(model: type[Base], snap: type) -> list[sa.ColumnElement[Any]]:
    """The model's columns in the order of the snapshot dataclass' fields."""
    return [model.__table__.c[f.name] for f in dataclasses.fields(snap)]


# (table, columns in snapshot order, order of the rows): the child collections.
_CHILDREN = (
    (Contract.__table__, _columns(Contract, ContractSnap), Contract.__table__.c.id),
    (Bill.__table__, _columns(Bill, BillSnap), Bill.__table__.c.period),
    (Device.__table__, _columns(Device, DeviceSnap), Device.__table__.c.id),
    (ValueAddedService.__table__, _columns(ValueAddedService, ServiceSnap), ValueAddedService.__table__.c.id),
)
_CONTRACTS = RowsDecoder(ContractSnap, _CHILDREN[0][1])
_BILLS = RowsDecoder(BillSnap, _CHILDREN[1][1])
_DEVICES = RowsDecoder(DeviceSnap, _CHILDREN[2][1])
_SERVICES = RowsDecoder(ServiceSnap, _CHILDREN[3][1])


def _head_columns() -> list[sa.ColumnElement[Any]]:
    """The account's own columns in the snapshot document, then its customer's and group's."""
    a = Account.__table__.c
    return [
        a.id, a.customer_id, a.msisdn, a.status, a.holds, a.plan_code, a.plan_monthly_fee, a.activated_on,
        a.store_code, a.unbilled_amount, a.prepaid_credit, a.loyalty_points, a.payment_method,
        a.last_payment_on, a.family_role,
        Customer.__table__.c.segment, Customer.__table__.c.timezone, FamilyGroup.__table__.c.group_code,
    ]


# The document's values after the head: family count, open request id and code, prior
# requests (plain JSON values) and the four child collections (decoded apart).
_HEAD_CONVERTERS = converters([c.type for c in _head_columns()]) + (None,) * 8


def _statement(dialect: str, by: LookupBy, open_request: OpenRequestColumns | None,
               prior_requests: AccountCount | None) -> sa.Select[Any]:
    """Build the snapshot statement for ``dialect``, the account found ``by`` id or number.

    It selects one value: the JSON text of ``[head columns…, family_others,
    open_request_id, open_request_tracking_code, prior_requests, contracts, bills,
    devices, services]``.
    """
    accounts = Account.__table__
    customers, groups = Customer.__table__, FamilyGroup.__table__
    a = accounts.c
    member = accounts.alias("family_member")
    family_others = (
        sa.select(sa.func.count())
        .where(member.c.family_group_id == a.family_group_id, member.c.id != a.id, member.c.status != "cancelled")
        .correlate(accounts)
        .scalar_subquery()
    )
    open_id: sa.ColumnElement[Any]
    open_code: sa.ColumnElement[Any]
    if open_request is not None:
        open_id, open_code = open_request(a.id)
    else:
        open_id, open_code = sa.null(), sa.null()
    prior: sa.ColumnElement[Any] = prior_requests(a.id) if prior_requests is not None else sa.null()
    children = [
        json_rows(dialect, columns, table.c.account_id == a.id, order_by, accounts)
        for table, columns, order_by in _CHILDREN
    ]
    document = json_array(dialect, [*_head_columns(), family_others, open_id, open_code, prior, *children])
    statement = (
        sa.select(as_text(dialect, document).label("snapshot"))
        .select_from(accounts.join(customers, a.customer_id == customers.c.id)
                     .outerjoin(groups, a.family_group_id == groups.c.id))
        .where((a.id if by == "id" else a.msisdn) == sa.bindparam("value"))
    )
    return statement


class SnapshotLoader:
    """Loads snapshots in one statement each, with the subqueries other packages provide."""

    def __init__(self, open_request: OpenRequestColumns | None = None,
                 prior_requests: AccountCount | None = None) -> None:
        self._open_request = open_request
        self._prior_requests = prior_requests
        self._statements: dict[tuple[str, LookupBy], Compiled] = {}

    def by_id(self, account_id: int, default_timezone: str) -> LoadedAccount | None:
        """The account with this id, or None."""
        return self._load("id", account_id, default_timezone)

    def by_msisdn(self, msisdn: str, default_timezone: str) -> LoadedAccount | None:
        """The account with this E.164 number, or None."""
        return self._load("msisdn", msisdn, default_timezone)

    def _load(self, by: LookupBy, value: int | str, default_timezone: str) -> LoadedAccount | None:
        connection = db.session.connection()
        key = (connection.dialect.name, by)
        compiled = self._statements.get(key)
        if compiled is None:
            statement = _statement(connection.dialect.name, by, self._open_request, self._prior_requests)
            compiled = self._statements[key] = Compiled.of(statement, connection.dialect)
        text = connection.exec_driver_sql(compiled.sql, compiled.parameters({"value": value})).scalar()
        return _snapshot(text, default_timezone)


def _snapshot(text: Any, default_timezone: str) -> LoadedAccount | None:
    if text is None:
        return None
    (
        id_, customer_id, msisdn, status, holds, plan_code, plan_monthly_fee, activated_on, store_code,
        unbilled_amount, prepaid_credit, loyalty_points, payment_method, last_payment_on, family_role,
        segment, timezone, group_code, family_others, open_id, open_code, prior_requests,
        contracts, bills, devices, services,
    ) = convert_row(_HEAD_CONVERTERS, json_loads(text))
    snap = AccountSnap(
        id=id_,
        msisdn=msisdn,
        status=status,
        holds=tuple(holds or ()),
        plan_code=plan_code or "",
        plan_monthly_fee=plan_monthly_fee,
        activated_on=activated_on,
        store_code=store_code,
        unbilled_amount=unbilled_amount,
        prepaid_credit=prepaid_credit,
        loyalty_points=loyalty_points,
        payment_method=payment_method,
        last_payment_on=last_payment_on,
        family_group_code=group_code,
        family_role=family_role,
        family_others=family_others,
        contracts=_CONTRACTS(contracts),
        bills=_BILLS(bills),
        devices=_DEVICES(devices),
        services=_SERVICES(services),
        segment=segment,
        timezone=timezone or default_timezone,
        open_request=OpenRequestRef(open_id, open_code) if open_id is not None else None,
        prior_requests=prior_requests,
    )
    return LoadedAccount(snap, customer_id)
