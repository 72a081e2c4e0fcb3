"""Real concurrency on PostgreSQL: threads, each with its own test client or app context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from cancelsvc import audit
from cancelsvc.jobs import tick
from models import AuditRecord, CancellationRequest, InboundEvent, TimelineEntry, db
from models.base import utcnow
from tests.conftest import bearer
from tests.requests.conftest import Api, fresh, make_line, new_key, race

pytestmark = pytest.mark.postgres_only


def test_simultaneous_submissions_make_one_request(app: Flask, api: Api) -> None:
    line = make_line()
    precheck = api.precheck(line)

    def submit(i: int) -> tuple[int, dict[str, Any]]:
        response = app.test_client().post("/api/v1/cancellations", json={"precheck_id": precheck},
                                          headers={**api.headers, "Idempotency-Key": new_key()})
        return response.status_code, response.get_json()

    results = race(50, submit)
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * 49
    (created,) = [body for status, body in results if status == 201]
    conflicts = [body for status, body in results if status == 409]
    assert {b["code"] for b in conflicts} == {"request.open"}
    assert {(b["id"], b["tracking_code"]) for b in conflicts} == {(created["id"], created["tracking_code"])}
    assert db.session.execute(sa.select(sa.func.count()).select_from(CancellationRequest)).scalar_one() == 1


def test_the_same_event_posted_at_once_has_one_effect(app: Flask, api: Api) -> None:
    rid = api.open_request(make_line(contract=True, bill=True))["id"]
    body = {"event_id": "pay-once", "type": "payment.received", "occurred_at": utcnow().isoformat(),
            "cancellation_id": rid, "data": {"amount": {"amount": "128.00", "currency": "CNY"}}}

    def post(i: int) -> tuple[int, dict[str, Any]]:
        response = app.test_client().post("/api/v1/events", json=body, headers=api.events_headers)
        return response.status_code, response.get_json()

    results = race(10, post)
    assert {status for status, _ in results} == {202}
    assert len({tuple(sorted(b.items())) for _, b in results}) == 1  # every answer is the first one
    req = fresh(rid)
    assert req.paid_total == Decimal("128.00") and req.version == 2
    assert db.session.execute(sa.select(sa.func.count()).select_from(InboundEvent)).scalar_one() == 1


def test_different_events_at_once_all_apply(app: Flask, api: Api) -> None:
    rid = api.open_request(make_line(contract=True, bill=True))["id"]

    def post(i: int) -> int:
        body = {"event_id": f"pay-{i}", "type": "payment.received", "occurred_at": utcnow().isoformat(),
                "cancellation_id": rid, "data": {"amount": {"amount": "10.00", "currency": "CNY"}}}
        return app.test_client().post("/api/v1/events", json=body, headers=api.events_headers).status_code

    assert set(race(10, post)) == {202}
    req = fresh(rid)
    assert req.paid_total == Decimal("100.00") and req.version == 11  # no lost update


def test_two_patches_with_one_if_match(app: Flask, api: Api, api_key: Any) -> None:
    rid = api.open_request(make_line(contract=True))["id"]
    tag = api.get(rid).headers["ETag"]
    headers = bearer(api_key("cancellations:write"))

    def patch(i: int) -> int:
        item = ("identity.video", "number.bindings")[i]
        return app.test_client().patch(f"/api/v1/cancellations/{rid}/checklist/{item}", json={"status": "done"},
                                       headers={**headers, "If-Match": tag}).status_code

    assert sorted(race(2, patch)) == [200, 412]
    assert fresh(rid).version == 2


def _ready_requests(api: Api, count: int) -> list[str]:
    """``count`` requests with every to-do done (due for deactivation with no cooling-off)."""
    ids = []
    for _ in range(count):
        rid = api.open_request(make_line())["id"]
        api.applied(rid, "identity.verified", {"method": "video"})
        ids.append(rid)
    return ids


def _ticker(app: Flask, now: dt.datetime) -> Callable[[int], dict[str, int]]:
    """A jobs worker: one tick at ``now`` in an app context of its own."""

    def worker(i: int) -> dict[str, int]:
        with app.app_context():
            report = tick(now)
            assert report.ok, report.errors
            return report.done

    return worker


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0)
def test_two_job_workers_deactivate_each_request_once(app: Flask, api: Api) -> None:
    ids = _ready_requests(api, 12)
    done = race(4, _ticker(app, utcnow()))
    assert sum(d["cancellations.advance"] for d in done) == len(ids)
    db.session.rollback()
    states = db.session.execute(sa.select(CancellationRequest.state)).scalars().all()
    assert states == ["completed"] * len(ids)
    for table, column, value in ((TimelineEntry, TimelineEntry.message, "deactivated"),
                                 (AuditRecord, AuditRecord.action, "cancellation.deactivated")):
        subject = TimelineEntry.request_id if table is TimelineEntry else AuditRecord.subject_id
        counts = dict(db.session.execute(sa.select(subject, sa.func.count()).where(column == value)
                                         .group_by(subject)).all())
        assert counts == {rid: 1 for rid in ids}
    assert audit.check_chain().ok  # concurrent appenders kept the chain linear


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0, CANCELSVC_JOBS_BATCH=2, CANCELSVC_QUIET_HOURS="")
def test_workers_sharing_small_batches_do_every_thing_once(app: Flask, api: Api) -> None:
    from models import DomainEvent, Message

    ids = _ready_requests(api, 10)
    now = utcnow()
    worker = _ticker(app, now)
    done = race(3, worker)
    assert sum(d["cancellations.advance"] for d in done) == len(ids)
    assert sum(1 for d in done if d["cancellations.advance"]) > 1  # the work was shared
    later = race(3, lambda i: worker(i) and None)  # what the deactivations queued, sent by three workers
    assert later == [None] * 3
    db.session.rollback()
    assert db.session.execute(sa.select(CancellationRequest.state)).scalars().all() == ["completed"] * len(ids)
    attempts = db.session.execute(sa.select(DomainEvent.attempts, DomainEvent.dispatched_at)).all()
    assert attempts and all(n == 1 and at is not None for n, at in attempts)  # each event handed over once
    sent = db.session.execute(sa.select(Message.request_id, Message.moment, Message.attempts)
                              .where(Message.status == "sent")).all()
    assert sent and all(n == 1 for _, _, n in sent)
    deactivated = db.session.execute(sa.select(Message.request_id).where(Message.moment == "deactivated")
                                     .order_by(Message.request_id)).scalars().all()
    assert deactivated == sorted(ids)  # one "your number is cancelled" each
    due = db.session.execute(sa.select(Message.status).where(Message.not_before <= now)).scalars().all()
    assert due and "queued" not in due  # every message due was sent (or settled) by one of them
