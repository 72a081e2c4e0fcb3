"""The codes of findings and procedural checklist items, and what an amount on them means.

The behaviour of each finding code (severity, owner, node, money) is its line in
``rules.base.CODES``; this module only names the values.
"""

from __future__ import annotations

from enum import StrEnum


class FindingCode(StrEnum):
    """Every finding a rule can produce (domain.md §2.1); also the code of its checklist item."""

    ACCOUNT_CANCELLED = "account.cancelled"
    REQUEST_OPEN = "request.open"
    ACCOUNT_LEGAL_HOLD = "account.legal_hold"
    ACCOUNT_SUSPENDED = "account.suspended"
    ACCOUNT_PORTING = "account.porting"
    CONTRACT_EARLY_TERMINATION = "contract.early_termination"
    CONTRACT_WAIVED = "contract.waived"
    BALANCE_SETTLE = "balance.settle"
    BALANCE_REFUND = "balance.refund"
    BALANCE_DISPUTED = "balance.disputed"
    DEVICE_RETURN = "device.return"
    DEVICE_INSTALLMENT = "device.installment"
    SERVICE_CANCEL = "service.cancel"
    SERVICE_CANCEL_THIRD_PARTY = "service.cancel_third_party"
    SERVICE_RENEWS_BEFORE_EFFECTIVE = "service.renews_before_effective"
    FAMILY_REASSIGN = "family.reassign"
    FAMILY_LEAVE = "family.leave"
    LOYALTY_POINTS = "loyalty.points"


class ProceduralCode(StrEnum):
    """Checklist items that are not findings: every checklist has them (domain.md §2.4)."""

    IDENTITY_DOCUMENTS = "identity.documents"
    IDENTITY_VIDEO = "identity.video"
    NUMBER_BINDINGS = "number.bindings"


class AmountRole(StrEnum):
    """What the amount of a finding is, for the request submitted from the pre-check.

    ``DUE`` and ``REPLACEMENT`` are *paid money*: payments settle them, in the order of
    their code's ``settle_order``. Only ``DUE`` sums make the quoted total (a replacement
    fee goes away when the device comes back).
    """

    DUE = "due"  # the customer pays it before deactivation
    REPLACEMENT = "replacement"  # the customer pays it unless the device comes back
    REFUND = "refund"  # paid back to the customer after deactivation
    SHOWN = "shown"  # for information only: a monthly fee, a disputed or a waived sum


PAID_ROLES = frozenset({AmountRole.DUE, AmountRole.REPLACEMENT})
