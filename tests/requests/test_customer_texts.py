"""What a customer reads about their request: no placeholders, no false alarms, no serials."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from cancelsvc.precheck.engine import evaluate
from cancelsvc.texts import format_day, render
from cancelsvc.workdays import WorkCalendar
from models import Account
from tests.precheck.conftest import NOW, TODAY, build_account
from tests.requests.conftest import Api, Clock, fresh, later, make_line, node


def _public(api: Api, code: str, line: Account, lang: str = "en") -> dict[str, Any]:
    response = api.track(code, line.msisdn[-4:], lang=lang)
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_public_timeline_names_no_amount_serial_or_service_code(app: Any, api: Api, lang: str) -> None:
    line = make_line(device=True, service=True, third_party=True, bill=True)
    doc = api.open_request(line)
    rid, code = doc["id"], doc["tracking_code"]
    api.applied(rid, "payment.received", {"amount": {"amount": "128.00", "currency": "CNY"}})
    api.applied(rid, "device.returned", {"serial": f"ONT-{line.id}"})
    api.applied(rid, "service.cancelled", {"code": f"MUSIC-{line.id}"})
    body = _public(api, code, line, lang)
    messages = [e["message"] for n in body["nodes"] for e in n["events"]]
    assert render("timeline.payment_received.public", lang) in messages
    assert render("timeline.device_returned.public", lang, device="router") in messages  # "your router"
    assert render("timeline.service_cancelled.public", lang) in messages
    # Everything the customer reads, without the instants, the tracking code and the masked
    # number (random digits there may spell "128" by chance).
    shown = {key: value for key, value in body.items() if key not in ("tracking_code", "msisdn")}
    text = re.sub(r"\d{4}-\d{2}-\d{2}T[\d:.]+[+-]\d{2}:\d{2}", "<instant>", str(shown))
    assert "<instant>" in text
    for secret in (f"ONT-{line.id}", f"MUSIC-{line.id}", f"VIP-{line.id}", "128", "—"):
        assert secret not in text, secret
    # Staff still read the serial and the amount.
    staff = [e["message"] for n in api.doc(rid, lang=lang)["progress"]["nodes"] for e in n["events"]]
    assert any(f"ONT-{line.id}" in m for m in staff) and any("128" in m for m in staff)


def test_public_required_actions_list_kinds_of_to_do_not_serials(app: Any, api: Api) -> None:
    line = make_line(device=True)
    doc = api.open_request(line)
    body = _public(api, doc["tracking_code"], line)
    devices = node(body, "devices_returned")
    assert devices["required_action"]["checklist"] == ["device.return"]
    staff = node(api.doc(doc["id"]), "devices_returned")
    assert staff["required_action"]["checklist"] == [f"device.return:ONT-{line.id}"]


def test_a_refund_step_with_nothing_to_refund_carries_no_dates(app: Any, api: Api) -> None:
    line = make_line()
    doc = api.open_request(line)
    refund = node(api.doc(doc["id"]), "refund_issued")
    assert refund["status"] == "skipped"
    assert refund["started_at"] is refund["expected_at"] is refund["due_at"] is refund["completed_at"] is None
    assert refund["sla_breached"] is False


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=1)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_during_cooling_off_deactivation_is_scheduled(app: Any, api: Api, clock: Clock, lang: str) -> None:
    line = make_line()
    doc = api.open_request(line)
    api.applied(doc["id"], "identity.verified", {"method": "video"})
    withdraw_until = fresh(doc["id"]).withdraw_until
    clock.at(later(minutes=30))
    deactivation = node(_public(api, doc["tracking_code"], line, lang), "deactivated")
    assert deactivation["status"] == "pending" and deactivation["started_at"] is None
    assert deactivation["expected_at"] == withdraw_until.isoformat()
    assert deactivation["title"] == render("node.deactivated.title.scheduled", lang)
    # Once the time comes it is under way until the job runs.
    clock.at(later(minutes=61))
    running = node(_public(api, doc["tracking_code"], line, lang), "deactivated")
    assert running["status"] == "in_progress" and running["started_at"] == withdraw_until.isoformat()
    assert running["title"] == render("node.deactivated.title", lang)


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=1)
def test_an_on_time_deactivation_gives_no_reason_for_a_moved_eta(app: Any, api: Api, clock: Clock) -> None:
    line = make_line()
    doc = api.open_request(line)
    api.applied(doc["id"], "identity.verified", {"method": "video"})
    clock.tick(later(minutes=61))
    done = api.doc(doc["id"], lang="en")
    assert done["state"] == "completed"
    assert done["progress"]["eta"]["revised_reason"] is None
    assert fresh(doc["id"]).eta["revised_reason"] is None


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_loyalty_points_are_redeemed_before_the_first_possible_deactivation_day(lang: str) -> None:
    from cancelsvc.precheck.presenter import present

    account = build_account(loyalty_points=500, contracts=[], bills=[], devices=[], services=[])
    outcome = evaluate(account, "app", TODAY, today=TODAY, now=NOW, calendar=WorkCalendar())
    assert outcome.eta is not None and outcome.eta.earliest > TODAY
    doc = present(outcome, lang)
    points = next(f for f in doc["findings"] if f["code"] == "loyalty.points")
    assert format_day(outcome.eta.earliest, lang) in points["detail"]
    assert format_day(TODAY, lang) not in points["detail"]
    item = next(i for i in doc["checklist"] if i["code"] == "loyalty.points")
    assert item["detail"] == points["detail"]


def test_loyalty_points_of_a_blocked_line_name_the_effective_date() -> None:
    blocked = build_account(loyalty_points=500, status="suspended")
    day = TODAY + dt.timedelta(days=10)
    outcome = evaluate(blocked, "app", day, today=TODAY, now=NOW, calendar=WorkCalendar())
    assert outcome.eta is None
    points = next(f for f in outcome.findings if f.code == "loyalty.points")
    assert points.variant is None and points.params["effective_date"] == day
