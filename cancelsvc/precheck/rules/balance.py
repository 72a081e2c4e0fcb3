"""The balance (§2.3): settle, refund, and disputed bills carried forward."""

from __future__ import annotations

from cancelsvc.precheck.balance import unpaid
from cancelsvc.precheck.codes import FindingCode
from cancelsvc.precheck.result import Finding
from cancelsvc.precheck.rules.base import RuleContext, finding, rule


@rule
def settle(ctx: RuleContext) -> list[Finding]:
    """A positive net balance is paid before deactivation."""
    b = ctx.balance
    if b.net <= 0:
        return []
    periods = tuple(bill.period for bill in ctx.account.bills if not bill.disputed and unpaid(bill) > 0)
    return [
        finding(
            FindingCode.BALANCE_SETTLE,
            amount=b.net,
            refs=periods,
            params={"billed": b.billed_unpaid, "unbilled": b.unbilled, "credit": b.prepaid_credit},
            variant=None if b.prepaid_credit else "no_credit",
        )
    ]


@rule
def refund(ctx: RuleContext) -> list[Finding]:
    """A negative net balance is refunded after deactivation."""
    b = ctx.balance
    if b.net >= 0:
        return []
    return [
        finding(
            FindingCode.BALANCE_REFUND,
            amount=-b.net,
            params={"billed": b.billed_unpaid, "unbilled": b.unbilled, "credit": b.prepaid_credit},
        )
    ]


@rule
def disputed(ctx: RuleContext) -> list[Finding]:
    """Disputed bills with an unpaid amount: shown, never blocking, carried forward."""
    periods = tuple(bill.period for bill in ctx.account.bills if bill.disputed and unpaid(bill) > 0)
    if not periods:
        return []
    return [
        finding(
            FindingCode.BALANCE_DISPUTED,
            amount=ctx.balance.disputed_unpaid,
            refs=periods,
            params={"periods": periods},
        )
    ]
