"""What the pre-check knows about an account: immutable, database-free snapshots.

Money is ``Decimal`` and dates are ``datetime.date``; enumerations are plain strings
with the values of domain.md §1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

_ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class ContractSnap:
    """A contract: ``kind`` handset_subsidy | plan_commitment | fixed_term."""

    external_id: str
    kind: str
    start_date: dt.date
    end_date: dt.date
    monthly_commitment: Decimal = _ZERO
    subsidy_amount: Decimal = _ZERO
    penalty_rate: Decimal = Decimal("0.30")
    fixed_penalty: Decimal = _ZERO
    waiver_reason: str | None = None


@dataclass(frozen=True, slots=True)
class BillSnap:
    """A bill for ``period`` (``YYYY-MM``)."""

    period: str
    amount_due: Decimal = _ZERO
    amount_paid: Decimal = _ZERO
    due_date: dt.date | None = None
    disputed: bool = False


@dataclass(frozen=True, slots=True)
class DeviceSnap:
    """A device: ``ownership`` rented | installment | owned."""

    serial: str
    kind: str
    ownership: str
    replacement_value: Decimal = _ZERO
    returned_on: dt.date | None = None
    installment_remaining: Decimal = _ZERO


@dataclass(frozen=True, slots=True)
class ServiceSnap:
    """A value-added service: ``provider`` operator | third_party, ``status`` active | cancelled."""

    code: str
    name: str
    provider: str
    monthly_fee: Decimal = _ZERO
    auto_renew: bool = False
    renews_on: dt.date | None = None
    status: str = "active"


@dataclass(frozen=True, slots=True)
class OpenRequestRef:
    """The account's open cancellation request, if any."""

    id: str
    tracking_code: str


@dataclass(frozen=True, slots=True)
class AccountSnap:
    """An account with everything the rules look at.

    ``family_others`` counts the other non-cancelled accounts of the same family group;
    ``prior_requests`` the account's earlier requests that did not complete (withdrawn or
    rejected), None when the snapshot was not loaded with them.
    """

    id: int
    msisdn: str
    status: str = "active"
    holds: tuple[str, ...] = ()
    plan_code: str = ""
    plan_monthly_fee: Decimal = _ZERO
    activated_on: dt.date | None = None
    store_code: str | None = None
    unbilled_amount: Decimal = _ZERO
    prepaid_credit: Decimal = _ZERO
    loyalty_points: int = 0
    payment_method: str | None = None
    last_payment_on: dt.date | None = None
    family_group_code: str | None = None
    family_role: str | None = None
    family_others: int = 0
    contracts: tuple[ContractSnap, ...] = ()
    bills: tuple[BillSnap, ...] = ()
    devices: tuple[DeviceSnap, ...] = ()
    services: tuple[ServiceSnap, ...] = ()
    segment: str = "regular"
    timezone: str = "Asia/Shanghai"
    open_request: OpenRequestRef | None = None
    prior_requests: int | None = None
