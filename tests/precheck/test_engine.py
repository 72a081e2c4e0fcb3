"""evaluate(): colour, checklist, alternatives and ETA."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cancelsvc.precheck.alternatives import MAX_ALTERNATIVES
from cancelsvc.precheck.engine import EffectiveDateInPast, resolve_effective_date
from cancelsvc.precheck.result import SEVERITY_RANK, Eta
from cancelsvc.workdays import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 23)


# --- Colour, eligible_now, can_submit ---------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "overrides", "result", "eligible_now", "can_submit"),
    [
        ("nothing to do", {}, "green", True, True),
        ("only infos", {"loyalty_points": 50, "family_role": "member"}, "green", True, True),
        ("a warning never blocks", {"bills": [{"disputed": True}]}, "green", True, True),
        ("an action", {"bills": [{}]}, "yellow", False, True),
        ("a blocker", {"holds": ["legal_hold"]}, "red", False, False),
        ("a blocker and actions", {"status": "cancelled", "bills": [{}]}, "red", False, False),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_colour(account, run, case, overrides, result, eligible_now, can_submit):
    outcome = run(account(**overrides))
    assert (outcome.result, outcome.eligible_now, outcome.can_submit) == (result, eligible_now, can_submit)


def test_sample_account_is_yellow(sample, run):
    outcome = run(sample)
    assert (outcome.result, outcome.eligible_now, outcome.can_submit) == ("yellow", False, True)
    # Actions, then infos; the video service renews on 12-01, after the effective date.
    assert [f.code for f in outcome.findings] == [
        "contract.early_termination",
        "contract.early_termination",
        "balance.settle",
        "device.return",
        "device.installment",
        "service.cancel",
        "family.reassign",
        "contract.waived",
        "loyalty.points",
    ]


def test_findings_come_blockers_first(rich, run):
    ranks = [SEVERITY_RANK[f.severity] for f in run(rich).findings]
    assert ranks == sorted(ranks)
    assert ranks[0] == 0


def test_arguments_are_checked(account, run):
    with pytest.raises(ValueError, match="unknown channel"):
        run(account(), channel="fax")
    with pytest.raises(EffectiveDateInPast):
        run(account(), effective_date=TODAY - dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("asap", TODAY), (TODAY, TODAY), (dt.date(2027, 1, 1), dt.date(2027, 1, 1))],
)
def test_resolve_effective_date(value, expected):
    assert resolve_effective_date(value, TODAY) == expected


def test_resolve_effective_date_refuses_the_past():
    with pytest.raises(EffectiveDateInPast):
        resolve_effective_date(dt.date(2026, 11, 22), TODAY)
    with pytest.raises(ValueError):
        resolve_effective_date("tomorrow", TODAY)


# --- Checklist ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "identity", "owner", "self_service"),
    [
        ("app", "identity.video", "customer", True),
        ("web", "identity.video", "customer", True),
        ("counter", "identity.documents", "clerk", False),
        ("phone", "identity.documents", "clerk", False),
    ],
)
def test_checklist_identity_item_per_channel(account, run, channel, identity, owner, self_service):
    checklist = run(account(), channel=channel).checklist
    assert [i.code for i in checklist] == [identity, "number.bindings"]
    first, last = checklist
    assert (first.owner, first.self_service, first.required, first.est_working_days, first.status) == (
        owner,
        self_service,
        True,
        (0, 1),
        "todo",
    )
    assert (last.required, last.est_working_days, last.owner) == (False, None, "customer")


def test_sample_checklist(sample, run):
    checklist = run(sample, channel="counter", effective_date=dt.date(2026, 12, 5)).checklist
    rows = [(i.key, i.owner, i.required, i.status, i.amount) for i in checklist]
    assert rows == [
        ("identity.documents", "clerk", True, "todo", None),
        # K-1: 1200 × 26 / 729 = 42.80; K-2: 128 × 6 × 0.30 = 230.40
        ("contract.early_termination:K-1", "customer", True, "todo", Decimal("42.80")),
        ("contract.early_termination:K-2", "customer", True, "todo", Decimal("230.40")),
        ("balance.settle", "customer", True, "todo", Decimal("151.50")),
        ("device.return:ONT-123", "customer", True, "todo", Decimal("300.00")),
        ("device.installment:860000000000001", "customer", True, "todo", Decimal("800.00")),
        ("service.cancel:VIDEO-VIP", "operator", True, "todo", Decimal("0.99")),
        ("family.reassign", "customer", True, "todo", None),
        ("service.renews_before_effective:VIDEO-VIP", "customer", False, "todo", Decimal("0.99")),
        ("contract.waived:K-3", "operator", False, "waived", Decimal("0.00")),
        ("loyalty.points", "customer", False, "todo", None),
        ("number.bindings", "customer", False, "todo", None),
    ]
    keys = [i.key for i in checklist]
    assert len(keys) == len(set(keys))
    service = checklist[6]
    assert service.self_service and service.est_working_days == (0, 1)


def test_blockers_are_not_checklist_items(rich, run):
    outcome = run(rich)
    codes = {i.code for i in outcome.checklist}
    assert not codes & {f.code for f in outcome.findings if f.severity == "blocker"}
    non_blocking = [f for f in outcome.findings if f.severity != "blocker"]
    assert len(outcome.checklist) == len(non_blocking) + 2


# --- Alternatives -----------------------------------------------------------------------------


def test_sample_alternatives(sample, run):
    alternatives = run(sample).alternatives
    assert [a.code for a in alternatives] == ["schedule_at_contract_end", "pause_number"]
    schedule, pause = alternatives
    # The latest end date among fee-bearing contracts (K-1 2026-12-31, K-2 2027-05-31);
    # K-3 is waived and does not count. The saving is the sum of both fees.
    assert schedule.effective_date == dt.date(2027, 5, 31)
    assert schedule.saving == Decimal("62.55") + Decimal("268.80")
    assert schedule.refs == ("K-1", "K-2")
    assert (pause.monthly_fee, pause.params["months"]) == (Decimal("5.00"), 12)


@pytest.mark.parametrize(
    ("case", "overrides", "codes"),
    [
        ("expensive plan, no commitment", {"plan_monthly_fee": Decimal("128.00")}, ["downgrade_plan", "pause_number"]),
        ("basic plan already", {"plan_monthly_fee": Decimal("19.00")}, ["pause_number"]),
        (
            "plan commitment still running",
            {"plan_monthly_fee": Decimal("128.00"), "contracts": [{}]},
            ["schedule_at_contract_end", "pause_number"],
        ),
        (
            "fee due and downgrade possible",
            {
                "plan_monthly_fee": Decimal("99.00"),
                "contracts": [{"kind": "fixed_term", "fixed_penalty": Decimal("50")}],
            },
            ["schedule_at_contract_end", "downgrade_plan", "pause_number"],
        ),
        ("porting", {"plan_monthly_fee": Decimal("128.00"), "contracts": [{}], "holds": ["porting_in_progress"]}, []),
        ("legal hold", {"holds": ["legal_hold"]}, []),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_alternatives(account, run, case, overrides, codes):
    alternatives = run(account(**overrides)).alternatives
    assert [a.code for a in alternatives] == codes
    assert len(alternatives) <= MAX_ALTERNATIVES


def test_downgrade_saving(account, run):
    (downgrade, _) = run(account(plan_monthly_fee=Decimal("128.00"))).alternatives
    assert (downgrade.monthly_fee, downgrade.saving) == (Decimal("19.00"), Decimal("109.00"))


def test_never_alternatives_while_porting(sample, run):
    porting = dataclasses.replace(sample, holds=("porting_in_progress",))
    outcome = run(porting)
    assert outcome.alternatives == ()
    assert outcome.result == "red"


# --- ETA ------------------------------------------------------------------------------------


def test_sample_eta(sample, run):
    # Required: device.return 5–7 is the largest. Monday 2026-11-23 + 5 working days is
    # Monday 11-30, + 7 is Wednesday 12-02; the cooling-off ends 11-26; effective 11-23.
    assert run(sample).eta == Eta(dt.date(2026, 11, 30), dt.date(2026, 12, 2))


def test_eta_cooling_off_dominates_for_a_clean_account(account, run):
    # identity.video 0–1: today / tomorrow, but 72 h from 10:00 on 11-23 is 11-26.
    assert run(account()).eta == Eta(dt.date(2026, 11, 26), dt.date(2026, 11, 26))


def test_eta_without_cooling_off(account, run):
    assert run(account(), cooling_off_hours=0).eta == Eta(TODAY, dt.date(2026, 11, 24))


def test_eta_effective_date_dominates(sample, run):
    later = dt.date(2027, 1, 10)
    assert run(sample, effective_date=later).eta == Eta(later, later)


def test_eta_cooling_off_is_a_date_in_the_customers_timezone(account, run):
    # 17:00 UTC on 11-23 is 01:00 on 11-24 in Shanghai; + 72 h is 01:00 on 11-27 there
    # (still 11-26 in UTC).
    now = dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.UTC)
    eta = run(account(), today=dt.date(2026, 11, 24), effective_date=dt.date(2026, 11, 24), now=now).eta
    assert eta == Eta(dt.date(2026, 11, 27), dt.date(2026, 11, 27))


def test_eta_across_spring_festival_2026(account, run):
    # Fri 2026-02-13; Sat 02-14 is a make-up working day; 02-15 to 02-23 are off; Sat
    # 02-28 is a make-up working day. +5 working days: 14, 24, 25, 26, 27 → 02-27;
    # +7: 28, then Monday 03-02.
    today = dt.date(2026, 2, 13)
    now = dt.datetime(2026, 2, 13, 9, 0, tzinfo=SHANGHAI)
    outcome = run(account(devices=[{}]), today=today, effective_date=today, now=now)
    assert outcome.eta == Eta(dt.date(2026, 2, 27), dt.date(2026, 3, 2))


def test_eta_honours_extra_holidays(account, run):
    calendar = WorkCalendar([dt.date(2026, 11, 30)])
    outcome = run(account(devices=[{}]), calendar=calendar)
    assert outcome.eta == Eta(dt.date(2026, 12, 1), dt.date(2026, 12, 3))


def test_no_eta_when_blocked(account, run):
    assert run(account(holds=["legal_hold"])).eta is None


def test_naive_now_is_refused(account, run):
    with pytest.raises(ValueError, match="timezone-aware"):
        run(account(), now=dt.datetime(2026, 11, 23, 10, 0))
