"""The pre-check's result, locale-independent: findings, checklist, alternatives, ETA.

Texts are not stored here, only the keys and parameters to render them with
(``cancelsvc.texts``): a finding's title is ``"<code>.title"`` and its detail
``"<code>.detail"`` or ``"<code>.detail.<variant>"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from models.vocabulary import ItemStatus, Owner

# A text parameter: Decimal is money, date is a calendar date, a tuple of strings is
# a list (e.g. bill periods), the rest print as is.
Param = str | int | Decimal | dt.date | tuple[str, ...]
Params = Mapping[str, Param]

BLOCKER, ACTION, WARNING, INFO = "blocker", "action", "warning", "info"
SEVERITY_RANK = {BLOCKER: 0, ACTION: 1, WARNING: 2, INFO: 3}

GREEN, YELLOW, RED = "green", "yellow", "red"

CUSTOMER, OPERATOR, CLERK = Owner.CUSTOMER, Owner.OPERATOR, Owner.CLERK
TODO, DONE, WAIVED, NOT_APPLICABLE = ItemStatus.TODO, ItemStatus.DONE, ItemStatus.WAIVED, ItemStatus.NOT_APPLICABLE


def _no_params() -> dict[str, Param]:
    return {}


@dataclass(frozen=True, slots=True)
class Remedy:
    """Something the customer can do about a finding; label key ``remedy.<code>``."""

    code: str
    self_service: bool
    params: Params = field(default_factory=_no_params)


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule outcome (domain.md §2)."""

    code: str
    severity: str
    amount: Decimal | None = None
    refs: tuple[str, ...] = ()
    remedies: tuple[Remedy, ...] = ()
    est_working_days: tuple[int, int] | None = None
    calculation: Mapping[str, Any] | None = None
    params: Params = field(default_factory=_no_params)
    variant: str | None = None


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """A to-do or notice on the cancellation checklist (domain.md §2.4).

    ``key`` is unique within a checklist (``code``, or ``code:ref`` for items about one
    contract, device or service); ``code`` alone repeats when, say, two routers are due.
    """

    key: str
    code: str
    owner: str
    status: str
    required: bool
    self_service: bool
    amount: Decimal | None = None
    est_working_days: tuple[int, int] | None = None
    refs: tuple[str, ...] = ()
    params: Params = field(default_factory=_no_params)
    variant: str | None = None


@dataclass(frozen=True, slots=True)
class Alternative:
    """An option instead of cancelling now; texts ``alternative.<code>.title/detail``."""

    code: str
    effective_date: dt.date | None = None
    saving: Decimal | None = None
    monthly_fee: Decimal | None = None
    refs: tuple[str, ...] = ()
    params: Params = field(default_factory=_no_params)


@dataclass(frozen=True, slots=True)
class Eta:
    """The window in which the number can be deactivated."""

    earliest: dt.date
    latest: dt.date


@dataclass(frozen=True, slots=True)
class PrecheckOutcome:
    """Everything a pre-check decided, ready to store and to render in any language."""

    account_id: int
    channel: str
    effective_date: dt.date
    today: dt.date
    result: str
    eligible_now: bool
    can_submit: bool
    findings: tuple[Finding, ...]
    checklist: tuple[ChecklistItem, ...]
    alternatives: tuple[Alternative, ...]
    eta: Eta | None

    def findings_with(self, code: str) -> tuple[Finding, ...]:
        """The findings with ``code``, in order."""
        return tuple(f for f in self.findings if f.code == code)
