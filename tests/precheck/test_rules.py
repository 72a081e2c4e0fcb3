"""One table per rule: when it fires, when it does not, and the edges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cancelsvc.precheck.result import ACTION, BLOCKER, INFO, WARNING
from cancelsvc.precheck.rules import (
    CODES,
    CONCERNS,
    RULES,
    RuleContext,
    balance,
    contract,
    device,
    family,
    loyalty,
    services,
)
from cancelsvc.precheck.rules import account as account_rules
from cancelsvc.precheck.snapshot import OpenRequestRef

TODAY = dt.date(2026, 11, 23)


def fire(rule, acc, effective_date=TODAY):
    """``(code, amount, refs)`` of what ``rule`` finds."""
    ctx = RuleContext(account=acc, channel="app", effective_date=effective_date, today=TODAY)
    return [(f.code, f.amount, f.refs) for f in rule(ctx)]


def findings(rule, acc, effective_date=TODAY):
    ctx = RuleContext(account=acc, channel="app", effective_date=effective_date, today=TODAY)
    return rule(ctx)


OPEN = OpenRequestRef(id="req-9", tracking_code="CX7K3M9Q2PRT")


@pytest.mark.parametrize(
    ("rule", "overrides", "expected"),
    [
        (account_rules.account_cancelled, {"status": "cancelled"}, ["account.cancelled"]),
        (account_rules.account_cancelled, {"status": "active"}, []),
        (account_rules.account_cancelled, {"status": "suspended"}, []),
        (account_rules.request_open, {"open_request": OPEN}, ["request.open"]),
        (account_rules.request_open, {"open_request": None}, []),
        (account_rules.legal_hold, {"holds": ["legal_hold"]}, ["account.legal_hold"]),
        (account_rules.legal_hold, {"holds": ["porting_in_progress"]}, []),
        (account_rules.legal_hold, {"holds": ["legal_hold", "fraud_suspension"]}, ["account.legal_hold"]),
        (account_rules.suspended, {"holds": ["fraud_suspension"]}, ["account.suspended"]),
        (account_rules.suspended, {"status": "suspended"}, ["account.suspended"]),
        (account_rules.suspended, {"status": "suspended", "holds": ["fraud_suspension"]}, ["account.suspended"]),
        (account_rules.suspended, {"holds": ["legal_hold"]}, []),
        (account_rules.porting, {"holds": ["porting_in_progress"]}, ["account.porting"]),
        (account_rules.porting, {"holds": []}, []),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_account_rules(account, rule, overrides, expected):
    found = findings(rule, account(**overrides))
    assert [f.code for f in found] == expected
    assert all(f.severity == BLOCKER and f.amount is None for f in found)


def test_request_open_names_the_tracking_code(account):
    (found,) = findings(account_rules.request_open, account(open_request=OPEN))
    assert found.params["tracking_code"] == "CX7K3M9Q2PRT"
    assert found.refs == ("req-9",)


@pytest.mark.parametrize(
    ("case", "contract_", "effective_date", "expected"),
    [
        # 2026-11-23 + 13 months = 2027-12-23 < 2027-12-31, so 14 months: 100 × 14 × 0.30
        ("plan fires", {}, TODAY, [("contract.early_termination", Decimal("420.00"), ("K-1",))]),
        ("ends on the effective date", {"end_date": TODAY}, TODAY, []),
        ("ended before", {"end_date": dt.date(2026, 6, 30)}, TODAY, []),
        (
            "ends the day after",
            {"end_date": dt.date(2026, 11, 24)},
            TODAY,
            [("contract.early_termination", Decimal("30.00"), ("K-1",))],
        ),
        ("waived", {"waiver_reason": "terms_changed"}, TODAY, []),
        ("zero commitment", {"monthly_commitment": Decimal("0")}, TODAY, []),
        # 2027-06-30 + 6 months = 2027-12-30 < 2027-12-31: 7 months, 100 × 7 × 0.30
        (
            "later effective date lowers the fee",
            {},
            dt.date(2027, 6, 30),
            [("contract.early_termination", Decimal("210.00"), ("K-1",))],
        ),
        (
            "handset not started yet: the whole subsidy",
            {
                "kind": "handset_subsidy",
                "start_date": dt.date(2026, 12, 1),
                "end_date": dt.date(2027, 12, 1),
                "monthly_commitment": Decimal("0"),
                "subsidy_amount": Decimal("1000.00"),
            },
            TODAY,
            [("contract.early_termination", Decimal("1000.00"), ("K-1",))],
        ),
        (
            "fixed term capped at 10 × 14",
            {"kind": "fixed_term", "monthly_commitment": Decimal("10.00"), "fixed_penalty": Decimal("500.00")},
            TODAY,
            [("contract.early_termination", Decimal("140.00"), ("K-1",))],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_early_termination(account, case, contract_, effective_date, expected):
    assert fire(contract.early_termination, account(contracts=[contract_]), effective_date) == expected


@pytest.mark.parametrize(
    ("kind", "overrides", "variant"),
    [
        (
            "handset_subsidy",
            {"subsidy_amount": Decimal("1200.00"), "monthly_commitment": Decimal("0")},
            "handset_subsidy",
        ),
        (
            "handset_subsidy",
            {"subsidy_amount": Decimal("1200.00"), "monthly_commitment": Decimal("1.00")},
            "handset_subsidy_capped",
        ),
        ("plan_commitment", {}, "plan_commitment"),
        ("fixed_term", {"fixed_penalty": Decimal("50.00")}, "fixed_term"),
        ("fixed_term", {"fixed_penalty": Decimal("5000.00")}, "fixed_term_capped"),
    ],
)
def test_early_termination_text_variant(account, kind, overrides, variant):
    (found,) = findings(contract.early_termination, account(contracts=[{"kind": kind, **overrides}]))
    assert found.variant == variant
    assert found.severity == ACTION and found.est_working_days == (1, 4)
    assert [r.code for r in found.remedies] == ["fee.pay", "fee.schedule_at_end"]


@pytest.mark.parametrize(
    ("case", "contract_", "expected_fee", "variant"),
    [
        ("waived plan", {"waiver_reason": "terms_changed"}, Decimal("420.00"), None),
        (
            "waived but nothing would be due",
            {"waiver_reason": "goodwill", "monthly_commitment": Decimal("0")},
            Decimal("0.00"),
            "nothing_due",
        ),
        ("ended waived contract", {"waiver_reason": "terms_changed", "end_date": TODAY}, None, None),
        ("not waived", {}, None, None),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_waived(account, case, contract_, expected_fee, variant):
    found = findings(contract.waived, account(contracts=[contract_]))
    if expected_fee is None:
        assert found == []
        return
    (f,) = found
    assert (f.code, f.severity, f.amount, f.refs) == ("contract.waived", INFO, Decimal("0.00"), ("K-1",))
    assert f.params["fee"] == expected_fee
    assert f.variant == variant


@pytest.mark.parametrize(
    ("case", "overrides", "expected"),
    [
        ("unpaid bill", {"bills": [{}]}, [("balance.settle", Decimal("100.00"), ("2026-10",))]),
        ("unbilled only", {"unbilled_amount": Decimal("23.50")}, [("balance.settle", Decimal("23.50"), ())]),
        (
            "partly paid",
            {"bills": [{"amount_paid": Decimal("99.99")}]},
            [("balance.settle", Decimal("0.01"), ("2026-10",))],
        ),
        ("credit covers all", {"bills": [{}], "prepaid_credit": Decimal("100.00")}, []),
        ("credit left over", {"prepaid_credit": Decimal("50.00")}, []),
        ("overpaid bill is not credit", {"bills": [{"amount_paid": Decimal("150.00")}]}, []),
        ("disputed bill is not in the net", {"bills": [{"disputed": True}]}, []),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_balance_settle(account, case, overrides, expected):
    assert fire(balance.settle, account(**overrides)) == expected


@pytest.mark.parametrize(
    ("case", "overrides", "expected"),
    [
        ("credit only", {"prepaid_credit": Decimal("50.00")}, [("balance.refund", Decimal("50.00"), ())]),
        (
            "credit above the bills",
            {"prepaid_credit": Decimal("130.00"), "bills": [{}], "unbilled_amount": Decimal("10.00")},
            [("balance.refund", Decimal("20.00"), ())],
        ),
        ("net zero", {"prepaid_credit": Decimal("100.00"), "bills": [{}]}, []),
        ("owes", {"bills": [{}]}, []),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_balance_refund(account, case, overrides, expected):
    assert fire(balance.refund, account(**overrides)) == expected


@pytest.mark.parametrize(
    ("case", "bills", "expected"),
    [
        (
            "disputed unpaid",
            [{"disputed": True, "amount_due": Decimal("60.00")}],
            [("balance.disputed", Decimal("60.00"), ("2026-10",))],
        ),
        (
            "two disputed, one paid",
            [{"disputed": True, "period": "2026-09"}, {"disputed": True, "amount_paid": Decimal("100.00")}],
            [("balance.disputed", Decimal("100.00"), ("2026-09",))],
        ),
        ("disputed and paid", [{"disputed": True, "amount_paid": Decimal("100.00")}], []),
        ("undisputed", [{}], []),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_balance_disputed(account, case, bills, expected):
    found = findings(balance.disputed, account(bills=bills))
    assert [(f.code, f.amount, f.refs) for f in found] == expected
    assert all(f.severity == WARNING for f in found)


@pytest.mark.parametrize(
    ("case", "devices", "expected"),
    [
        ("rented, not returned", [{}], [("device.return", Decimal("300.00"), ("ONT-1",))]),
        ("rented, returned", [{"returned_on": dt.date(2026, 11, 1)}], []),
        ("owned", [{"ownership": "owned"}], []),
        ("installment device", [{"ownership": "installment", "installment_remaining": Decimal("5")}], []),
        (
            "two routers",
            [{}, {"serial": "ONT-2", "replacement_value": Decimal("150.00")}],
            [("device.return", Decimal("300.00"), ("ONT-1",)), ("device.return", Decimal("150.00"), ("ONT-2",))],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_device_return(account, case, devices, expected):
    assert fire(device.device_return, account(devices=devices)) == expected


@pytest.mark.parametrize(
    ("case", "devices", "expected"),
    [
        (
            "installments left",
            [{"ownership": "installment", "installment_remaining": Decimal("800.00")}],
            [("device.installment", Decimal("800.00"), ("ONT-1",))],
        ),
        ("paid off", [{"ownership": "installment", "installment_remaining": Decimal("0")}], []),
        (
            "a cent left",
            [{"ownership": "installment", "installment_remaining": Decimal("0.01")}],
            [("device.installment", Decimal("0.01"), ("ONT-1",))],
        ),
        ("rented", [{}], []),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_device_installment(account, case, devices, expected):
    assert fire(device.installment, account(devices=devices)) == expected


@pytest.mark.parametrize(
    ("case", "rule", "service", "expected"),
    [
        ("operator service", services.operator_service, {}, [("service.cancel", Decimal("9.90"), ("VAS-1",))]),
        ("operator, cancelled", services.operator_service, {"status": "cancelled"}, []),
        ("third party is not ours", services.operator_service, {"provider": "third_party"}, []),
        (
            "third party",
            services.third_party_service,
            {"provider": "third_party"},
            [("service.cancel_third_party", Decimal("9.90"), ("VAS-1",))],
        ),
        (
            "third party, cancelled",
            services.third_party_service,
            {"provider": "third_party", "status": "cancelled"},
            [],
        ),
        (
            "renews on the effective date",
            services.renews_before_effective,
            {"auto_renew": True, "renews_on": TODAY},
            [("service.renews_before_effective", Decimal("9.90"), ("VAS-1",))],
        ),
        (
            "renews after",
            services.renews_before_effective,
            {"auto_renew": True, "renews_on": TODAY + dt.timedelta(days=1)},
            [],
        ),
        ("no auto-renew", services.renews_before_effective, {"auto_renew": False, "renews_on": TODAY}, []),
        ("no renewal date", services.renews_before_effective, {"auto_renew": True}, []),
        (
            "cancelled",
            services.renews_before_effective,
            {"auto_renew": True, "renews_on": TODAY, "status": "cancelled"},
            [],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_services(account, case, rule, service, expected):
    assert fire(rule, account(services=[service])) == expected


def test_service_severities_and_estimates(account):
    acc = account(services=[{}, {"code": "TP", "provider": "third_party"}])
    (own,) = findings(services.operator_service, acc)
    (other,) = findings(services.third_party_service, acc)
    assert (own.severity, own.est_working_days, CODES["service.cancel"].self_service) == (ACTION, (0, 1), True)
    assert [r.code for r in own.remedies] == ["service.auto_cancel"]
    assert (other.severity, other.est_working_days) == (ACTION, (1, 2))


@pytest.mark.parametrize(
    ("renews_on", "effective_date", "remedies"),
    [
        (dt.date(2026, 12, 1), dt.date(2026, 12, 5), ["service.turn_off_renewal", "service.choose_earlier_date"]),
        (TODAY, TODAY, ["service.turn_off_renewal"]),
    ],
)
def test_renewal_remedies(account, renews_on, effective_date, remedies):
    acc = account(services=[{"auto_renew": True, "renews_on": renews_on}])
    (found,) = findings(services.renews_before_effective, acc, effective_date)
    assert found.severity == WARNING
    assert [r.code for r in found.remedies] == remedies


@pytest.mark.parametrize(
    ("case", "rule", "overrides", "expected"),
    [
        ("primary with members", family.reassign, {"family_role": "primary", "family_others": 2}, ["family.reassign"]),
        ("primary alone", family.reassign, {"family_role": "primary", "family_others": 0}, []),
        ("member does not reassign", family.reassign, {"family_role": "member", "family_others": 3}, []),
        ("no family", family.reassign, {}, []),
        ("member leaves", family.leave, {"family_role": "member", "family_others": 1}, ["family.leave"]),
        ("primary does not leave", family.leave, {"family_role": "primary"}, []),
        ("no family", family.leave, {}, []),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_family(account, case, rule, overrides, expected):
    found = findings(rule, account(family_group_code="FAM-1", **overrides))
    assert [f.code for f in found] == expected
    for f in found:
        assert f.severity == CODES[f.code].severity
        assert f.est_working_days == ((1, 3) if f.code == "family.reassign" else None)


@pytest.mark.parametrize(("points", "fires"), [(1200, True), (1, True), (0, False)])
def test_loyalty_points(account, points, fires):
    found = findings(loyalty.points, account(loyalty_points=points))
    assert [f.code for f in found] == (["loyalty.points"] if fires else [])
    assert all(f.severity == INFO and f.params["points"] == points for f in found)


def test_registry_runs_every_concern_in_spec_order():
    concerns = [r.__module__.rsplit(".", 1)[-1] for r in RULES]
    assert concerns == sorted(
        concerns, key=["account", "contract", "balance", "device", "services", "family", "loyalty"].index
    )
    assert len(RULES) == 18
    assert list(dict.fromkeys(concerns)) == list(CONCERNS)  # every concern module is listed


def test_marking_a_rule_registers_nothing():
    from cancelsvc.precheck.rules.base import rule, rules_of

    before = tuple(RULES)
    marked = rule(lambda ctx: [])
    assert tuple(RULES) == before and marked not in RULES
    assert rules_of([loyalty]) == (loyalty.points,)


def test_severities_match_the_spec_table():
    expected = {
        "account.cancelled": BLOCKER,
        "request.open": BLOCKER,
        "account.legal_hold": BLOCKER,
        "account.suspended": BLOCKER,
        "account.porting": BLOCKER,
        "contract.early_termination": ACTION,
        "contract.waived": INFO,
        "balance.settle": ACTION,
        "balance.refund": INFO,
        "balance.disputed": WARNING,
        "device.return": ACTION,
        "device.installment": ACTION,
        "service.cancel": ACTION,
        "service.cancel_third_party": ACTION,
        "service.renews_before_effective": WARNING,
        "family.reassign": ACTION,
        "family.leave": INFO,
        "loyalty.points": INFO,
    }
    assert {code: spec.severity for code, spec in CODES.items()} == expected
    estimates = {code: spec.est_working_days for code, spec in CODES.items() if spec.est_working_days}
    assert estimates == {
        "contract.early_termination": (1, 4),
        "balance.settle": (0, 1),
        "device.return": (5, 7),
        "device.installment": (0, 1),
        "service.cancel": (0, 1),
        "service.cancel_third_party": (1, 2),
        "family.reassign": (1, 3),
    }
