"""The early-termination fee (domain.md §2.2): properties and worked examples."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cancelsvc.precheck.fees import add_months, early_termination_fee, remaining_months
from cancelsvc.precheck.snapshot import ContractSnap

CENT = Decimal("0.01")
EFFECTIVE = dt.date(2026, 11, 23)

dates = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2036, 12, 31))
money = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=0, max_value=1, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def contracts(draw):
    start = draw(dates)
    end = start + dt.timedelta(days=draw(st.integers(min_value=1, max_value=5 * 366)))
    return ContractSnap(
        external_id="K",
        kind=draw(st.sampled_from(["handset_subsidy", "plan_commitment", "fixed_term"])),
        start_date=start,
        end_date=end,
        monthly_commitment=draw(money),
        subsidy_amount=draw(money),
        penalty_rate=draw(rates),
        fixed_penalty=draw(money),
    )


# --- add_months and remaining_months ------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),  # leap year: clamped to the 29th
        (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2024, 3, 31), 1, dt.date(2024, 4, 30)),
        (dt.date(2026, 11, 23), 2, dt.date(2027, 1, 23)),  # across the year end
        (dt.date(2026, 12, 31), 0, dt.date(2026, 12, 31)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("effective", "end", "months"),
    [
        (dt.date(2026, 1, 15), dt.date(2026, 2, 15), 1),
        (dt.date(2026, 1, 15), dt.date(2026, 2, 16), 2),  # a started month counts whole
        (dt.date(2026, 1, 15), dt.date(2026, 1, 16), 1),
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28), 1),  # 01-31 + 1 month = 02-28
        (dt.date(2024, 1, 31), dt.date(2024, 2, 29), 1),  # leap year
        (dt.date(2024, 1, 31), dt.date(2024, 3, 1), 2),
        (dt.date(2026, 11, 23), dt.date(2027, 5, 31), 7),
        (dt.date(2026, 11, 23), dt.date(2026, 11, 23), 0),
        (dt.date(2026, 12, 1), dt.date(2026, 11, 23), 0),
    ],
)
def test_remaining_months(effective, end, months):
    assert remaining_months(effective, end) == months


@given(dates, st.integers(min_value=-240, max_value=240))
def test_add_months_keeps_the_day_or_clamps(d, m):
    result = add_months(d, m)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == m
    next_month = add_months(result.replace(day=1), 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    assert result.day == min(d.day, last_day)


@given(dates, dates)
def test_remaining_months_is_the_smallest_covering_month_count(effective, end):
    m = remaining_months(effective, end)
    assert m >= 0
    assert add_months(effective, m) >= end
    if m > 0:
        assert add_months(effective, m - 1) < end


# --- Fee properties ---------------------------------------------------------------------


@settings(max_examples=300)
@given(contracts(), dates)
def test_fee_is_never_negative_and_never_above_the_cap(contract, effective):
    calc = early_termination_fee(contract, effective)
    c = calc.calculation
    assert calc.fee >= 0
    assert calc.fee == calc.fee.quantize(CENT)
    if c["cap"] is not None:
        assert calc.fee <= c["cap"]
    # Whatever the kind, never more than the rest of the commitment when there is one.
    if contract.monthly_commitment > 0:
        assert calc.fee <= contract.monthly_commitment * c["remaining_months"]
    assert set(c) == {
        "kind",
        "remaining_days",
        "total_days",
        "remaining_months",
        "rate",
        "monthly_commitment",
        "subsidy_amount",
        "cap",
        "cap_applied",
    }


@given(contracts(), st.integers(min_value=0, max_value=2000))
def test_fee_is_zero_on_and_after_the_end_date(contract, days_after):
    effective = contract.end_date + dt.timedelta(days=days_after)
    assert early_termination_fee(contract, effective).fee == 0


@settings(max_examples=300)
@given(contracts(), dates, dates)
def test_fee_never_increases_as_the_effective_date_moves_later(contract, a, b):
    early, late = sorted((a, b))
    assert early_termination_fee(contract, late).fee <= early_termination_fee(contract, early).fee


@given(contracts(), dates)
def test_waiver_always_means_zero(contract, effective):
    waived = dataclasses.replace(contract, waiver_reason="goodwill")
    assert early_termination_fee(waived, effective).fee == 0
    assert early_termination_fee(waived, effective, apply_waiver=False) == early_termination_fee(contract, effective)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown contract kind"):
        early_termination_fee(ContractSnap("K", "lease", dt.date(2026, 1, 1), dt.date(2027, 1, 1)), EFFECTIVE)


# --- Worked examples: the sample account of domain.md §1 on 2026-11-23 ----------------------


def test_handset_subsidy_pro_rata_k1(sample):
    k1 = sample.contracts[0]
    total_days = (dt.date(2026, 12, 31) - dt.date(2025, 1, 1)).days
    remaining_days = (dt.date(2026, 12, 31) - EFFECTIVE).days
    assert (total_days, remaining_days) == (729, 38)
    # 2026-11-23 + 1 month = 2026-12-23 < 2026-12-31; + 2 months = 2027-01-23: 2 months
    cap = Decimal("99.00") * 2
    expected = (Decimal("1200.00") * remaining_days / total_days).quantize(CENT, ROUND_HALF_UP)
    assert expected == Decimal("62.55") and expected < cap

    calc = early_termination_fee(k1, EFFECTIVE)
    assert calc.fee == Decimal("62.55")
    assert calc.calculation == {
        "kind": "handset_subsidy",
        "remaining_days": 38,
        "total_days": 729,
        "remaining_months": 2,
        "rate": None,
        "monthly_commitment": Decimal("99.00"),
        "subsidy_amount": Decimal("1200.00"),
        "cap": Decimal("198.00"),
        "cap_applied": False,
    }


def test_plan_commitment_k2(sample):
    k2 = sample.contracts[1]
    # 2026-11-23 + 6 months = 2027-05-23 < 2027-05-31: 7 months
    expected = (Decimal("128.00") * 7 * Decimal("0.30")).quantize(CENT, ROUND_HALF_UP)
    assert expected == Decimal("268.80")
    calc = early_termination_fee(k2, EFFECTIVE)
    assert calc.fee == expected
    assert calc.calculation == {
        "kind": "plan_commitment",
        "remaining_days": None,
        "total_days": None,
        "remaining_months": 7,
        "rate": Decimal("0.30"),
        "monthly_commitment": Decimal("128.00"),
        "subsidy_amount": None,
        "cap": None,
        "cap_applied": False,
    }


def test_fixed_term_k3_is_waived(sample, run):
    k3 = sample.contracts[2]
    assert early_termination_fee(k3, EFFECTIVE).fee == Decimal("0.00")
    # Without the waiver: the fixed penalty, uncapped because the commitment is 0.00.
    assert early_termination_fee(k3, EFFECTIVE, apply_waiver=False).fee == Decimal("200.00")

    outcome = run(sample, effective_date=EFFECTIVE)
    (waived,) = outcome.findings_with("contract.waived")
    assert (waived.severity, waived.amount, waived.refs) == ("info", Decimal("0.00"), ("K-3",))
    fees = {f.refs[0]: f.amount for f in outcome.findings_with("contract.early_termination")}
    assert fees == {"K-1": Decimal("62.55"), "K-2": Decimal("268.80")}


def test_handset_cap_applies():
    # 1200 × 300 / 365 = 986.30 exceeds 50 × 10 months = 500.00
    contract = ContractSnap(
        "K",
        "handset_subsidy",
        dt.date(2026, 1, 1),
        dt.date(2027, 1, 1),
        monthly_commitment=Decimal("50.00"),
        subsidy_amount=Decimal("1200.00"),
    )
    effective = dt.date(2027, 1, 1) - dt.timedelta(days=300)
    calc = early_termination_fee(contract, effective)
    assert remaining_months(effective, contract.end_date) == 10
    assert (calc.fee, calc.uncapped, calc.calculation["cap_applied"]) == (Decimal("500.00"), Decimal("986.30"), True)


def test_fixed_term_cap_applies():
    contract = ContractSnap(
        "K",
        "fixed_term",
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
        monthly_commitment=Decimal("30.00"),
        fixed_penalty=Decimal("200.00"),
    )
    calc = early_termination_fee(contract, EFFECTIVE)  # 2 months left: cap 60.00
    assert (calc.fee, calc.calculation["cap"], calc.calculation["cap_applied"]) == (
        Decimal("60.00"),
        Decimal("60.00"),
        True,
    )


def test_handset_leap_year_counts_366_days():
    contract = ContractSnap(
        "K", "handset_subsidy", dt.date(2024, 1, 1), dt.date(2025, 1, 1), subsidy_amount=Decimal("366.00")
    )
    calc = early_termination_fee(contract, dt.date(2024, 12, 1))
    assert calc.calculation["total_days"] == 366
    assert calc.fee == Decimal("31.00")  # 366 × 31 / 366


def test_rounding_is_half_up():
    contract = ContractSnap(
        "K",
        "plan_commitment",
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 1),
        monthly_commitment=Decimal("0.05"),
        penalty_rate=Decimal("0.50"),
    )
    # 0.05 × 1 month × 0.50 = 0.025 → 0.03 half-up (0.02 with half-even)
    assert early_termination_fee(contract, dt.date(2026, 11, 23)).fee == Decimal("0.03")
