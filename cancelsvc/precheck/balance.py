"""The account balance at cancellation, exactly as domain.md §2.3."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cancelsvc.common.money import ZERO, q
from cancelsvc.precheck.snapshot import AccountSnap, BillSnap


@dataclass(frozen=True, slots=True)
class Balance:
    """``net = billed_unpaid + unbilled − prepaid_credit``; disputed bills stay outside."""

    billed_unpaid: Decimal
    unbilled: Decimal
    prepaid_credit: Decimal
    net: Decimal
    disputed_unpaid: Decimal


def unpaid(bill: BillSnap) -> Decimal:
    """What is still open on one bill (never negative: overpayment is not credit here)."""
    return max(ZERO, q(bill.amount_due - bill.amount_paid))


def balance(account: AccountSnap) -> Balance:
    """The balance with its parts; installments are not part of it (device.installment)."""
    billed = disputed = ZERO
    for bill in account.bills:
        if bill.disputed:
            disputed += unpaid(bill)
        else:
            billed += unpaid(bill)
    unbilled, credit = q(account.unbilled_amount), q(account.prepaid_credit)
    return Balance(
        billed_unpaid=billed,
        unbilled=unbilled,
        prepaid_credit=credit,
        net=billed + unbilled - credit,
        disputed_unpaid=disputed,
    )


def net_balance(account: AccountSnap) -> Decimal:
    """Positive: the customer owes it; negative: we refund it."""
    return balance(account).net


def disputed_unpaid(account: AccountSnap) -> Decimal:
    """The unpaid sum of disputed bills (carried forward, never blocking)."""
    return balance(account).disputed_unpaid
