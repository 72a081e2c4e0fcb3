"""Alternatives to cancelling now: one screen at most, cancelling stays one step away.

The pause fee and the basic plan are this product's defaults (docs/precheck.md); the
operator's counter staff confirm the exact plan at activation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from cancelsvc.precheck.codes import FindingCode
from cancelsvc.precheck.fees import PLAN_COMMITMENT
from cancelsvc.precheck.result import Alternative, Finding
from cancelsvc.precheck.rules.base import RuleContext

PAUSE_MONTHLY_FEE = Decimal("5.00")
PAUSE_MAX_MONTHS = 12
BASIC_PLAN_MONTHLY_FEE = Decimal("19.00")
MAX_ALTERNATIVES = 3


def schedule_at_contract_end(findings: Sequence[Finding]) -> Alternative | None:
    """Cancel on the latest end date of the fee-bearing contracts and pay no fee."""
    fees = [f for f in findings if f.code == FindingCode.CONTRACT_EARLY_TERMINATION]
    if not fees:
        return None
    return Alternative(
        code="schedule_at_contract_end",
        effective_date=max(_end_date(f) for f in fees),
        saving=sum((f.amount or Decimal(0) for f in fees), Decimal("0.00")),
        refs=tuple(ref for f in fees for ref in f.refs),
    )


def _end_date(fee: Finding) -> dt.date:
    """The ``end_date`` parameter of an early-termination finding (always a date)."""
    end = fee.params["end_date"]
    if not isinstance(end, dt.date):
        raise TypeError(f"{fee.code}: end_date is not a date: {end!r}")
    return end


def downgrade_plan(ctx: RuleContext) -> Alternative | None:
    """A basic plan, when it is cheaper and no plan commitment still runs."""
    account = ctx.account
    if account.plan_monthly_fee <= BASIC_PLAN_MONTHLY_FEE:
        return None
    if any(c.kind == PLAN_COMMITMENT and c.end_date > ctx.today for c in account.contracts):
        return None
    return Alternative(
        code="downgrade_plan",
        monthly_fee=BASIC_PLAN_MONTHLY_FEE,
        saving=account.plan_monthly_fee - BASIC_PLAN_MONTHLY_FEE,
        params={"current_fee": account.plan_monthly_fee},
    )


def pause_number() -> Alternative:
    """Keep the number for a small monthly fee."""
    return Alternative(code="pause_number", monthly_fee=PAUSE_MONTHLY_FEE, params={"months": PAUSE_MAX_MONTHS})


def build_alternatives(ctx: RuleContext, findings: Sequence[Finding], can_submit: bool) -> tuple[Alternative, ...]:
    """The alternatives worth showing; none while anything blocks (porting included)."""
    if not can_submit:
        return ()
    found = (schedule_at_contract_end(findings), downgrade_plan(ctx), pause_number())
    return tuple(a for a in found if a is not None)[:MAX_ALTERNATIVES]
