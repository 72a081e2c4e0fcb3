"""Queuing: a cause queues a moment for an audience once, whatever the transaction."""

from __future__ import annotations

from typing import Any

from cancelsvc.notifications.queue import queue
from models import db
from models.base import utcnow
from models.vocabulary import Audience, MessageKind, Moment
from tests.notifications.conftest import messages


def _queue(cause: str, audience: str = Audience.SENDER) -> str | None:
    return queue(None, Moment.SUBMITTED, MessageKind.ESSENTIAL, cause=cause, now=utcnow(),
                 params={"code": "H1CMH0Y4D4CP"}, audience=audience, immediate=True, language="en")


def test_a_cause_queues_a_moment_once_per_audience(app: Any) -> None:
    first = _queue("event-1")
    assert first is not None
    assert _queue("event-1") is None  # again in the same transaction
    db.session.commit()
    assert _queue("event-1") is None  # again in a later one
    other = _queue("event-1", Audience.EMAIL)  # the same cause for another audience
    assert other is not None and other != first
    db.session.commit()
    rows = messages()
    assert sorted((m.cause, m.audience) for m in rows) == [("event-1", "email"), ("event-1", "sender")]
    sent = next(m for m in rows if m.audience == Audience.SENDER)
    assert (sent.id, sent.status, sent.language, sent.params["code"]) == (first, "queued", "en", "H1CMH0Y4D4CP")


def test_a_cause_whose_transaction_rolled_back_can_queue_again(app: Any) -> None:
    assert _queue("event-2") is not None
    db.session.rollback()
    assert _queue("event-2") is not None
    db.session.commit()
    assert [m.cause for m in messages()] == ["event-2"]
