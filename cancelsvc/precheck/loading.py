"""From the database to the engine's snapshot (the only place that reads account rows)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from cancelsvc.precheck.snapshot import (
    AccountSnap,
    BillSnap,
    ContractSnap,
    DeviceSnap,
    OpenRequestRef,
    ServiceSnap,
)
from models import Account, db

# Set by the requests package: the open cancellation request of an account, if any.
OpenRequestLookup = Callable[[int], OpenRequestRef | None]
_open_request_lookup: list[OpenRequestLookup] = []


def register_open_request_lookup(lookup: OpenRequestLookup) -> None:
    """Install the function that finds an account's open request (one at a time)."""
    _open_request_lookup[:] = [lookup]


def load_account(account_id: int) -> Account:
    """The account with everything a pre-check reads, in a handful of indexed queries."""
    return db.session.execute(
        sa.select(Account)
        .where(Account.id == account_id)
        .options(
            joinedload(Account.customer),
            joinedload(Account.family_group),
            selectinload(Account.contracts),
            selectinload(Account.bills),
            selectinload(Account.devices),
            selectinload(Account.services),
        )
        .execution_options(populate_existing=True)
    ).unique().scalar_one()


def family_others(account: Account) -> int:
    """Other non-cancelled accounts sharing the account's family group."""
    if account.family_group_id is None:
        return 0
    return db.session.execute(
        sa.select(sa.func.count(Account.id)).where(
            Account.family_group_id == account.family_group_id,
            Account.id != account.id,
            Account.status != "cancelled",
        )
    ).scalar_one()


def snapshot(account: Account, default_timezone: str) -> AccountSnap:
    """The immutable view of ``account`` that the rules evaluate."""
    lookup = _open_request_lookup[0] if _open_request_lookup else None
    return AccountSnap(
        id=account.id,
        msisdn=account.msisdn,
        status=account.status,
        holds=tuple(account.holds or ()),
        plan_code=account.plan_code or "",
        plan_monthly_fee=account.plan_monthly_fee,
        activated_on=account.activated_on,
        store_code=account.store_code,
        unbilled_amount=account.unbilled_amount,
        prepaid_credit=account.prepaid_credit,
        loyalty_points=account.loyalty_points,
        payment_method=account.payment_method,
        last_payment_on=account.last_payment_on,
        family_group_code=account.family_group.group_code if account.family_group else None,
        family_role=account.family_role,
        family_others=family_others(account),
        contracts=tuple(
            ContractSnap(c.external_id, c.kind, c.start_date, c.end_date, c.monthly_commitment,
                         c.subsidy_amount, c.penalty_rate, c.fixed_penalty, c.waiver_reason)
            for c in account.contracts
        ),
        bills=tuple(BillSnap(b.period, b.amount_due, b.amount_paid, b.due_date, b.disputed) for b in account.bills),
        devices=tuple(
            DeviceSnap(d.serial, d.kind, d.ownership, d.replacement_value, d.returned_on, d.installment_remaining)
            for d in account.devices
        ),
        services=tuple(
            ServiceSnap(s.code, s.name, s.provider, s.monthly_fee, s.auto_renew, s.renews_on, s.status)
            for s in account.services
        ),
        segment=account.customer.segment,
        timezone=account.customer.timezone or default_timezone,
        open_request=lookup(account.id) if lookup else None,
    )
