"""Recording a sent batch: one SAVEPOINT for the batch, each message on its own only after a failure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest

from cancelsvc.database import writer
from cancelsvc.notifications.queue import queue
from cancelsvc.notifications.sender import send_due
from cancelsvc.notifications.transports.base import Outcome, Outgoing
from cancelsvc.services import services
from models import SmsPart, db
from models.base import utcnow
from models.vocabulary import Audience, MessageKind, Moment
from tests.notifications.conftest import messages


class _Accepting:
    """An SMSC stand-in that accepts everything, with the ids the test chose."""

    name = "fake"

    def __init__(self, ids: dict[str, str]) -> None:
        self.ids = ids
        self.sent: list[str] = []

    def send_many(self, outgoing: Sequence[Outgoing]) -> list[Outcome]:
        self.sent += [out.message_id for out in outgoing]
        return [Outcome(True, (self.ids.get(out.message_id, f"S-{out.message_id[:8]}"),)) for out in outgoing]

    def status(self) -> str:
        return "ok"

    def close(self) -> None:
        pass


def _queue_texts(count: int, now: dt.datetime) -> list[str]:
    ids = [queue(None, Moment.TEST, MessageKind.ESSENTIAL, cause=f"batch:{i}", now=now,
                 params={"to": f"+86138001380{i:02d}"}, audience=Audience.SENDER, immediate=True, language="en")
           for i in range(count)]
    db.session.commit()
    return [i for i in ids if i is not None]


def _send(transport: _Accepting, now: dt.datetime) -> int:
    services().messages._sms = transport
    with writer():
        return send_due(now + dt.timedelta(seconds=1))


def test_a_batch_is_recorded_at_once(app: Any) -> None:
    now = utcnow()
    ids = _queue_texts(5, now)
    transport = _Accepting({})
    assert _send(transport, now) == 5
    assert sorted(transport.sent) == sorted(ids)
    rows = messages()
    assert {(m.status, m.claimed_by, m.attempts) for m in rows} == {("sent", None, 1)}
    assert db.session.query(SmsPart).count() == 5


def test_a_message_whose_recording_fails_keeps_its_claim_and_the_others_are_recorded(
        app: Any, caplog: pytest.LogCaptureFixture) -> None:
    now = utcnow()
    ids = _queue_texts(4, now)
    # The SMSC id answered for the second message is already taken: its part cannot be written.
    db.session.add(SmsPart(smsc_id="TAKEN", message_id=ids[0], part=9))
    db.session.commit()
    assert _send(_Accepting({ids[1]: "TAKEN"}), now) == 3
    by_id = {m.id: m for m in messages()}
    failed = by_id.pop(ids[1])
    assert failed.status == "queued" and failed.claimed_by is not None  # sent again after its lease
    assert {(m.status, m.claimed_by) for m in by_id.values()} == {("sent", None)}
    assert "recording message" in caplog.text
