"""The request state machine: the transition table, and every way a request moves through it."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import sqlalchemy as sa

from cancelsvc.requests.states import (
    COMPLETED,
    FINAL,
    IN_PROGRESS,
    OPEN,
    READY,
    REJECTED,
    TRANSITIONS,
    WITHDRAWN,
    IllegalTransition,
    check_transition,
)
from models import Account, AuditRecord, TimelineEntry, db
from models.vocabulary import RequestState
from tests.requests.conftest import Api, account_row, fresh, full_line, later, make_line, node, run_jobs

STATES = tuple(RequestState)
LEGAL = {
    (IN_PROGRESS, READY), (IN_PROGRESS, WITHDRAWN), (IN_PROGRESS, REJECTED),
    (READY, COMPLETED), (READY, WITHDRAWN), (READY, REJECTED),
}


@pytest.mark.parametrize(("current", "new"), list(itertools.product(STATES, STATES)),
                         ids=lambda s: s)
def test_transition_table(current: str, new: str) -> None:
    if (current, new) in LEGAL:
        check_transition(current, new)
    else:
        with pytest.raises(IllegalTransition) as caught:
            check_transition(current, new)
        assert (caught.value.current, caught.value.new) == (current, new)
        assert current in str(caught.value) and new in str(caught.value)


def test_the_table_covers_every_state_and_final_states_are_dead_ends() -> None:
    assert set(TRANSITIONS) == set(STATES)
    assert OPEN | FINAL == set(STATES) and not OPEN & FINAL
    assert all(TRANSITIONS[s] == frozenset() for s in FINAL)
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == LEGAL


def test_in_progress_becomes_ready_when_every_required_item_is_done(app: Any, api: Api) -> None:
    line = full_line()
    doc = api.open_request(line)
    rid, versions = doc["id"], [doc["version"]]
    assert doc["state"] == IN_PROGRESS and doc["version"] == 1
    steps = [
        ("identity.verified", {"method": "video"}),
        ("payment.received", {"amount": {"amount": "328.00", "currency": "CNY"}}),  # fee 200 + bill 128
        ("device.returned", {"serial": f"ONT-{line.id}"}),
        ("family.resolved", {}),
    ]
    for n, (type_, data) in enumerate(steps):
        outcome = api.applied(rid, type_, data)["outcome"]
        assert outcome == "applied", (type_, [(i["key"], i["status"]) for i in api.doc(rid)["checklist"]])
        current = api.doc(rid)
        versions.append(current["version"])
        # The operator service is cancelled at deactivation: it never holds the request up.
        assert current["state"] == (READY if n == len(steps) - 1 else IN_PROGRESS), type_
    assert versions == sorted(set(versions)) and len(versions) == len(steps) + 1  # +1 on every change
    ready = api.doc(rid)
    assert node(ready, "deactivated")["status"] == "pending"  # scheduled for the end of cooling-off
    assert node(ready, "deactivated")["waiting_on"] == "operator"
    assert next(i for i in ready["checklist"] if i["code"] == "service.cancel")["status"] == "todo"


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=1)
def test_ready_completes_only_by_the_job_after_cooling_off(app: Any, api: Api) -> None:
    line = make_line()
    rid = api.open_request(line)["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    assert fresh(rid).state == READY
    run_jobs(later(minutes=30))  # still cooling off
    assert fresh(rid).state == READY
    assert db.session.get(Account, line.id).status == "active"
    run_jobs(later(hours=2))
    req = fresh(rid)
    assert req.state == COMPLETED and req.deactivated_at is not None and req.open_account_id is None
    assert db.session.get(Account, line.id).status == "cancelled"


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=1)
def test_ready_waits_for_the_effective_date(app: Any, api: Api) -> None:
    line = make_line()
    effective = (later(days=3)).astimezone(_shanghai()).date()
    precheck = api.precheck(line, effective_date=effective.isoformat())
    rid = api.submit(precheck).get_json()["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    run_jobs(later(hours=2))  # cooling-off over, effective date not yet come
    assert fresh(rid).state == READY
    eve = _local_midnight(effective) - _minutes(1)
    run_jobs(eve)
    assert fresh(rid).state == READY
    run_jobs(_local_midnight(effective) + _minutes(1))
    assert fresh(rid).state == COMPLETED


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0)
def test_in_progress_is_never_deactivated_by_the_job(app: Any, api: Api) -> None:
    line = make_line()
    rid = api.open_request(line)["id"]
    run_jobs(later(days=30))
    assert fresh(rid).state == IN_PROGRESS
    assert db.session.get(Account, line.id).status == "active"


@pytest.mark.parametrize("ready_first", [False, True], ids=["from-in-progress", "from-ready"])
def test_withdraw_from_in_progress_and_ready(app: Any, api: Api, ready_first: bool) -> None:
    line = make_line()
    before = account_row(line.id)
    doc = api.open_request(line)
    if ready_first:
        api.applied(doc["id"], "identity.verified", {"method": "video"})
        assert fresh(doc["id"]).state == READY
    response = api.withdraw(doc["id"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["state"] == WITHDRAWN and body["progress"]["can_withdraw"] is False
    assert node(body, "cooling_off")["status"] == "skipped"
    assert account_row(line.id) == before
    # Closed: the account may start again.
    assert fresh(doc["id"]).open_account_id is None
    assert api.open_request(line)["state"] == IN_PROGRESS


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0)
def test_withdraw_after_deactivation_is_a_conflict(app: Any, api: Api) -> None:
    line = make_line()
    rid = api.open_request(line)["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    run_jobs(later(minutes=5))
    assert fresh(rid).state == COMPLETED
    response = api.withdraw(rid)
    assert response.status_code == 409
    assert response.get_json()["code"] == "cancellation.already_deactivated"
    assert fresh(rid).state == COMPLETED


def test_withdrawn_request_cannot_be_withdrawn_again_with_a_new_key(app: Any, api: Api) -> None:
    rid = api.open_request(make_line())["id"]
    assert api.withdraw(rid).status_code == 200
    again = api.withdraw(rid)
    assert again.status_code == 409 and again.get_json()["code"] == "cancellation.closed"


@pytest.mark.parametrize("kind", ["legal_hold", "fraud_suspension"])
def test_hold_placed_rejects_an_open_request(app: Any, api: Api, kind: str) -> None:
    line = full_line()
    before = account_row(line.id)
    rid = api.open_request(line)["id"]
    api.applied(rid, "service.cancelled", {"code": f"VIP-{line.id}"})
    result = api.applied(rid, "hold.placed", {"kind": kind})
    assert result["outcome"] == "applied"
    doc = api.doc(rid, lang="en")
    assert doc["state"] == REJECTED and doc["progress"]["can_withdraw"] is False
    statuses = {n["code"]: n["status"] for n in doc["progress"]["nodes"]}
    assert statuses["identity_verified"] == "failed" and statuses["deactivated"] == "failed"
    assert statuses["services_cancelled"] == "done"
    messages = [e["message"] for e in node(doc, "deactivated")["events"]]
    assert any("restriction" in m for m in messages)
    # The account is given back as it was, plus the hold.
    after = account_row(line.id)
    assert after["holds"] == [kind]
    assert {**after, "holds": before["holds"]} == before
    # A rejected request takes no more events.
    late = api.applied(rid, "identity.verified", {"method": "video"})
    assert late["outcome"] == "ignored"
    assert fresh(rid).state == REJECTED


def test_every_change_increments_the_version_exactly_once(app: Any, api: Api, db: Any) -> None:
    line = full_line()
    doc = api.open_request(line)
    rid = doc["id"]
    seen = [doc["version"]]
    for type_, data in [
        ("identity.verified", {"method": "video"}),
        ("payment.received", {"amount": {"amount": "10.00", "currency": "CNY"}}),
        ("device.returned", {"serial": f"ONT-{line.id}"}),
    ]:
        api.applied(rid, type_, data)
        seen.append(fresh(rid).version)
    # A repeated effect is no change: the version stays.
    assert api.applied(rid, "identity.verified", {"method": "video"})["outcome"] == "ignored"
    assert fresh(rid).version == seen[-1]
    assert seen == list(range(1, len(seen) + 1))
    audits = db.session.execute(sa.select(sa.func.count()).select_from(AuditRecord)
                                .where(AuditRecord.subject_id == rid)).scalar_one()
    assert audits == seen[-1]  # one audit record per version


def test_timeline_names_who_did_what(app: Any, api: Api, db: Any) -> None:
    rid = api.open_request(make_line())["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    rows = db.session.execute(sa.select(TimelineEntry.node, TimelineEntry.message, TimelineEntry.actor)
                              .where(TimelineEntry.request_id == rid).order_by(TimelineEntry.id)).all()
    assert [tuple(r) for r in rows] == [
        ("submitted", "submitted", "operator"),
        ("identity_verified", "identity_verified", "operator"),
        ("deactivated", "ready", "operator"),
    ]


def _shanghai() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def _local_midnight(day: Any) -> Any:
    import datetime as dt

    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=_shanghai())


def _minutes(n: int) -> Any:
    import datetime as dt

    return dt.timedelta(minutes=n)
