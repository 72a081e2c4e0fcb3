"""The caller owns the transaction: a refused submission or a repeated event undoes only
its own SAVEPOINT, never what the caller did before it (both databases; the race on
PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from cancelsvc import audit
from cancelsvc.auth.principal import Principal
from cancelsvc.database import transaction
from cancelsvc.errors import Conflict
from cancelsvc.requests import inbound, service
from models import AuditRecord, CancellationRequest, DomainEvent, InboundEvent, Store, db
from models.base import utcnow
from tests.factories import StoreFactory
from tests.requests.conftest import Api, fresh, make_line
from tests.requests.test_concurrency import race

SYSTEM = Principal(kind="api_key", ref="boundary-test", scopes=frozenset({"admin"}))


def _count(model: Any, *where: Any) -> int:
    db.session.rollback()
    return db.session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()


def _store_codes() -> set[str]:
    db.session.rollback()
    return set(db.session.execute(sa.select(Store.code)).scalars())


def test_a_refused_submission_keeps_the_callers_earlier_work(app: Flask, api: Api) -> None:
    line = make_line()
    first, second = api.precheck(line), api.precheck(line)  # both taken before any request was open
    created = api.submit(first).get_json()
    audit_before, events_before = _count(AuditRecord), _count(DomainEvent)

    with transaction():
        db.session.add(StoreFactory.build(code="KEEP-1"))
        db.session.flush()
        with pytest.raises(Conflict) as refused:
            service.submit(SYSTEM, second, None, None)
        db.session.add(StoreFactory.build(code="KEEP-2"))  # the transaction goes on after the refusal

    assert refused.value.code == "request.open"
    assert refused.value.extra["id"] == created["id"]
    assert {"KEEP-1", "KEEP-2"} <= _store_codes()
    assert _count(CancellationRequest) == 1
    # The refused request's audit record, timeline and events went with its SAVEPOINT.
    assert _count(AuditRecord) == audit_before
    assert _count(DomainEvent) == events_before
    assert audit.check_chain().ok


def test_an_event_recorded_meanwhile_answers_as_the_first_and_keeps_the_callers_work(
    app: Flask, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = api.open_request(make_line(bill=True))["id"]
    body = {"event_id": "pay-meanwhile", "type": "payment.received", "occurred_at": utcnow(),
            "cancellation_id": rid, "data": {"amount": Decimal("20.00")}}
    with transaction():
        first = inbound.receive(SYSTEM, dict(body))  # the concurrent delivery, committed first
    version = fresh(rid).version
    # It commits between our look-up and our INSERT: the look-up misses it.
    recorded, looked_up = inbound._recorded, []

    def late_lookup(sender: str, event_id: str) -> InboundEvent | None:
        looked_up.append(event_id)
        return None if len(looked_up) == 1 else recorded(sender, event_id)

    monkeypatch.setattr(inbound, "_recorded", late_lookup)

    with transaction():
        db.session.add(StoreFactory.build(code="KEEP-3"))
        db.session.flush()
        answer = inbound.receive(SYSTEM, body)

    assert answer["event_id"] == first["event_id"] and answer["outcome"] == first["outcome"] == "applied"
    assert answer["cancellation_id"] == rid and looked_up == ["pay-meanwhile"] * 2
    assert "KEEP-3" in _store_codes()
    assert _count(InboundEvent) == 1
    req = fresh(rid)
    assert req.paid_total == Decimal("20.00") and req.version == version  # applied once


@pytest.mark.postgres_only
def test_racing_submissions_in_callers_transactions_keep_every_callers_work(app: Flask, api: Api) -> None:
    line = make_line()
    precheck = api.precheck(line)

    def submit(i: int) -> str:
        with app.app_context():
            with transaction():
                db.session.add(StoreFactory.build(code=f"RACE-{i}"))
                db.session.flush()
                try:
                    service.submit(SYSTEM, precheck, None, None)
                except Conflict as refused:
                    return f"409:{refused.extra['tracking_code']}"
            return "201"

    results = race(12, submit)
    assert sorted(results)[0] == "201" and results.count("201") == 1
    (tracking_code,) = {r.removeprefix("409:") for r in results if r != "201"}
    assert _count(CancellationRequest, CancellationRequest.tracking_code == tracking_code) == 1
    assert {f"RACE-{i}" for i in range(12)} <= _store_codes()
    assert audit.check_chain().ok
