"""Call tasks: follow-ups due after deactivation, dissatisfied customers first, closing a call."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa

from cancelsvc.calls import routes as call_routes
from models import AuditRecord, CallTask, InboundEvent, db
from tests.conftest import bearer
from tests.factories import StaffUserFactory
from tests.requests.conftest import Api, console_login, fresh, later, make_line, node, run_jobs

pytestmark = pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0)


def _deactivated(api: Api, **line: Any) -> str:
    rid = api.open_request(make_line(**line), contact={"phone": "+8613912345678"})["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    run_jobs(later(seconds=1))
    assert fresh(rid).state == "completed"
    return rid


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Read the call list at a chosen moment."""
    def move(moment: dt.datetime) -> None:
        monkeypatch.setattr(call_routes, "utcnow", lambda: moment)
    return move


def _calls(api: Api, headers: dict[str, str] | None = None, **query: Any) -> Any:
    return api.client.get("/api/v1/calls", query_string=query, headers=api.headers if headers is None else headers)


def _close(api: Api, call_id: str, headers: dict[str, str] | None = None, **body: Any) -> Any:
    return api.client.post(f"/api/v1/calls/{call_id}/close", json=body,
                           headers=api.headers if headers is None else headers)


def test_follow_up_call_is_due_48_hours_after_deactivation_and_closing_records_the_follow_up(
        app: Any, api: Api, at: Any) -> None:
    rid = _deactivated(api)
    task = db.session.execute(sa.select(CallTask)).scalar_one()
    assert task.kind == "follow_up" and task.due_at == fresh(rid).deactivated_at + dt.timedelta(hours=48)
    at(later(hours=47))
    assert _calls(api).get_json()["items"] == []
    at(later(hours=49))
    response = _calls(api)
    assert json.loads(response.headers["X-Pagination"])["total"] == 1
    call = response.get_json()["items"][0]
    assert call["kind"] == "follow_up" and call["request_id"] == rid and call["phone"] == "+8613912345678"

    not_reached = _close(api, call["id"], outcome="not_reached")
    assert not_reached.status_code == 200 and not_reached.get_json()["closed"] is False
    assert _calls(api).get_json()["items"] == []  # back on the list two hours later
    at(later(hours=52))
    assert _calls(api).get_json()["items"][0]["attempts"] == 1

    closed = _close(api, call["id"], outcome="reached", satisfied=True, comment="很顺利")
    assert closed.status_code == 200 and closed.get_json()["closed"] is True
    req = fresh(rid)
    assert req.follow_up["satisfied"] is True and req.follow_up["comment"] == "很顺利"
    assert node(api.doc(rid), "follow_up")["status"] == "done"
    assert _calls(api).get_json()["items"] == []
    again = _close(api, call["id"], outcome="reached", satisfied=True)
    assert again.status_code == 409 and again.get_json()["code"] == "call.closed"
    actions = [r.action for r in db.session.execute(sa.select(AuditRecord).order_by(AuditRecord.seq)).scalars()]
    assert {"call.not_reached", "call.closed", "event.followup.recorded"} <= set(actions)


def test_unhappy_customer_is_called_back_first(app: Any, api: Api, at: Any) -> None:
    early = _deactivated(api)
    unhappy = _deactivated(api)
    api.applied(unhappy, "followup.recorded", {"satisfied": False, "comment": "等太久"})
    at(later(hours=49))
    calls = _calls(api).get_json()["items"]
    assert [(c["kind"], c["request_id"]) for c in calls] == [("dissatisfied", unhappy), ("follow_up", early)]
    # The follow-up of the unhappy customer was recorded by the event: its task closed by itself.
    follow = db.session.execute(sa.select(CallTask).where(CallTask.request_id == unhappy,
                                                          CallTask.kind == "follow_up")).scalar_one()
    assert follow.closed_at is not None
    closed = _close(api, calls[0]["id"], outcome="reached", satisfied=True, comment="已道歉并解释")
    assert closed.status_code == 200
    assert fresh(unhappy).follow_up["satisfied"] is False  # the recorded follow-up stays as it was


def test_a_follow_up_call_that_finds_an_unhappy_customer_adds_a_call_back(app: Any, api: Api, at: Any) -> None:
    rid = _deactivated(api)
    at(later(hours=49))
    call = _calls(api).get_json()["items"][0]
    _close(api, call["id"], outcome="reached", satisfied=False, comment="费用没讲清楚")
    assert [c["kind"] for c in _calls(api).get_json()["items"]] == ["dissatisfied"]
    assert db.session.query(InboundEvent).count() == 1 and fresh(rid).follow_up["satisfied"] is False


@pytest.mark.parametrize(("body", "field"), [
    ({}, "outcome"), ({"outcome": "maybe"}, "outcome"), ({"outcome": "reached"}, "satisfied"),
    ({"outcome": "reached", "satisfied": True, "comment": "x" * 1001}, "comment"),
    ({"outcome": "not_reached", "extra": 1}, "extra"),
])
def test_bad_close_bodies_are_listed(app: Any, api: Api, at: Any, body: dict[str, Any], field: str) -> None:
    _deactivated(api)
    task = db.session.execute(sa.select(CallTask)).scalar_one()
    response = _close(api, task.id, **body)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_clerks_see_and_close_their_store_calls_only(app: Any, api: Api, at: Any, api_key: Any) -> None:
    _deactivated(api, store_code="SH-001")
    other = db.session.execute(sa.select(CallTask)).scalar_one()
    at(later(hours=49))
    StaffUserFactory(username="hz", store_code="HZ-001")
    csrf = console_login(api.client, "hz")
    assert api.client.get("/api/v1/calls").get_json()["items"] == []
    assert api.client.get("/api/v1/calls?store=SH-001").get_json()["items"] == []
    hidden = api.client.post(f"/api/v1/calls/{other.id}/close", json={"outcome": "not_reached"}, headers=csrf)
    assert hidden.status_code == 404 and hidden.get_json()["code"] == "call.not_found"
    assert _close(api, "x" * 80, outcome="not_reached").status_code == 404
    assert _calls(api, headers=bearer(api_key("precheck"))).status_code == 403
    read_only = bearer(api_key("cancellations:read"))
    assert _close(api, other.id, headers=read_only, outcome="not_reached").status_code == 403
    assert api.client.post(f"/api/v1/calls/{other.id}/close", json={}, headers={}).status_code in (403, 422)
