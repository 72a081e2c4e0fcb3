"""What a finding code tells the request that follows: its node and whether its amount is paid.

A money rule whose code does not say what its amount is, or paid money without a node
and a settle order, fails here (and when its ``CodeSpec`` is written), instead of
falling back to a default node or never being settled by payments.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cancelsvc.precheck import checklist
from cancelsvc.precheck.codes import AmountRole, FindingCode, ProceduralCode
from cancelsvc.precheck.result import ACTION, BLOCKER, INFO, WARNING
from cancelsvc.precheck.rules import CODES, RULES, RuleContext, base, finding
from cancelsvc.precheck.rules.base import CodeSpec, paid_codes
from cancelsvc.requests import payments, progress, service
from models.vocabulary import ITEM_NODES, NodeCode
from tests.precheck.conftest import TODAY, build_account, rich_account

#: The progress node and money role of every finding code (domain.md §2.1, §3.1).
EXPECTED = {
    "account.cancelled": (None, None),
    "request.open": (None, None),
    "account.legal_hold": (None, None),
    "account.suspended": (None, None),
    "account.porting": (None, None),
    "contract.early_termination": ("fees_settled", "due"),
    "contract.waived": (None, "shown"),
    "balance.settle": ("fees_settled", "due"),
    "balance.refund": (None, "refund"),
    "balance.disputed": (None, "shown"),
    "device.return": ("devices_returned", "replacement"),
    "device.installment": ("fees_settled", "due"),
    "service.cancel": ("services_cancelled", "shown"),
    "service.cancel_third_party": ("services_cancelled", "shown"),
    "service.renews_before_effective": (None, "shown"),
    "family.reassign": ("family_resolved", None),
    "family.leave": (None, None),
    "loyalty.points": (None, None),
}


def test_every_finding_code_has_one_spec() -> None:
    assert set(CODES) == set(FindingCode)
    assert {code: (spec.node, spec.amount) for code, spec in CODES.items()} == EXPECTED


def test_payments_settle_paid_money_in_the_spec_order() -> None:
    order = ("balance.settle", "contract.early_termination", "device.installment", "device.return")
    assert paid_codes() == payments.PAYABLE_ORDER == order
    assert service.QUOTED_CODES == {"balance.settle", "contract.early_termination", "device.installment"}
    assert service.REFUND_CODES == {"balance.refund"}


def test_item_nodes_group_the_procedural_identity_steps_and_the_finding_codes() -> None:
    assert progress.NODE_ITEMS == {
        "identity_verified": ("identity.documents", "identity.video"),
        "fees_settled": ("contract.early_termination", "balance.settle", "device.installment"),
        "services_cancelled": ("service.cancel", "service.cancel_third_party"),
        "devices_returned": ("device.return",),
        "family_resolved": ("family.reassign",),
    }
    assert ProceduralCode.NUMBER_BINDINGS not in checklist.ITEM_NODE
    # Every action and every sum the customer pays belongs to a node.
    assert all(checklist.ITEM_NODE.get(code) in ITEM_NODES for code, spec in CODES.items()
               if spec.severity == ACTION or spec.paid)


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        (dict(severity=ACTION), "needs the progress node"),
        (dict(severity=ACTION, node=NodeCode.DEACTIVATED), "checklist items belong to one of"),
        (dict(severity=INFO, amount=AmountRole.DUE), "paid money"),
        (dict(severity=ACTION, node=NodeCode.FEES_SETTLED, amount=AmountRole.DUE), "paid money"),
        (dict(severity=ACTION, node=NodeCode.DEVICES_RETURNED, amount=AmountRole.REPLACEMENT), "paid money"),
        (dict(severity=WARNING, amount=AmountRole.SHOWN, settle_order=5), "only paid money"),
        (dict(severity=INFO, settle_order=5), "only paid money"),
    ],
)
def test_a_spec_without_what_the_request_needs_is_refused(spec: dict[str, object], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        CodeSpec(**spec)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "spec",
    [
        dict(severity=BLOCKER),
        dict(severity=INFO, amount=AmountRole.REFUND),
        dict(severity=ACTION, node=NodeCode.FEES_SETTLED, amount=AmountRole.DUE, settle_order=9),
        dict(severity=WARNING, amount=AmountRole.SHOWN),
    ],
)
def test_complete_specs_are_accepted(spec: dict[str, object]) -> None:
    assert CodeSpec(**spec).paid == (spec.get("amount") == AmountRole.DUE)  # type: ignore[arg-type]


def test_a_finding_with_an_amount_needs_its_code_to_say_what_the_amount_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CODES, "device.accessory_fee", CodeSpec(INFO))  # type: ignore[index]
    monkeypatch.setitem(base._DEFAULT_REMEDIES, "device.accessory_fee", ())
    with pytest.raises(ValueError, match="carries an amount"):
        finding("device.accessory_fee", amount=Decimal("49.00"))  # type: ignore[arg-type]
    assert finding("device.accessory_fee").amount is None  # type: ignore[arg-type]


def test_every_rule_says_what_its_amounts_are() -> None:
    """Every rule over an account that triggers every code: each amount has a role, paid money a node."""
    later = TODAY + dt.timedelta(days=30)
    cases = [
        (rich_account(), TODAY),
        (rich_account(), later),  # a service renews before the date
        (build_account(status="cancelled"), TODAY),
        (build_account(family_group_code="FAM-2", family_role="member", family_others=1), TODAY),
        (build_account(prepaid_credit=Decimal("50.00")), TODAY),  # a refund
    ]
    found = [f for acc, day in cases
             for rule in RULES for f in rule(RuleContext(account=acc, channel="app", effective_date=day, today=TODAY))]
    assert {f.code for f in found} == set(FindingCode)
    for f in found:
        spec = CODES[f.code]
        if f.amount is not None:
            assert spec.amount is not None, f.code
        if spec.paid:
            assert f.code in payments.PAYABLE_ORDER and checklist.ITEM_NODE[f.code] in ITEM_NODES
