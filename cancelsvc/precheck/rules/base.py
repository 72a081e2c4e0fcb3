"""The rule mark and the table of finding codes (domain.md §2.1).

A rule is a function ``(ctx) -> list[Finding]`` decorated with ``@rule``; it decides
only *when* a code applies. Severity, working-day estimate, checklist owner, default
remedies, progress node and the meaning of its amount live in ``CODES`` below, in one
place: the request that follows a pre-check learns everything about an item from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from types import ModuleType
from typing import Any

from cancelsvc.precheck.balance import Balance, balance
from cancelsvc.precheck.codes import PAID_ROLES, AmountRole, FindingCode
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
from models.vocabulary import ITEM_NODES, NodeCode

__all__ = [
    "CONCERNS", "CODES", "REMEDIES", "CodeSpec", "RuleContext", "finding", "paid_codes", "remedy", "rule", "rules_of",
]


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

#: The concerns in the order of domain.md §2.1; rules run concern by concern (one module
#: each), and in definition order within a module.
CONCERNS = ("account", "contract", "balance", "device", "services", "family", "loyalty")

_MARK = "__cancelsvc_rule__"


def rule(fn: Rule) -> Rule:
    """Mark ``fn`` as a rule of its concern; adding a rule is adding one decorated function.

    Marking registers nothing: ``rules.RULES`` is read from the concern modules, listed there.
    """
    setattr(fn, _MARK, True)
    return fn


def rules_of(modules: Iterable[ModuleType]) -> tuple[Rule, ...]:
    """The rules defined in ``modules``, module by module, in definition order within each."""
    return tuple(fn for module in modules for fn in vars(module).values()
                 if getattr(fn, _MARK, False) and fn.__module__ == module.__name__)


@dataclass(frozen=True, slots=True)
class CodeSpec:
    """How a finding code behaves.

    ``owner`` is who acts on its checklist item; ``self_service`` says the item completes
    without a visit or a call with staff (online by the customer, or by our systems);
    ``per_ref`` gives one checklist item per contract, device or service; ``variants``
    are the detail texts it can use (``None`` is the plain ``<code>.detail``).

    What the request needs: ``node`` is the progress node its checklist item belongs
    to (every action has one); ``amount`` says what an amount on its findings is (a
    finding without a role carries none); paid money (``DUE``, ``REPLACEMENT``) also
    has a ``node`` and a ``settle_order``, the place in which payments settle it. A spec
    that lacks any of these is refused when it is written, so a new money rule cannot
    fall back to a default.
    """

    severity: str
    est_working_days: tuple[int, int] | None = None
    owner: str = CUSTOMER
    self_service: bool = True
    remedies: tuple[str, ...] = ()
    per_ref: bool = False
    variants: tuple[str | None, ...] = (None,)
    node: NodeCode | None = None
    amount: AmountRole | None = None
    settle_order: int | None = None

    def __post_init__(self) -> None:
        if self.node is not None and self.node not in ITEM_NODES:
            raise ValueError(f"checklist items belong to one of {', '.join(ITEM_NODES)}, not {self.node}")
        if self.severity == ACTION and self.node is None:
            raise ValueError("an action needs the progress node its checklist item belongs to")
        if self.paid and (self.node is None or self.settle_order is None):
            raise ValueError(f"paid money ({self.amount}) needs a node and a settle_order")
        if not self.paid and self.settle_order is not None:
            raise ValueError("only paid money (DUE, REPLACEMENT) has a settle_order")

    @property
    def paid(self) -> bool:
        """The customer pays this amount: payments settle it."""
        return self.amount in PAID_ROLES


C = FindingCode

CODES: dict[str, CodeSpec] = {  # keyed by FindingCode
    C.ACCOUNT_CANCELLED: CodeSpec(BLOCKER, owner=OPERATOR, self_service=False, remedies=("support.contact",)),
    C.REQUEST_OPEN: CodeSpec(BLOCKER, remedies=("request.track", "request.withdraw")),
    C.ACCOUNT_LEGAL_HOLD: CodeSpec(BLOCKER, owner=OPERATOR, self_service=False, remedies=("support.contact",)),
    C.ACCOUNT_SUSPENDED: CodeSpec(BLOCKER, self_service=False, remedies=("store.restore",)),
    C.ACCOUNT_PORTING: CodeSpec(BLOCKER, remedies=("porting.wait", "porting.cancel")),
    C.CONTRACT_EARLY_TERMINATION: CodeSpec(
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
        node=NodeCode.FEES_SETTLED,
        amount=AmountRole.DUE,
        settle_order=2,
    ),
    C.CONTRACT_WAIVED: CodeSpec(
        INFO, owner=OPERATOR, per_ref=True, variants=(None, "nothing_due"), amount=AmountRole.SHOWN
    ),
    C.BALANCE_SETTLE: CodeSpec(
        ACTION, (0, 1), remedies=("balance.pay",), variants=(None, "no_credit"),
        node=NodeCode.FEES_SETTLED, amount=AmountRole.DUE, settle_order=1,
    ),
    C.BALANCE_REFUND: CodeSpec(
        INFO, owner=OPERATOR, remedies=("refund.original_method",), amount=AmountRole.REFUND
    ),
    C.BALANCE_DISPUTED: CodeSpec(WARNING, owner=OPERATOR, remedies=("dispute.follow",), amount=AmountRole.SHOWN),
    C.DEVICE_RETURN: CodeSpec(
        ACTION,
        (5, 7),
        remedies=("device.return_store", "device.return_courier", "device.pay_replacement"),
        per_ref=True,
        node=NodeCode.DEVICES_RETURNED,
        amount=AmountRole.REPLACEMENT,
        settle_order=4,
    ),
    C.DEVICE_INSTALLMENT: CodeSpec(
        ACTION, (0, 1), remedies=("installment.pay_off",), per_ref=True,
        node=NodeCode.FEES_SETTLED, amount=AmountRole.DUE, settle_order=3,
    ),
    C.SERVICE_CANCEL: CodeSpec(
        ACTION, (0, 1), owner=OPERATOR, remedies=("service.auto_cancel",), per_ref=True,
        node=NodeCode.SERVICES_CANCELLED, amount=AmountRole.SHOWN,
    ),
    C.SERVICE_CANCEL_THIRD_PARTY: CodeSpec(
        ACTION, (1, 2), remedies=("service.cancel_with_provider",), per_ref=True,
        node=NodeCode.SERVICES_CANCELLED, amount=AmountRole.SHOWN,
    ),
    C.SERVICE_RENEWS_BEFORE_EFFECTIVE: CodeSpec(
        WARNING, remedies=("service.turn_off_renewal",), per_ref=True, amount=AmountRole.SHOWN
    ),
    C.FAMILY_REASSIGN: CodeSpec(
        ACTION, (1, 3), remedies=("family.transfer_primary", "family.dissolve"), node=NodeCode.FAMILY_RESOLVED
    ),
    C.FAMILY_LEAVE: CodeSpec(INFO, owner=OPERATOR),
    # "deactivation": the ETA is known, so the text names the first day the number may go.
    C.LOYALTY_POINTS: CodeSpec(INFO, remedies=("points.redeem",), variants=(None, "deactivation")),
}


def paid_codes() -> tuple[FindingCode, ...]:
    """The codes of paid money, in the order payments settle them."""
    paid = [(spec.settle_order or 0, FindingCode(code)) for code, spec in CODES.items() if spec.paid]
    return tuple(code for _, code in sorted(paid))


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
    """A finding with the severity, estimate and default remedies of ``code``.

    Raises ``ValueError`` when ``code`` does not say what its amount is (``CodeSpec.amount``).
    """
    spec = CODES[code]
    if amount is not None and spec.amount is None:
        raise ValueError(f"{code} carries an amount: give its CodeSpec an amount role (and a node if it is paid)")
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
