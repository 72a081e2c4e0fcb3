"""Loyalty points: a reminder to redeem them before deactivation."""

from __future__ import annotations

from cancelsvc.precheck.codes import FindingCode
from cancelsvc.precheck.result import Finding
from cancelsvc.precheck.rules.base import RuleContext, finding, rule


@rule
def points(ctx: RuleContext) -> list[Finding]:
    """Points left on the account."""
    left = ctx.account.loyalty_points
    if left <= 0:
        return []
    return [finding(FindingCode.LOYALTY_POINTS, params={"points": left, "effective_date": ctx.effective_date})]
