"""Account state: blockers that stop a request from being submitted."""

from __future__ import annotations

from cancelsvc.precheck.codes import FindingCode
from cancelsvc.precheck.result import Finding
from cancelsvc.precheck.rules.base import RuleContext, finding, rule
from models.vocabulary import HoldKind


@rule
def account_cancelled(ctx: RuleContext) -> list[Finding]:
    """The number is already cancelled."""
    return [finding(FindingCode.ACCOUNT_CANCELLED)] if ctx.account.status == "cancelled" else []


@rule
def request_open(ctx: RuleContext) -> list[Finding]:
    """A cancellation request is already open; the detail gives its tracking code."""
    ref = ctx.account.open_request
    if ref is None:
        return []
    return [finding(FindingCode.REQUEST_OPEN, refs=(ref.id,), params={"tracking_code": ref.tracking_code})]


@rule
def legal_hold(ctx: RuleContext) -> list[Finding]:
    """A legal hold keeps the number until it is lifted."""
    return [finding(FindingCode.ACCOUNT_LEGAL_HOLD)] if HoldKind.LEGAL_HOLD in ctx.account.holds else []


@rule
def suspended(ctx: RuleContext) -> list[Finding]:
    """A fraud suspension or a suspended status (one finding for either or both)."""
    account = ctx.account
    if HoldKind.FRAUD_SUSPENSION in account.holds or account.status == "suspended":
        return [finding(FindingCode.ACCOUNT_SUSPENDED)]
    return []


@rule
def porting(ctx: RuleContext) -> list[Finding]:
    """A port-out is in progress."""
    return [finding(FindingCode.ACCOUNT_PORTING)] if HoldKind.PORTING_IN_PROGRESS in ctx.account.holds else []
