"""ETAs and SLA deadlines on the mainland-China calendar, late steps and revised ETAs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from cancelsvc.requests import progress
from cancelsvc.requests.presenter import progress_document
from cancelsvc.services import services
from cancelsvc.texts import format_day
from cancelsvc.workdays import WorkCalendar
from models import TimelineEntry, db
from tests.requests.conftest import Api, Clock, fresh, full_line, later, make_line, node

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hour, tzinfo=SHANGHAI)


def item(code: str, est: tuple[int, int], owner: str = "customer", status: str = "todo") -> progress.ItemFacts:
    return progress.ItemFacts(code, code, owner, True, status, est[0], est[1], None)


def facts(submitted: dt.datetime, items: list[progress.ItemFacts], **kw: Any) -> progress.RequestFacts:
    values: dict[str, Any] = {
        "state": "in_progress", "submitted_at": submitted, "withdraw_until": submitted + dt.timedelta(hours=72),
        "effective_date": submitted.date(), "timezone": "Asia/Shanghai", "items": items,
    }
    values.update(kw)
    return progress.RequestFacts(**values)


def by_code(nodes: list[progress.Node]) -> dict[str, progress.Node]:
    return {n.code: n for n in nodes}


NATIONAL_DAY_ITEMS = [item("identity.video", (0, 1)), item("family.reassign", (1, 3)), item("device.return", (5, 7))]


def test_national_day_is_skipped() -> None:
    # Wednesday 30 September 2026; 1–7 October are off, Saturday 10 October is a make-up working day.
    submitted = at(2026, 9, 30)
    nodes = by_code(progress.derive(facts(submitted, NATIONAL_DAY_ITEMS), at(2026, 9, 30, 11), WorkCalendar()))
    assert nodes["identity_verified"].expected_at == at(2026, 10, 8)
    assert nodes["family_resolved"].expected_at == at(2026, 10, 10)  # the make-up Saturday
    assert nodes["devices_returned"].expected_at == at(2026, 10, 15)
    assert nodes["devices_returned"].due_at == at(2026, 10, 15)  # SLA defaults to the estimate's max
    assert nodes["cooling_off"].expected_at == at(2026, 10, 3)  # hours, not working days
    deactivation = nodes["deactivated"]
    assert (deactivation.expected_at, deactivation.due_at) == (at(2026, 10, 15), at(2026, 10, 16))
    assert nodes["follow_up"].expected_at == at(2026, 10, 17)  # 48 hours, holidays or not
    assert nodes["refund_issued"].status == "skipped"
    eta = progress.eta(list(nodes.values()))
    assert eta == {"expected": at(2026, 10, 15), "earliest": at(2026, 10, 13), "latest": at(2026, 10, 16)}
    # Without the calendar the same request would be promised for 9 October.
    assert at(2026, 9, 30) + dt.timedelta(days=9) < eta["expected"]
    assert not any(n.sla_breached for n in nodes.values())


def test_spring_festival_is_skipped() -> None:
    # Friday 13 February 2026; Saturday 14 February is worked, 15–23 February are off.
    submitted = at(2026, 2, 13, 16)
    items = [item("identity.video", (0, 1)), item("balance.settle", (0, 1)), item("device.return", (5, 7))]
    nodes = by_code(progress.derive(facts(submitted, items), submitted, WorkCalendar()))
    assert nodes["identity_verified"].expected_at == at(2026, 2, 14, 16)
    assert nodes["fees_settled"].expected_at == at(2026, 2, 14, 16)
    assert nodes["devices_returned"].earliest_at == at(2026, 2, 27, 16)
    assert nodes["devices_returned"].expected_at == at(2026, 3, 2, 16)
    assert nodes["deactivated"].due_at == at(2026, 3, 3, 16)


def test_operator_holidays_move_the_eta_too() -> None:
    calendar = WorkCalendar(extra_holidays=[dt.date(2026, 10, 8)])
    nodes = by_code(progress.derive(facts(at(2026, 9, 30), NATIONAL_DAY_ITEMS), at(2026, 9, 30, 11), calendar))
    assert nodes["identity_verified"].expected_at == at(2026, 10, 9)
    assert nodes["devices_returned"].expected_at == at(2026, 10, 16)


def test_sla_per_node_is_configurable() -> None:
    request = facts(at(2026, 9, 30), NATIONAL_DAY_ITEMS, sla_working_days={"devices_returned": 10})
    nodes = by_code(progress.derive(request, at(2026, 9, 30, 11), WorkCalendar()))
    assert nodes["devices_returned"].expected_at == at(2026, 10, 15)
    assert nodes["devices_returned"].due_at == at(2026, 10, 20)


def test_a_late_step_is_breached_and_expected_one_working_day_from_now() -> None:
    now = at(2026, 10, 9, 12)  # identity was due on 8 October
    nodes = by_code(progress.derive(facts(at(2026, 9, 30), NATIONAL_DAY_ITEMS), now, WorkCalendar()))
    identity = nodes["identity_verified"]
    assert identity.sla_breached and identity.status == "in_progress"
    assert identity.expected_at == at(2026, 10, 10, 12)  # the make-up Saturday
    assert not nodes["devices_returned"].sla_breached


def test_done_on_time_is_not_breached_and_done_late_stays_breached() -> None:
    on_time = progress.ItemFacts("identity.video", "identity.video", "customer", True, "done", 0, 1,
                                 at(2026, 10, 8, 9))
    late = progress.ItemFacts("device.return", "device.return", "customer", True, "done", 5, 7, at(2026, 10, 16))
    nodes = by_code(progress.derive(facts(at(2026, 9, 30), [on_time, late]), at(2026, 10, 20), WorkCalendar()))
    assert nodes["identity_verified"].status == "done" and not nodes["identity_verified"].sla_breached
    assert nodes["devices_returned"].status == "done" and nodes["devices_returned"].sla_breached


def test_refund_expected_in_working_days_after_deactivation() -> None:
    request = facts(at(2026, 9, 25, 9), [], state="completed", deactivated_at=at(2026, 9, 30),
                    refund_due=Decimal("50.00"))
    nodes = by_code(progress.derive(request, at(2026, 9, 30, 11), WorkCalendar()))
    refund = nodes["refund_issued"]
    assert refund.status == "in_progress" and refund.expected_at == at(2026, 10, 13)  # 8, 9, 10, 12, 13
    assert nodes["follow_up"].due_at == at(2026, 10, 2)


# --- Through the service: SLA marks by the jobs, revised ETAs -----------------------------

def test_sla_breach_is_marked_by_the_jobs(app: Any, api: Api, clock: Clock) -> None:
    rid = api.open_request(make_line(device=True))["id"]
    submitted = api.doc(rid)
    assert submitted["progress"]["eta"]["revised_reason"] is None
    version = fresh(rid).version
    due = dt.datetime.fromisoformat(node(submitted, "identity_verified")["due_at"])
    clock.tick(due + dt.timedelta(minutes=1))
    req = fresh(rid)
    assert req.nodes["identity_verified"]["sla_breached"] is True
    assert req.nodes["devices_returned"]["sla_breached"] is False
    assert req.version > version
    lines = db.session.execute(sa.select(TimelineEntry.node).where(
        TimelineEntry.request_id == rid, TimelineEntry.message == "sla_breached")).scalars().all()
    assert lines == ["identity_verified"]
    zh, en = api.doc(rid), api.doc(rid, lang="en")
    assert node(zh, "identity_verified")["sla_breached"] is True
    assert node(zh, "identity_verified")["events"][-1]["message"] == "这一步比承诺的时间慢了，我们已经在加急处理。"
    assert node(en, "identity_verified")["events"][-1]["message"].startswith("This step is taking longer")
    # Marked once: later passes add no second line for the same node.
    clock.tick(due + dt.timedelta(minutes=5))
    assert db.session.execute(sa.select(sa.func.count()).select_from(TimelineEntry).where(
        TimelineEntry.request_id == rid, TimelineEntry.message == "sla_breached")).scalar_one() == 1


def test_eta_moves_later_with_a_localised_reason(app: Any, api: Api, clock: Clock) -> None:
    rid = api.open_request(make_line(device=True))["id"]
    first = api.doc(rid)["progress"]["eta"]["expected"]
    clock.tick(later(days=20))  # the router is very late
    zh, en = api.doc(rid)["progress"]["eta"], api.doc(rid, lang="en")["progress"]["eta"]
    assert zh["expected"] == en["expected"] and zh["expected"] > first
    day = dt.datetime.fromisoformat(zh["expected"]).astimezone(SHANGHAI).date()
    assert zh["revised_reason"].startswith("预计完成时间推迟到") and format_day(day, "zh-CN") in zh["revised_reason"]
    assert en["revised_reason"].startswith("Now expected by") and format_day(day, "en") in en["revised_reason"]


def test_eta_moves_earlier_when_to_dos_go_fast(app: Any, api: Api) -> None:
    line = full_line()
    rid = api.open_request(line)["id"]
    before = api.doc(rid)["progress"]["eta"]
    api.applied(rid, "identity.verified", {"method": "video"})
    assert api.doc(rid)["progress"]["eta"] == before  # the router still sets the date: no revision
    api.applied(rid, "device.returned", {"serial": f"ONT-{line.id}"})
    api.applied(rid, "payment.received", {"amount": {"amount": "328.00", "currency": "CNY"}})
    api.applied(rid, "family.resolved")
    doc = api.doc(rid)
    zh = doc["progress"]["eta"]
    en = api.doc(rid, lang="en")["progress"]["eta"]
    assert doc["state"] == "ready" and zh["expected"] < before["expected"]
    assert zh["expected"] == doc["withdraw_until"]  # only the cooling-off is left
    day = dt.datetime.fromisoformat(zh["expected"]).astimezone(SHANGHAI).date()
    assert zh["revised_reason"].startswith("好消息") and format_day(day, "zh-CN") in zh["revised_reason"]
    assert en["revised_reason"].startswith("Good news") and format_day(day, "en") in en["revised_reason"]


@pytest.mark.app_config(CANCELSVC_EXTRA_HOLIDAYS="2026-10-08")
def test_configured_extra_holidays_reach_the_service(app: Any) -> None:
    calendar = services(app).calendar
    assert not calendar.is_working_day(dt.date(2026, 10, 8))
    assert calendar.is_working_day(dt.date(2026, 10, 10))


def test_progress_document_at_a_fixed_moment(app: Any, api: Api) -> None:
    rid = api.open_request(make_line(device=True))["id"]
    req = fresh(rid)
    doc = progress_document(req, "en", now=req.submitted_at + dt.timedelta(days=30))
    assert node(doc, "devices_returned")["sla_breached"] is True
    assert node(doc, "cooling_off")["status"] == "done"
