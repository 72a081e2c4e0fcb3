"""Webhook deliveries against a real local receiver: signatures, retries, backoff, giving up."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from cancelsvc.database import transaction
from cancelsvc.jobs import tick
from cancelsvc.outbox import CANCELLATION_CREATED, CANCELLATION_NODE_CHANGED, CANCELLATION_STATE_CHANGED, publish
from cancelsvc.webhooks import signing
from models import WebhookDelivery, db
from models.base import utcnow
from tests.factories import WebhookDeliveryFactory, WebhookSubscriptionFactory

SECRET = "a-receiver-secret-of-some-length"


def receiver_accepts(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """A receiver's check, written from api.md alone:
    ``X-Cancelsvc-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">``."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"]) and abs(time.time() - int(fields["t"])) <= tolerance


def _publish(type_: str = CANCELLATION_CREATED, subject: str = "req-1", data: dict[str, Any] | None = None) -> str:
    with transaction():
        return publish(type_, subject, data or {"state": "in_progress", "tracking_code": "CX7K3M9Q2PRT"}).id


def _deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.execute(sa.select(WebhookDelivery).order_by(WebhookDelivery.created_at)).scalars())


def test_delivery_is_signed_over_the_exact_body(app: Any, receiver: Any) -> None:
    WebhookSubscriptionFactory(url=receiver.url, secret=SECRET, event_types=[CANCELLATION_CREATED])
    event_id = _publish(data={"state": "in_progress", "note": "搬家了"})

    report = tick(utcnow())
    assert report["outbox.dispatch"] == 1 and report["webhooks.deliver"] == 1

    (headers, body), = receiver.requests
    assert headers["Content-Type"] == "application/json"
    assert receiver_accepts(SECRET, headers["X-Cancelsvc-Signature"], body)
    assert not receiver_accepts(SECRET, headers["X-Cancelsvc-Signature"], body + b" ")
    assert not receiver_accepts("another-secret-entirely", headers["X-Cancelsvc-Signature"], body)
    document = json.loads(body)
    assert set(document) == {"event_id", "type", "created_at", "data"}
    assert document["event_id"] == event_id and document["type"] == CANCELLATION_CREATED
    assert document["data"] == {"state": "in_progress", "note": "搬家了"}
    datetime.fromisoformat(document["created_at"])

    (delivery,) = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None and delivery.first_attempt_at is not None
    assert delivery.claimed_by is None and delivery.next_attempt_at is None


def test_signing_helper_matches_the_receiver_check() -> None:
    body = b'{"event_id":"e","type":"cancellation.created","created_at":"x","data":{}}'
    header = signing.signature_header(SECRET, body)
    assert receiver_accepts(SECRET, header, body)
    assert signing.verify(SECRET, header, body)
    assert not signing.verify(SECRET, header, body, now=time.time() + 3600)
    assert not signing.verify(SECRET, "garbage", body)


def test_only_matching_active_subscriptions_get_deliveries(app: Any, receiver: Any) -> None:
    wants_nodes = WebhookSubscriptionFactory(url=receiver.url, event_types=[CANCELLATION_NODE_CHANGED])
    WebhookSubscriptionFactory(url=receiver.url, event_types=[CANCELLATION_STATE_CHANGED], active=False)
    wants_all = WebhookSubscriptionFactory(url=receiver.url)
    wants_nodes_id, wants_all_id = wants_nodes.id, wants_all.id
    _publish(CANCELLATION_STATE_CHANGED)
    _publish(CANCELLATION_NODE_CHANGED)

    tick(utcnow())
    got = sorted((d.subscription_id, d.event_type) for d in _deliveries())
    assert got == sorted(
        [
            (wants_all_id, CANCELLATION_STATE_CHANGED),
            (wants_all_id, CANCELLATION_NODE_CHANGED),
            (wants_nodes_id, CANCELLATION_NODE_CHANGED),
        ]
    )
    assert len(receiver.requests) == 3


