"""The rule registry and the table of finding codes (domain.md §2.1).

A rule is a function ``(ctx) -> list[Finding]`` decorated with ``@rule``; it decides
only *when* a code applies. Severity, working-day estimate, checklist owner and default
remedies of each code live in ``CODES`` below, in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from cancelsvc.precheck.balance import Balance, balance
from cancelsvc.precheck.result import (
    ACTION,
    BLOCKER,
    CUSTOMER,
    INFO,
    OPERATOR,
    WARNING,
    Finding,
    Param,
    Remedy,
)
from cancelsvc.precheck.snapshot import AccountSnap

__all__ = ["CONCERNS", "CODES", "REMEDIES", "RULES", "CodeSpec", "RuleContext", "finding", "remedy", "rule"]


@dataclass(frozen=True)
class RuleContext:
    """What every rule sees; derived figures are computed once, on first use."""

    account: AccountSnap
    channel: str
    effective_date: dt.date
    today: dt.date

    @cached_property
    def balance(self) -> Balance:
        """The account's balance (§2.3)."""
        return balance(self.account)


Rule = Callable[[RuleContext], list[Finding]]

#: The concerns in the order of domain.md §2.1; rules run concern by concern, and in
#: definition order within a module, whatever order the modules were imported in.
CONCERNS = ("account", "contract", "balance", "device", "services", "family", "loyalty")

#: Every registered rule, in ``CONCERNS`` order.
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    """Register ``fn`` as a rule; adding a rule is adding one decorated function."""
    RULES.append(fn)
    RULES.sort(key=_concern_rank)  # stable: definition order within a concern
    return fn


def _concern_rank(fn: Rule) -> int:
    concern = fn.__module__.rsplit(".", 1)[-1]
    return CONCERNS.index(concern) if concern in CONCERNS else len(CONCERNS)


@dataclass(frozen=True, slots=True)
class CodeSpec:
    """How a finding code behaves.

    ``owner`` is who acts on its checklist item; ``self_service`` says the item completes
    without a visit or a call with staff (online by the customer, or by our systems);
    ``per_ref`` gives one checklist item per contract, device or service; ``variants``
    are the detail texts it can use (``None`` is the plain ``<code>.detail``).
    """

    severity: str
    est_working_days: tuple[int, int] | None = None
    owner: str = CUSTOMER
    self_service: bool = True
    remedies: tuple[str, ...] = ()
    per_ref: bool = False
    variants: tuple[str | None, ...] = (None,)


CODES: dict[str, CodeSpec] = {
    "account.cancelled": CodeSpec(BLOCKER, owner=OPERATOR, self_service=False, remedies=("support.contact",)),
    "request.open": CodeSpec(BLOCKER, remedies=("request.track", "request.withdraw")),
    "account.legal_hold": CodeSpec(BLOCKER, owner=OPERATOR, self_service=False, remedies=("support.contact",)),
    "account.suspended": CodeSpec(BLOCKER, self_service=False, remedies=("store.restore",)),
    "account.porting": CodeSpec(BLOCKER, remedies=("porting.wait", "porting.cancel")),
    "contract.early_termination": CodeSpec(
        ACTION,
        (1, 4),
        remedies=("fee.pay", "fee.schedule_at_end"),
        per_ref=True,
        variants=(
            "handset_subsidy",
            "handset_subsidy_capped",
            "plan_commitment",
            "fixed_term",
            "fixed_term_capped",
        ),
    ),
    "contract.waived": CodeSpec(INFO, owner=OPERATOR, per_ref=True, variants=(None, "nothing_due")),
    "balance.settle": CodeSpec(ACTION, (0, 1), remedies=("balance.pay",), variants=(None, "no_credit")),
    "balance.refund": CodeSpec(INFO, owner=OPERATOR, remedies=("refund.original_method",)),
    "balance.disputed": CodeSpec(WARNING, owner=OPERATOR, remedies=("dispute.follow",)),
    "device.return": CodeSpec(
        ACTION,
        (5, 7),
        remedies=("device.return_store", "device.return_courier", "device.pay_replacement"),
        per_ref=True,
    ),
    "device.installment": CodeSpec(ACTION, (0, 1), remedies=("installment.pay_off",), per_ref=True),
    "service.cancel": CodeSpec(ACTION, (0, 1), owner=OPERATOR, remedies=("service.auto_cancel",), per_ref=True),
    "service.cancel_third_party": CodeSpec(ACTION, (1, 2), remedies=("service.cancel_with_provider",), per_ref=True),
    "service.renews_before_effective": CodeSpec(WARNING, remedies=("service.turn_off_renewal",), per_ref=True),
    "family.reassign": CodeSpec(ACTION, (1, 3), remedies=("family.transfer_primary", "family.dissolve")),
    "family.leave": CodeSpec(INFO, owner=OPERATOR),
    "loyalty.points": CodeSpec(INFO, remedies=("points.redeem",)),
}

#: Remedy code -> self-service (the customer can do it online, without staff).
REMEDIES: dict[str, bool] = {
    "support.contact": False,
    "request.track": True,
    "request.withdraw": True,
    "store.restore": False,
    "porting.wait": True,
    "porting.cancel": True,
    "fee.pay": True,
    "fee.schedule_at_end": True,
    "balance.pay": True,
    "refund.original_method": True,
    "dispute.follow": True,
    "device.return_store": False,
    "device.return_courier": True,
    "device.pay_replacement": True,
    "installment.pay_off": True,
    "service.auto_cancel": True,
    "service.cancel_with_provider": True,
    "service.turn_off_renewal": True,
    "service.choose_earlier_date": True,
    "family.transfer_primary": True,
    "family.dissolve": True,
    "points.redeem": True,
}

_DEFAULT_REMEDIES = {code: tuple(Remedy(r, REMEDIES[r]) for r in spec.remedies) for code, spec in CODES.items()}


def remedy(code: str, **params: Param) -> Remedy:
    """A remedy with text parameters (its self-service flag comes from ``REMEDIES``)."""
    return Remedy(code, REMEDIES[code], params)


def finding(
    code: str,
    *,
    amount: Decimal | None = None,
    refs: tuple[str, ...] = (),
    params: Mapping[str, Param] | None = None,
    calculation: Mapping[str, Any] | None = None,
    variant: str | None = None,
    remedies: tuple[Remedy, ...] | None = None,
) -> Finding:
    """A finding with the severity, estimate and default remedies of ``code``."""
    spec = CODES[code]
    return Finding(
        code=code,
        severity=spec.severity,
        amount=amount,
        refs=refs,
        remedies=_DEFAULT_REMEDIES[code] if remedies is None else remedies,
        est_working_days=spec.est_working_days,
        calculation=calculation,
        params=params or {},
        variant=variant,
    )
