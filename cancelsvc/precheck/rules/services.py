"""Value-added services: cancelled for the customer, with a provider, or renewing soon."""

from __future__ import annotations

from cancelsvc.precheck.codes import FindingCode
from cancelsvc.precheck.result import Finding, Param
from cancelsvc.precheck.rules.base import RuleContext, finding, remedy, rule
from cancelsvc.precheck.snapshot import ServiceSnap


def _active(ctx: RuleContext, provider: str | None = None) -> list[ServiceSnap]:
    return [s for s in ctx.account.services if s.status == "active" and (provider is None or s.provider == provider)]


def _params(s: ServiceSnap) -> dict[str, Param]:
    return {"service": s.name or s.code, "code": s.code}


@rule
def operator_service(ctx: RuleContext) -> list[Finding]:
    """Our own services: we cancel them at deactivation (self-service)."""
    return [
        finding(FindingCode.SERVICE_CANCEL, amount=s.monthly_fee, refs=(s.code,), params=_params(s))
        for s in _active(ctx, "operator")
    ]


@rule
def third_party_service(ctx: RuleContext) -> list[Finding]:
    """Third-party services are cancelled with their provider."""
    return [
        finding(FindingCode.SERVICE_CANCEL_THIRD_PARTY, amount=s.monthly_fee, refs=(s.code,), params=_params(s))
        for s in _active(ctx, "third_party")
    ]


@rule
def renews_before_effective(ctx: RuleContext) -> list[Finding]:
    """An auto-renewal falls on or before the effective date."""
    found = []
    for s in _active(ctx):
        if not (s.auto_renew and s.renews_on is not None and s.renews_on <= ctx.effective_date):
            continue
        remedies = [remedy("service.turn_off_renewal")]
        if s.renews_on > ctx.today:
            # Only offered when a date before the renewal is still ahead of us.
            remedies.append(remedy("service.choose_earlier_date", renews_on=s.renews_on))
        found.append(
            finding(
                FindingCode.SERVICE_RENEWS_BEFORE_EFFECTIVE,
                amount=s.monthly_fee,
                refs=(s.code,),
                params={**_params(s), "renews_on": s.renews_on, "effective_date": ctx.effective_date},
                remedies=tuple(remedies),
            )
        )
    return found
