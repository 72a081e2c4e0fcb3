"""The balance (domain.md §2.3) and the findings it gives."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cancelsvc.precheck.balance import balance, disputed_unpaid, net_balance
from cancelsvc.precheck.snapshot import AccountSnap, BillSnap


def test_sample_account_owes_billed_plus_unbilled(sample, run):
    # 128.00 unpaid on 2026-10 + 23.50 unbilled − 0.00 credit
    assert net_balance(sample) == Decimal("151.50")
    (settle,) = run(sample).findings_with("balance.settle")
    assert (settle.severity, settle.amount, settle.refs) == ("action", Decimal("151.50"), ("2026-10",))
    assert settle.est_working_days == (0, 1)


def test_disputed_bill_is_left_out_of_the_net_and_shown_as_a_warning(sample, run, account):
    disputed = BillSnap("2026-09", Decimal("60.00"), Decimal("10.00"), None, True)
    acc = dataclasses.replace(sample, bills=(*sample.bills, disputed))
    assert net_balance(acc) == Decimal("151.50")
    assert disputed_unpaid(acc) == Decimal("50.00")
    outcome = run(acc)
    (warning,) = outcome.findings_with("balance.disputed")
    assert (warning.severity, warning.amount, warning.refs) == ("warning", Decimal("50.00"), ("2026-09",))
    assert outcome.can_submit  # never blocks
    (settle,) = outcome.findings_with("balance.settle")
    assert settle.amount == Decimal("151.50")


def test_prepaid_credit_is_refunded(account, run):
    acc = account(
        prepaid_credit=Decimal("200.00"), unbilled_amount=Decimal("23.50"), bills=[{"amount_due": Decimal("128.00")}]
    )
    assert net_balance(acc) == Decimal("-48.50")
    outcome = run(acc)
    (refund,) = outcome.findings_with("balance.refund")
    assert (refund.severity, refund.amount) == ("info", Decimal("48.50"))
    assert outcome.findings_with("balance.settle") == ()
    assert outcome.result == "green"


def test_installments_are_not_part_of_the_balance(account):
    acc = account(devices=[{"ownership": "installment", "installment_remaining": Decimal("800.00")}])
    assert net_balance(acc) == Decimal("0.00")


def test_settle_detail_variant_depends_on_credit(account, run):
    (with_credit,) = run(account(bills=[{}], prepaid_credit=Decimal("5.00"))).findings_with("balance.settle")
    (without,) = run(account(bills=[{}])).findings_with("balance.settle")
    assert (with_credit.variant, without.variant) == (None, "no_credit")


amounts = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False)
bills = st.builds(
    BillSnap,
    period=st.just("2026-01"),
    amount_due=amounts,
    amount_paid=amounts,
    due_date=st.none(),
    disputed=st.booleans(),
)


@given(st.lists(bills, max_size=6), amounts, amounts)
def test_net_is_billed_unpaid_plus_unbilled_minus_credit(bill_list, unbilled, credit):
    acc = AccountSnap(
        id=1, msisdn="+8613800138000", bills=tuple(bill_list), unbilled_amount=unbilled, prepaid_credit=credit
    )
    billed = sum((max(Decimal(0), b.amount_due - b.amount_paid) for b in bill_list if not b.disputed), Decimal(0))
    disputed = sum((max(Decimal(0), b.amount_due - b.amount_paid) for b in bill_list if b.disputed), Decimal(0))
    b = balance(acc)
    assert b.net == billed + unbilled - credit
    assert b.disputed_unpaid == disputed
    assert b.billed_unpaid >= 0