def test_retries_with_growing_backoff_until_a_2xx(app: Any, receiver: Any) -> None:
    receiver.statuses = [500, 503]
    WebhookSubscriptionFactory(url=receiver.url, secret=SECRET)
    _publish()
    start = utcnow()

    tick(start)
    (delivery,) = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500"
    first_gap = delivery.next_attempt_at - start
    assert timedelta(seconds=27) <= first_gap <= timedelta(seconds=33)

    assert tick(start + timedelta(seconds=10))["webhooks.deliver"] == 0  # not due yet
    assert len(receiver.requests) == 1

    second = delivery.next_attempt_at
    tick(second)
    (delivery,) = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 2, 503)
    second_gap = delivery.next_attempt_at - second
    assert timedelta(seconds=54) <= second_gap <= timedelta(seconds=66)
    assert second_gap > first_gap

    tick(delivery.next_attempt_at)
    (delivery,) = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    assert delivery.first_attempt_at == start and delivery.last_error is None
    bodies = {body for _, body in receiver.requests}
    assert len(receiver.requests) == 3 and len(bodies) == 1  # the same document every time
    assert all(receiver_accepts(SECRET, h["X-Cancelsvc-Signature"], b) for h, b in receiver.requests)


def test_gives_up_as_failed_only_after_24_hours(app: Any, receiver: Any) -> None:
    receiver.statuses = [500] * 200
    WebhookSubscriptionFactory(url=receiver.url)
    _publish()
    start = now = utcnow()
    history: list[tuple[datetime, str, timedelta | None]] = []
    for _ in range(100):
        tick(now)
        (delivery,) = _deliveries()
        gap = delivery.next_attempt_at - now if delivery.next_attempt_at else None
        history.append((now, delivery.status, gap))
        if delivery.status != "pending":
            break
        now = delivery.next_attempt_at

    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert delivery.attempts == len(history) == len(receiver.requests)
    assert history[-1][0] - start >= timedelta(hours=24)
    assert all(status == "pending" for at, status, _ in history if at - start < timedelta(hours=24))
    gaps = [gap for _, _, gap in history if gap is not None]
    assert gaps[:6] == sorted(gaps[:6])  # doubling from 30 s ...
    assert max(gaps) <= timedelta(hours=1.1)  # ... capped at an hour (plus jitter)
    assert len(history) < 40


def test_connection_failures_are_recorded_and_retried(app: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    WebhookSubscriptionFactory(url=f"http://127.0.0.1:{closed_port}/nobody-home")
    _publish()
    tick(utcnow())
    (delivery,) = _deliveries()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_status_code is None and "connection failed" in (delivery.last_error or "")


def test_a_deactivated_subscription_gets_nothing_more(app: Any, receiver: Any) -> None:
    subscription = WebhookSubscriptionFactory(url=receiver.url, active=False)
    WebhookDeliveryFactory(subscription_id=subscription.id)
    tick(utcnow())
    (delivery,) = _deliveries()
    assert delivery.status == "failed" and delivery.last_error == "subscription deactivated"
    assert delivery.attempts == 0 and receiver.requests == []


def test_redelivering_an_event_does_not_duplicate_deliveries(app: Any, receiver: Any) -> None:
    from cancelsvc.webhooks.delivery import schedule_deliveries
    from models import DomainEvent

    WebhookSubscriptionFactory(url=receiver.url)
    event_id = _publish()
    tick(utcnow())
    with transaction():
        schedule_deliveries(db.session.get(DomainEvent, event_id))  # at-least-once dispatch
    assert len(_deliveries()) == 1


def test_subscriptions_are_read_once_per_dispatcher_batch(app: Any, receiver: Any) -> None:
    WebhookSubscriptionFactory(url=receiver.url, event_types=[CANCELLATION_CREATED])
    WebhookSubscriptionFactory(url=receiver.url, event_types=[CANCELLATION_CREATED, CANCELLATION_STATE_CHANGED])
    ids = [_publish(subject=f"req-{n}") for n in range(3)] + [_publish(CANCELLATION_STATE_CHANGED, "req-9")]
    reads: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if "FROM webhook_subscriptions" in statement:
            reads.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert tick(utcnow())["outbox.dispatch"] == 4
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    scheduled = [d.event_id for d in _deliveries()]
    assert sorted(scheduled) == sorted(ids[:3] * 2 + ids[3:])
    # One read for the dispatch of all four events (the delivery sweep reads its own by id).
    assert len([r for r in reads if "WHERE webhook_subscriptions.active" in r]) == 1
