"""The pre-check: run every rule, then build the checklist, alternatives and ETA.

Pure: no database, no Flask, no clock (``today`` and ``now`` are passed in).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from cancelsvc.precheck.alternatives import build_alternatives
from cancelsvc.precheck.checklist import CHANNELS, build_checklist
from cancelsvc.precheck.codes import FindingCode
from cancelsvc.precheck.eta import compute_eta
from cancelsvc.precheck.result import (
    ACTION,
    BLOCKER,
    GREEN,
    RED,
    SEVERITY_RANK,
    YELLOW,
    Finding,
    PrecheckOutcome,
)
from cancelsvc.precheck.rules import RULES, RuleContext
from cancelsvc.precheck.snapshot import AccountSnap
from cancelsvc.workdays import WorkCalendar

ASAP = "asap"


class EffectiveDateInPast(ValueError):
    """The requested effective date is before the customer's today."""


def resolve_effective_date(value: dt.date | str, today: dt.date) -> dt.date:
    """``"asap"`` is the customer's today; a date before today is refused."""
    if value == ASAP:
        return today
    if not isinstance(value, dt.date):
        raise ValueError(f"effective date must be {ASAP!r} or a date, got {value!r}")
    _ensure_not_past(value, today)
    return value


def _redeem_before(f: Finding, earliest: dt.date) -> Finding:
    """Points are redeemed before deactivation, which comes at the earliest on ``earliest``
    (the ETA's first day, often days after an ``asap`` effective date)."""
    if f.code != FindingCode.LOYALTY_POINTS:
        return f
    return replace(f, variant="deactivation", params={**f.params, "deactivation_date": earliest})


def _ensure_not_past(effective_date: dt.date, today: dt.date) -> None:
    if effective_date < today:
        raise EffectiveDateInPast(f"effective date {effective_date.isoformat()} is before today {today.isoformat()}")


def evaluate(
    account: AccountSnap,
    channel: str,
    effective_date: dt.date,
    today: dt.date,
    now: dt.datetime,
    calendar: WorkCalendar,
    cooling_off_hours: int = 72,
) -> PrecheckOutcome:
    """Pre-check ``account`` for cancellation through ``channel`` on ``effective_date``.

    ``today`` is the customer's date and ``now`` an aware instant; findings come out
    blockers first, then actions, warnings and infos, each in rule order. ``eta`` is
    ``None`` when something blocks the request.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    _ensure_not_past(effective_date, today)
    ctx = RuleContext(account=account, channel=channel, effective_date=effective_date, today=today)
    findings = sorted((f for r in RULES for f in r(ctx)), key=lambda f: SEVERITY_RANK[f.severity])
    severities = {f.severity for f in findings}
    can_submit = BLOCKER not in severities
    eligible_now = can_submit and ACTION not in severities
    checklist = build_checklist(findings, channel)
    eta = None
    if can_submit:
        eta = compute_eta(
            checklist,
            today=today,
            now=now,
            timezone=account.timezone,
            effective_date=effective_date,
            calendar=calendar,
            cooling_off_hours=cooling_off_hours,
        )
        if any(f.code == FindingCode.LOYALTY_POINTS for f in findings):
            # Only the points' items change: the others are taken as made (no blocker here,
            # so every finding has its item, in order, between identity and bindings).
            made = {id(f): item for f, item in zip(findings, checklist[1:-1], strict=True)}
            redeemed = [_redeem_before(f, eta.earliest) for f in findings]  # ``findings`` kept alive
            checklist = build_checklist(redeemed, channel, made)
            findings = redeemed
    return PrecheckOutcome(
        account_id=account.id,
        channel=channel,
        effective_date=effective_date,
        today=today,
        result=GREEN if eligible_now else YELLOW if can_submit else RED,
        eligible_now=eligible_now,
        can_submit=can_submit,
        findings=tuple(findings),
        checklist=checklist,
        alternatives=build_alternatives(ctx, findings, can_submit),
        eta=eta,
    )
