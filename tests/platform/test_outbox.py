"""Domain events: published with the caller's transaction, dispatched in order, retried on failure."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from cancelsvc.database import transaction
from cancelsvc.jobs import tick
from cancelsvc.outbox import CANCELLATION_CREATED, CANCELLATION_STATE_CHANGED, publish
from models import DomainEvent, db
from models.base import utcnow


def _events() -> list[DomainEvent]:
    db.session.expire_all()
    return list(db.session.execute(sa.select(DomainEvent).order_by(DomainEvent.created_at)).scalars())


def test_publish_inside_a_rolled_back_transaction_leaves_nothing(app: Any) -> None:
    with pytest.raises(RuntimeError), transaction():
        publish(CANCELLATION_CREATED, "req-1", {"state": "in_progress"})
        raise RuntimeError("the change failed")
    publish(CANCELLATION_CREATED, "req-2", {})
    db.session.rollback()
    assert _events() == []


def test_publish_commits_with_the_caller_and_normalises_data(app: Any) -> None:
    from decimal import Decimal

    with transaction():
        event = publish(CANCELLATION_CREATED, "req-1", {"amount": Decimal("12.50"), "when": utcnow().date()})
        event_id = event.id
    (stored,) = _events()
    assert stored.id == event_id and stored.type == CANCELLATION_CREATED and stored.subject_id == "req-1"
    assert stored.data["amount"] == "12.50" and isinstance(stored.data["when"], str)
    assert stored.dispatched_at is None


def test_dispatch_calls_subscribers_once_per_event_in_order(app: Any, subscribe: Any) -> None:
    seen: list[tuple[str, str]] = []
    subscribe(lambda event: seen.append((event.type, event.id)), CANCELLATION_CREATED, CANCELLATION_STATE_CHANGED)
    also: list[str] = []
    subscribe(lambda event: also.append(event.id), CANCELLATION_STATE_CHANGED)
    with transaction():
        ids = [
            publish(CANCELLATION_CREATED, "req-1", {}).id,
            publish(CANCELLATION_STATE_CHANGED, "req-1", {"state": "ready"}).id,
            publish("something.else", "req-1", {}).id,
        ]
    with transaction():
        ids.append(publish(CANCELLATION_STATE_CHANGED, "req-2", {"state": "withdrawn"}).id)

    report = tick(utcnow())
    assert report["outbox.dispatch"] == 4
    assert [event_id for _, event_id in seen] == [ids[0], ids[1], ids[3]]
    assert also == [ids[1], ids[3]]
    assert all(e.dispatched_at is not None and e.claimed_by is None for e in _events())

    assert tick(utcnow())["outbox.dispatch"] == 0
    assert len(seen) == 3 and len(also) == 2


def test_a_failing_handler_is_retried_on_the_next_tick(app: Any, subscribe: Any, caplog: Any) -> None:
    calls: list[str] = []
    side_effects: list[str] = []

    def flaky(event: DomainEvent) -> None:
        calls.append(event.id)
        # A write made by the failing handler is rolled back with its SAVEPOINT.
        publish("flaky.side_effect", event.subject_id, {})
        if len(calls) == 1:
            raise ConnectionError("notification gateway down")

    subscribe(flaky, CANCELLATION_CREATED)
    subscribe(lambda event: side_effects.append(event.id), CANCELLATION_CREATED)
    with transaction():
        event_id = publish(CANCELLATION_CREATED, "req-1", {}).id

    with caplog.at_level(logging.ERROR, logger="cancelsvc.outbox.dispatcher"):
        assert tick(utcnow())["outbox.dispatch"] == 0
    assert "flaky" in caplog.text and event_id in caplog.text
    (event,) = _events()
    assert event.dispatched_at is None and event.attempts == 1 and "flaky" in (event.last_error or "")
    assert side_effects == [event_id]  # the healthy handler ran (and will run again: at least once)

    assert tick(utcnow())["outbox.dispatch"] == 1
    assert calls == [event_id, event_id]
    event = next(e for e in _events() if e.type == CANCELLATION_CREATED)
    assert event.dispatched_at is not None and event.attempts == 2 and event.last_error is None
    # Only the successful pass left its side effect.
    assert [e.type for e in _events()].count("flaky.side_effect") == 1


def test_a_stuck_event_holds_back_later_events_of_its_subject_only(app: Any, subscribe: Any) -> None:
    seen: list[str] = []

    def handler(event: DomainEvent) -> None:
        if event.data.get("poison"):
            raise ValueError("cannot handle")
        seen.append(event.id)

    subscribe(handler, CANCELLATION_CREATED, CANCELLATION_STATE_CHANGED)
    with transaction():
        stuck = publish(CANCELLATION_CREATED, "req-1", {"poison": True})
        after = publish(CANCELLATION_STATE_CHANGED, "req-1", {})
        other = publish(CANCELLATION_CREATED, "req-2", {})
        stuck_id, after_id, other_id = stuck.id, after.id, other.id

    assert tick(utcnow())["outbox.dispatch"] == 1
    assert seen == [other_id]
    pending = {e.id for e in _events() if e.dispatched_at is None}
    assert pending == {stuck_id, after_id}


def test_events_of_one_transaction_keep_their_order(app: Any) -> None:
    with transaction():
        ids = [publish(CANCELLATION_STATE_CHANGED, "req-1", {"n": n}).id for n in range(50)]
    assert [e.id for e in _events()] == ids
    created = [e.created_at for e in _events()]
    assert all(b - a >= timedelta(microseconds=1) for a, b in zip(created, created[1:], strict=False))


def _savepoints(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("SAVEPOINT"))


def test_an_events_handlers_share_one_savepoint_unless_one_fails(app: Any, subscribe: Any, caplog: Any) -> None:
    calls: list[str] = []

    def first(event: DomainEvent) -> None:
        calls.append("first")
        publish("first.side_effect", event.subject_id, {})

    def failing(event: DomainEvent) -> None:
        calls.append("failing")
        publish("failing.side_effect", event.subject_id, {})
        if event.data.get("fail"):
            raise ConnectionError("gateway down")

    def last(event: DomainEvent) -> None:
        calls.append("last")

    subscribe(first, "test.event")
    subscribe(failing, "test.event")
    subscribe(last, "test.event")
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    with transaction():
        publish("test.event", "req-1", {})
    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert tick(utcnow())["outbox.dispatch"] == 1
        assert calls == ["first", "failing", "last"] and _savepoints(statements) == 1

        with transaction():
            publish("test.event", "req-2", {"fail": True})
        calls.clear()
        statements.clear()
        with caplog.at_level(logging.ERROR, logger="cancelsvc.outbox.dispatcher"):
            # The first pass's two side effects (no handlers: no SAVEPOINT) go; the new event stays.
            assert tick(utcnow())["outbox.dispatch"] == 2
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    # The failing handler ran once; the one before it again in its own SAVEPOINT, the one after once.
    assert calls == ["first", "failing", "first", "last"]
    # The shared SAVEPOINT rolled back, then one each (a handler that writes nothing may need none).
    assert sum(1 for s in statements if s.upper().startswith("ROLLBACK TO SAVEPOINT")) == 1
    assert 2 <= _savepoints(statements) <= 3
    assert caplog.text.count("failing") >= 1 and "gateway down" in caplog.text
    (event,) = [e for e in _events() if e.subject_id == "req-2" and e.type == "test.event"]
    assert event.attempts == 1 and event.last_error is not None and "failing" in event.last_error
    side_effects = [e.type for e in _events() if e.subject_id == "req-2"]
    assert side_effects.count("first.side_effect") == 1 and "failing.side_effect" not in side_effects
