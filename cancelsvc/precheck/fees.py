"""The early-termination fee per contract, exactly as domain.md §2.2."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cancelsvc.common.money import ZERO, q
from cancelsvc.precheck.snapshot import ContractSnap

HANDSET_SUBSIDY, PLAN_COMMITMENT, FIXED_TERM = "handset_subsidy", "plan_commitment", "fixed_term"
KINDS = (HANDSET_SUBSIDY, PLAN_COMMITMENT, FIXED_TERM)


@dataclass(frozen=True, slots=True)
class FeeCalculation:
    """A fee and every input of it, so a clerk can walk the customer through it.

    ``calculation`` has exactly the keys ``kind``, ``remaining_days``, ``total_days``,
    ``remaining_months``, ``rate``, ``monthly_commitment``, ``subsidy_amount``, ``cap``,
    ``cap_applied``; money
    is ``Decimal`` and what does not apply to the contract's kind is ``None``.
    ``uncapped`` is the amount before the cap (and before a waiver), rounded.
    """

    fee: Decimal
    calculation: dict[str, Any]
    uncapped: Decimal = ZERO


def add_months(d: dt.date, m: int) -> dt.date:
    """Same day-of-month ``m`` months later, clamped to that month's last day."""
    index = d.month - 1 + m
    year, month = d.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def remaining_months(effective: dt.date, end: dt.date) -> int:
    """The smallest ``m >= 0`` with ``add_months(effective, m) >= end`` (a started month counts)."""
    if effective >= end:
        return 0
    # Every m below the month distance lands in an earlier month than ``end``; the month
    # distance itself lands in ``end``'s month, one more lands after it.
    m = (end.year - effective.year) * 12 + end.month - effective.month
    return m if add_months(effective, m) >= end else m + 1


def early_termination_fee(
    contract: ContractSnap, effective_date: dt.date, *, apply_waiver: bool = True
) -> FeeCalculation:
    """The fee for ending ``contract`` on ``effective_date``, rounded half-up to 0.01.

    With ``apply_waiver=False`` a waived contract's fee is computed as if it were not
    waived (the amount the waiver saves the customer).
    """
    if contract.kind not in KINDS:
        raise ValueError(f"unknown contract kind {contract.kind!r}")
    start, end = contract.start_date, contract.end_date
    months = remaining_months(effective_date, end)
    commitment = contract.monthly_commitment
    cap = q(commitment * months) if commitment > 0 and contract.kind != PLAN_COMMITMENT else None
    remaining_days = total_days = rate = subsidy = None

    if contract.kind == HANDSET_SUBSIDY:
        subsidy = contract.subsidy_amount
        total_days = (end - start).days
        remaining_days = max(0, (end - max(effective_date, start)).days)
        raw = subsidy * remaining_days / total_days if total_days > 0 else ZERO
    elif contract.kind == PLAN_COMMITMENT:
        rate = contract.penalty_rate
        raw = commitment * months * rate
    else:
        raw = contract.fixed_penalty

    if effective_date >= end or raw <= 0:
        raw = ZERO
    cap_applied = cap is not None and raw > cap
    fee = cap if cap is not None and cap_applied else q(raw)
    if apply_waiver and contract.waiver_reason:
        fee = ZERO
    return FeeCalculation(
        fee=fee,
        uncapped=q(raw),
        calculation={
            "kind": contract.kind,
            "remaining_days": remaining_days,
            "total_days": total_days,
            "remaining_months": months,
            "rate": rate,
            "monthly_commitment": commitment if commitment > 0 else None,
            "subsidy_amount": subsidy,
            "cap": cap,
            "cap_applied": cap_applied,
        },
    )
