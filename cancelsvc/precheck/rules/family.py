"""Family plans: a primary hands over the group, a member simply leaves it."""

from __future__ import annotations

from cancelsvc.precheck.codes import FindingCode
from cancelsvc.precheck.result import Finding
from cancelsvc.precheck.rules.base import RuleContext, finding, rule


@rule
def reassign(ctx: RuleContext) -> list[Finding]:
    """The primary of a group that still has other non-cancelled accounts."""
    account = ctx.account
    if account.family_role != "primary" or account.family_others <= 0:
        return []
    return [
        finding(
            FindingCode.FAMILY_REASSIGN,
            params={"group": account.family_group_code or "", "others": account.family_others},
        )
    ]


@rule
def leave(ctx: RuleContext) -> list[Finding]:
    """A member leaves the group at deactivation; the others keep their plans."""
    account = ctx.account
    if account.family_role != "member":
        return []
    return [finding(FindingCode.FAMILY_LEAVE, params={"group": account.family_group_code or ""})]
