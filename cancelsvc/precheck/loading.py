"""From the database to the engine's snapshot (the only place that reads account rows)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import sqlalchemy as sa

from cancelsvc.precheck.snapshot import (
    AccountSnap,
    BillSnap,
    ContractSnap,
    DeviceSnap,
    OpenRequestRef,
    ServiceSnap,
)
from models import Account, Bill, Contract, Customer, Device, FamilyGroup, ValueAddedService, db

# Set by the requests package: the open cancellation request of an account, if any.
OpenRequestLookup = Callable[[int], OpenRequestRef | None]
_open_request_lookup: list[OpenRequestLookup] = []


def register_open_request_lookup(lookup: OpenRequestLookup) -> None:
    """Install the function that finds an account's open request (one at a time)."""
    _open_request_lookup[:] = [lookup]


def _statements() -> dict[str, sa.Select]:
    """The snapshot queries, built once (statement construction is not free on a hot path)."""
    if _STATEMENTS:
        return _STATEMENTS
    a, c, f = Account.__table__.c, Customer.__table__.c, FamilyGroup.__table__.c
    account_id = sa.bindparam("account_id")
    _STATEMENTS.update(
        head=sa.select(a, c.segment, c.timezone, f.group_code)
        .join_from(Account.__table__, Customer.__table__, a.customer_id == c.id)
        .outerjoin(FamilyGroup.__table__, a.family_group_id == f.id)
        .where(a.id == account_id),
        contracts=sa.select(*_cols(Contract, ContractSnap)).where(Contract.account_id == account_id)
        .order_by(Contract.id),
        bills=sa.select(*_cols(Bill, BillSnap)).where(Bill.account_id == account_id).order_by(Bill.period),
        devices=sa.select(*_cols(Device, DeviceSnap)).where(Device.account_id == account_id).order_by(Device.id),
        services=sa.select(*_cols(ValueAddedService, ServiceSnap))
        .where(ValueAddedService.account_id == account_id)
        .order_by(ValueAddedService.id),
        family=sa.select(sa.func.count()).where(
            a.family_group_id == sa.bindparam("group_id"), a.id != account_id, a.status != "cancelled"
        ),
    )
    return _STATEMENTS


_STATEMENTS: dict[str, sa.Select] = {}


def load_snapshot(account_id: int, default_timezone: str) -> AccountSnap:
    """The immutable view of an account that the rules evaluate.

    Plain column queries on indexed keys (no ORM identity map): this is the hot path of
    every pre-check and must not grow with the size of the operator.
    """
    run = db.session.connection().execute
    q = _statements()
    key = {"account_id": account_id}
    head = run(q["head"], key).one()
    others = 0
    if head.family_group_id is not None:
        others = run(q["family"], {**key, "group_id": head.family_group_id}).scalar_one()
    lookup = _open_request_lookup[0] if _open_request_lookup else None
    return AccountSnap(
        id=head.id,
        msisdn=head.msisdn,
        status=head.status,
        holds=tuple(head.holds or ()),
        plan_code=head.plan_code or "",
        plan_monthly_fee=head.plan_monthly_fee,
        activated_on=head.activated_on,
        store_code=head.store_code,
        unbilled_amount=head.unbilled_amount,
        prepaid_credit=head.prepaid_credit,
        loyalty_points=head.loyalty_points,
        payment_method=head.payment_method,
        last_payment_on=head.last_payment_on,
        family_group_code=head.group_code,
        family_role=head.family_role,
        family_others=others,
        contracts=tuple(ContractSnap(*row) for row in run(q["contracts"], key)),
        bills=tuple(BillSnap(*row) for row in run(q["bills"], key)),
        devices=tuple(DeviceSnap(*row) for row in run(q["devices"], key)),
        services=tuple(ServiceSnap(*row) for row in run(q["services"], key)),
        segment=head.segment,
        timezone=head.timezone or default_timezone,
        open_request=lookup(account_id) if lookup else None,
    )


def _cols(model: type, snap: type) -> list[sa.ColumnElement]:
    """The model's columns in the order of the snapshot dataclass' fields."""
    return [getattr(model, f.name) for f in dataclasses.fields(snap)]
