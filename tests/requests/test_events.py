"""`POST /api/v1/events`: what each back-office event does, once, in any order."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from cancelsvc.database import transaction
from models import Account, Device, InboundEvent, ValueAddedService, db
from models.base import utcnow
from tests.conftest import bearer
from tests.requests.conftest import Api, customer_headers, fresh, full_line, item, later, make_line, node, run_jobs


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "CNY"}


def _events(request_id: str | None = None) -> list[InboundEvent]:
    db.session.rollback()
    query = sa.select(InboundEvent).order_by(InboundEvent.id)
    if request_id:
        query = query.where(InboundEvent.request_id == request_id)
    return list(db.session.execute(query).scalars())


@pytest.fixture
def full(app: Any, api: Api) -> tuple[Account, str]:
    line = full_line(third_party=True, installment=True)
    return line, api.open_request(line)["id"]


def test_identity_verified(app: Any, api: Api, full: tuple[Account, str]) -> None:
    _, rid = full
    assert api.applied(rid, "identity.verified", {"method": "video"})["outcome"] == "applied"
    doc = api.doc(rid)
    assert item(doc, "identity.video")["status"] == "done"
    assert node(doc, "identity_verified")["status"] == "done"
    assert node(doc, "identity_verified")["completed_at"] is not None


def test_device_returned(app: Any, api: Api, full: tuple[Account, str]) -> None:
    line, rid = full
    api.applied(rid, "device.returned", {"serial": f"ONT-{line.id}"})
    doc = api.doc(rid)
    assert item(doc, "device.return")["status"] == "done" and node(doc, "devices_returned")["status"] == "done"
    returned_on = db.session.execute(sa.select(Device.returned_on).where(Device.serial == f"ONT-{line.id}"))
    assert returned_on.scalar_one() is not None


def test_unknown_device_changes_nothing(app: Any, api: Api, full: tuple[Account, str]) -> None:
    _, rid = full
    version = fresh(rid).version
    assert api.applied(rid, "device.returned", {"serial": "NOT-OURS"})["outcome"] == "ignored"
    assert fresh(rid).version == version


@pytest.mark.parametrize("which", ["operator", "third_party"])
def test_service_cancelled(app: Any, api: Api, full: tuple[Account, str], which: str) -> None:
    line, rid = full
    code = f"VIP-{line.id}" if which == "operator" else f"MUSIC-{line.id}"
    api.applied(rid, "service.cancelled", {"code": code})
    doc = api.doc(rid)
    done = next(i for i in doc["checklist"] if code in i["refs"])
    assert done["status"] == "done"
    status = db.session.execute(sa.select(ValueAddedService.status).where(ValueAddedService.code == code))
    assert status.scalar_one() == "cancelled"
    other = next(i for i in doc["checklist"] if i["code"].startswith("service.") and code not in i["refs"])
    assert other["status"] == "todo" and node(doc, "services_cancelled")["status"] == "in_progress"


def test_family_resolved(app: Any, api: Api, full: tuple[Account, str]) -> None:
    line, rid = full
    api.applied(rid, "family.resolved")
    doc = api.doc(rid)
    assert item(doc, "family.reassign")["status"] == "done" and node(doc, "family_resolved")["status"] == "done"
    account = db.session.get(Account, line.id)
    db.session.refresh(account)
    assert account.family_group_id is None


def test_payments_add_up_in_the_fixed_order(app: Any, api: Api, full: tuple[Account, str]) -> None:
    _, rid = full
    # Quoted: balance 128, fee 200, installment 800 (in that order), then the router 300 if kept.
    api.applied(rid, "payment.received", {"amount": money("128.00"), "reference": "PAY-1"})
    doc = api.doc(rid)
    assert item(doc, "balance.settle")["status"] == "done"
    assert item(doc, "contract.early_termination")["status"] == "todo"
    api.applied(rid, "payment.received", {"amount": money("199.99")})
    assert item(api.doc(rid), "contract.early_termination")["status"] == "todo"  # 327.99 < 328.00
    api.applied(rid, "payment.received", {"amount": money("0.01")})
    doc = api.doc(rid)
    assert item(doc, "contract.early_termination")["status"] == "done"
    assert item(doc, "device.installment")["status"] == "todo"
    assert node(doc, "fees_settled")["status"] == "in_progress"
    api.applied(rid, "payment.received", {"amount": money("800.00")})
    doc = api.doc(rid)
    assert node(doc, "fees_settled")["status"] == "done"
    assert doc["quoted"]["paid"] == money("1128.00") and doc["quoted"]["outstanding"] == money("0.00")
    assert item(doc, "device.return")["status"] == "todo"  # the router is still out
    # Paying the replacement value instead of returning the router settles it too.
    api.applied(rid, "payment.received", {"amount": money("300.00")})
    assert item(api.doc(rid), "device.return")["status"] == "done"


@pytest.mark.parametrize("amounts", [("100.00", "228.00"), ("228.00", "100.00"), ("128.00", "200.00"),
                                     ("200.00", "128.00")], ids=lambda a: "+".join(a))
def test_two_partial_payments_settle_fees_only_when_covered(app: Any, api: Api, amounts: tuple[str, str]) -> None:
    line = make_line(contract=True, bill=True)  # fee 200 + bill 128
    rid = api.open_request(line)["id"]
    api.applied(rid, "payment.received", {"amount": money(amounts[0])})
    assert node(api.doc(rid), "fees_settled")["status"] == "in_progress"
    api.applied(rid, "payment.received", {"amount": money(amounts[1])})
    doc = api.doc(rid)
    assert node(doc, "fees_settled")["status"] == "done"
    assert fresh(rid).paid_total == Decimal("328.00")


def test_a_paid_item_keeps_its_share_of_the_payments(app: Any, api: Api) -> None:
    line = make_line(contract=True, bill=True)
    rid = api.open_request(line)["id"]
    api.applied(rid, "payment.received", {"amount": money("128.00")})  # the bill
    api.applied(rid, "payment.received", {"amount": money("72.00")})  # 200 in all, 328 owed
    assert item(api.doc(rid), "contract.early_termination")["status"] == "todo"
    assert node(api.doc(rid), "fees_settled")["status"] == "in_progress"


def test_events_arrive_in_any_order(app: Any, api: Api) -> None:
    line = make_line(device=True)
    rid = api.open_request(line)["id"]
    api.applied(rid, "device.returned", {"serial": f"ONT-{line.id}"})
    doc = api.doc(rid)
    assert node(doc, "devices_returned")["status"] == "done" and doc["state"] == "in_progress"
    api.applied(rid, "identity.verified", {"method": "agent"})
    assert api.doc(rid)["state"] == "ready"


def test_the_same_event_twice_has_one_effect(app: Any, api: Api) -> None:
    rid = api.open_request(make_line(contract=True, bill=True))["id"]
    at = utcnow()
    first = api.event(rid, "payment.received", {"amount": money("50.00")}, event_id="bill-777", occurred_at=at)
    version = fresh(rid).version
    again = api.event(rid, "payment.received", {"amount": money("50.00")}, event_id="bill-777", occurred_at=at)
    assert first.status_code == again.status_code == 202
    assert again.get_json() == first.get_json()
    assert first.get_json()["outcome"] == "applied"
    req = fresh(rid)
    assert req.paid_total == Decimal("50.00") and req.version == version
    assert len(_events(rid)) == 1


def test_a_repeat_may_spell_the_same_event_differently(app: Any, api: Api) -> None:
    line = make_line(contract=True)
    rid = api.open_request(line)["id"]
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    first = api.event(rid, "payment.received", {"amount": money("50.00")}, event_id="bill-1", occurred_at=at)
    again = api.event(rid, "payment.received", {"amount": money("50.0")}, event_id="bill-1",
                      occurred_at=at.astimezone(ZoneInfo("Asia/Shanghai")))
    assert again.status_code == 202 and again.get_json() == first.get_json()
    by_number = api.event(None, "identity.verified", {"method": "video"}, event_id="id-1", msisdn=line.msisdn,
                          occurred_at=at)
    national = f"{line.msisdn[3:6]} {line.msisdn[6:10]} {line.msisdn[10:]}"
    again = api.event(None, "identity.verified", {"method": "video"}, event_id="id-1", msisdn=national,
                      occurred_at=at)
    assert again.status_code == 202 and again.get_json() == by_number.get_json()
    assert fresh(rid).paid_total == Decimal("50.00")


@pytest.mark.parametrize("change", [
    {"data": {"amount": money("999.00")}},
    {"type": "refund.issued"},
    {"occurred_at": datetime(2026, 11, 23, 2, 0, 1, tzinfo=UTC)},
    {"other_request": True},
])
def test_the_same_id_for_another_event_is_refused_naming_the_first(
    app: Any, api: Api, change: dict[str, Any]
) -> None:
    rid = api.open_request(make_line(contract=True))["id"]
    other = api.open_request(make_line())["id"]
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    first = api.event(rid, "payment.received", {"amount": money("50.00")}, event_id="bill-1", occurred_at=at)
    response = api.event(other if change.get("other_request") else rid, change.get("type", "payment.received"),
                         change.get("data", {"amount": money("50.00")}), event_id="bill-1",
                         occurred_at=change.get("occurred_at", at))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["code"] == "event.id_reused"
    assert "event_id" in problem["errors"]
    assert problem["first_event"] == first.get_json()
    assert problem["title"] != problem["code"]
    assert fresh(rid).paid_total == Decimal("50.00") and fresh(rid).refunded_total == Decimal("0.00")
    assert len(_events()) == 1


def test_event_ids_are_scoped_per_sender(app: Any, api: Api, api_key: Any) -> None:
    rid = api.open_request(make_line(contract=True))["id"]
    other_sender = bearer(api_key("events:write"))
    at = utcnow()
    mine = api.event(rid, "payment.received", {"amount": money("50.00")}, event_id="pay-1", occurred_at=at)
    theirs = api.event(rid, "payment.received", {"amount": money("30.00")}, event_id="pay-1", occurred_at=at,
                       headers=other_sender)
    assert mine.status_code == theirs.status_code == 202
    assert theirs.get_json()["outcome"] == "applied"  # another sender's payment is not lost
    assert fresh(rid).paid_total == Decimal("80.00")
    assert len(_events(rid)) == 2


def test_events_recorded_before_their_hash_was_kept_still_replay(app: Any, api: Api) -> None:
    rid = api.open_request(make_line(contract=True))["id"]
    first = api.event(rid, "payment.received", {"amount": money("50.00")}, event_id="old-1").get_json()
    with transaction():
        db.session.execute(sa.update(InboundEvent).values(body_hash=None))
    again = api.event(rid, "payment.received", {"amount": money("70.00")}, event_id="old-1")
    assert again.status_code == 202 and again.get_json() == first


def test_event_by_msisdn(app: Any, api: Api) -> None:
    line = make_line()
    rid = api.open_request(line)["id"]
    national = f"{line.msisdn[3:6]} {line.msisdn[6:10]} {line.msisdn[10:]}"  # "138 0000 0001"
    response = api.event(None, "identity.verified", {"method": "id_card"}, msisdn=national)
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["cancellation_id"] == rid
    assert fresh(rid).state == "ready"


@pytest.mark.parametrize("target", [{"cancellation_id": "00000000-0000-0000-0000-000000000000"},
                                    {"msisdn": "+8613712345678"}, {"msisdn": "not a number"}])
def test_event_for_an_unknown_request(app: Any, api: Api, target: dict[str, str]) -> None:
    api.open_request(make_line())
    response = api.event(None, "identity.verified", {"method": "video"}, **target)
    assert response.status_code == 422
    assert response.get_json()["code"] == "event.unknown_request"
    assert _events() == []


def test_event_of_an_unknown_type(app: Any, api: Api) -> None:
    rid = api.open_request(make_line())["id"]
    response = api.event(rid, "number.ported", {})
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "event.unknown_type" and "type" in problem["errors"]
    assert _events() == []


@pytest.mark.parametrize(
    ("type_", "data", "fields"),
    [
        ("payment.received", {}, {"data.amount"}),
        ("payment.received", {"amount": money("-5.00"), "tip": 1}, {"data.amount", "data.tip"}),
        ("identity.verified", {"method": "palm_reading"}, {"data.method"}),
        ("device.returned", {}, {"data.serial"}),
        ("followup.recorded", {"satisfied": "very"}, {"data.satisfied"}),
        ("hold.placed", {"kind": "porting_in_progress"}, {"data.kind"}),
        ("family.resolved", {"who": "me"}, {"data.who"}),
    ],
)
def test_invalid_data_lists_every_field(app: Any, api: Api, type_: str, data: dict[str, Any],
                                        fields: set[str]) -> None:
    rid = api.open_request(make_line())["id"]
    response = api.event(rid, type_, data)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "validation" and set(problem["errors"]) == fields
    assert _events() == []


def test_envelope_errors(app: Any, api: Api) -> None:
    line = make_line()
    rid = api.open_request(line)["id"]
    both = api.event(rid, "family.resolved", {}, msisdn=line.msisdn)
    assert both.status_code == 422 and "cancellation_id" in both.get_json()["errors"]
    naive = api.client.post("/api/v1/events", headers=api.events_headers, json={
        "event_id": "e-1", "type": "family.resolved", "occurred_at": "2026-11-23T10:00:00",
        "cancellation_id": rid, "data": {}, "extra": True})
    assert naive.status_code == 422 and {"occurred_at", "extra"} <= set(naive.get_json()["errors"])


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0)
def test_payment_after_completion_is_recorded_and_changes_nothing(app: Any, api: Api) -> None:
    line = make_line()
    rid = api.open_request(line)["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    run_jobs(later(minutes=1))
    before = fresh(rid)
    version, paid = before.version, before.paid_total
    assert before.state == "completed"
    response = api.applied(rid, "payment.received", {"amount": money("10.00")}, event_id="late-pay")
    assert response["outcome"] == "ignored"
    after = fresh(rid)
    assert (after.version, after.paid_total, after.state) == (version, paid, "completed")
    recorded = [e for e in _events(rid) if e.event_id == "late-pay"]
    assert len(recorded) == 1 and recorded[0].outcome == "ignored" and recorded[0].data["amount"] == "10.00"
    # Events for a closed request still find it by number.
    by_number = api.applied(None, "payment.received", {"amount": money("1.00")}, msisdn=line.msisdn)
    assert by_number["cancellation_id"] == rid and by_number["outcome"] == "ignored"


def test_refund_and_followup_events(app: Any, api: Api) -> None:
    rid = api.open_request(make_line(prepaid_credit="50.00"))["id"]
    assert api.applied(rid, "refund.issued", {"amount": money("50.00")})["outcome"] == "applied"
    assert fresh(rid).refunded_total == Decimal("50.00")
    assert api.applied(rid, "followup.recorded", {"satisfied": True, "comment": "顺利"})["outcome"] == "applied"
    assert fresh(rid).follow_up["satisfied"] is True
    assert api.applied(rid, "followup.recorded", {"satisfied": False})["outcome"] == "ignored"
    assert fresh(rid).follow_up["satisfied"] is True


@pytest.mark.parametrize("who", ["cancellations-key", "customer", "no-credentials"])
def test_events_need_the_events_scope(app: Any, api: Api, api_key: Any, who: str) -> None:
    line = make_line()
    rid = api.open_request(line)["id"]
    headers = {"cancellations-key": bearer(api_key("cancellations:write", "cancellations:read")),
               "customer": customer_headers(line), "no-credentials": {}}[who]
    response = api.event(rid, "identity.verified", {"method": "video"}, headers=headers)
    assert response.status_code == (401 if who == "no-credentials" else 403)
    assert fresh(rid).state == "in_progress" and _events() == []


def test_sender_is_recorded(app: Any, api: Api, keys: dict[str, str]) -> None:
    rid = api.open_request(make_line())["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    (event,) = _events(rid)
    assert event.sender.startswith("api_key:") and event.type == "identity.verified"
    assert event.data == {"method": "video"}
