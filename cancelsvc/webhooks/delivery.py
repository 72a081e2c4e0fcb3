"""Webhook deliveries: one row per event and subscription, POSTed by a sweeper.

The ``schedule_deliveries`` outbox subscriber creates the rows; the
``webhooks.deliver`` sweeper claims due rows, POSTs them with no transaction open,
then records the attempt: delivered on a 2xx, otherwise retried with exponential
backoff (30 s doubling up to 1 h, ±10 % jitter) until 24 hours after the first
attempt, then ``failed``. Delivery is at least once (a worker that dies between the
POST and recording it sends again after its lease): receivers dedupe by ``event_id``.
"""

from __future__ import annotations

import functools
import http.client
import logging
import random
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from cancelsvc.common.canonical import canonical_json
from cancelsvc.database import transaction
from cancelsvc.jobs import Claim, claim, configured_batch, configured_lease, holding, in_batches, sweeper
from cancelsvc.outbox import CANCELLATION_EVENT_TYPES, per_batch, subscriber
from cancelsvc.webhooks.signing import HEADER as SIGNATURE_HEADER
from cancelsvc.webhooks.signing import signature_header
from models import DomainEvent, WebhookDelivery, WebhookSubscription, db
from models.base import new_uuid, utcnow

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)
# Twice the jobs' lease (10 minutes by default): longer than a whole batch of timed-out
# POSTs, so a live worker keeps its rows.
LEASE_FACTOR = 2
BATCH = 50


@subscriber(*CANCELLATION_EVENT_TYPES)
def schedule_deliveries(event: DomainEvent) -> None:
    """One pending delivery per active subscription that wants this event type.

    The active subscriptions are read once per dispatcher batch (``per_batch``); a
    delivery that already exists is left alone (``INSERT … ON CONFLICT DO NOTHING`` on
    the subscription and event), so a repeat call adds nothing and reads nothing more.
    """
    wanted = [sid for sid, types in per_batch(SUBSCRIPTIONS, _active_subscriptions) if event.type in types]
    if not wanted:
        return
    document = payload(event)
    db.session.execute(_insert_once(db.engine.dialect.name), [
        {"id": new_uuid(), "subscription_id": sid, "event_id": event.id, "event_type": event.type,
         "payload": document, "status": "pending", "attempts": 0, "next_attempt_at": event.created_at,
         "created_at": utcnow()}
        for sid in wanted
    ])


SUBSCRIPTIONS = "webhooks.subscriptions"


def _active_subscriptions() -> list[tuple[str, frozenset[str]]]:
    """Every active subscription's id and event types, as plain values."""
    rows = db.session.execute(
        sa.select(WebhookSubscription.id, WebhookSubscription.event_types).where(WebhookSubscription.active.is_(True))
    )
    return [(sid, frozenset(types)) for sid, types in rows]


@functools.cache
def _insert_once(dialect: str) -> sa.Insert:
    """``INSERT … ON CONFLICT (subscription_id, event_id) DO NOTHING``, built once per dialect
    (PostgreSQL and SQLite spell it alike)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(sa.Table, WebhookDelivery.__table__)
    return insert(table).on_conflict_do_nothing(index_elements=["subscription_id", "event_id"])


def payload(event: DomainEvent) -> dict[str, object]:
    """The document a receiver gets."""
    return {
        "event_id": event.id,
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "data": event.data,
    }


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class _Send:
    held: Claim[WebhookDelivery]
    url: str | None  # None when the subscription was deactivated meanwhile
    secret: str
    body: bytes
    delivery_id: str
    event_id: str
    event_type: str


@sweeper("webhooks.deliver", order=20)
def deliver_due(now: datetime) -> int:
    """POST every due delivery once; returns how many attempts were recorded."""
    due = (
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
    )
    lease = configured_lease(LEASE_FACTOR)

    def batch(size: int) -> tuple[int, int]:
        with transaction():
            sends = [_prepare(held) for held in claim(due, size, now=now, lease=lease)]
        recorded = 0
        for send in sends:
            outcome = post(send) if send.url else Outcome(None, "subscription deactivated")
            try:
                with holding(send.held, now=now, lease=lease) as delivery:
                    if delivery is None:
                        continue  # our lease ran out and another worker took over this delivery
                    record_attempt(delivery, outcome, now, stop=send.url is None)
                    recorded += 1
            except Exception:
                log.exception("recording webhook delivery %s failed; it is retried after its lease",
                              send.delivery_id)
        return len(sends), recorded

    return in_batches(batch, configured_batch(BATCH))


def _prepare(held: Claim[WebhookDelivery]) -> _Send:
    delivery = db.session.get(WebhookDelivery, held.id)
    if delivery is None:
        raise LookupError(f"claimed webhook delivery {held.id} vanished")
    subscription = db.session.get(WebhookSubscription, delivery.subscription_id)
    url, secret = (subscription.url, subscription.secret) if subscription and subscription.active else (None, "")
    return _Send(
        held=held,
        url=url,
        secret=secret,
        body=canonical_json(delivery.payload).encode("utf-8"),
        delivery_id=delivery.id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
    )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is an answer other than 2xx: retried later


def post(send: _Send) -> Outcome:
    """POST the body, signed; never raises."""
    request = urllib.request.Request(
        send.url or "",
        data=send.body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "cancelsvc-webhooks/1",
            SIGNATURE_HEADER: signature_header(send.secret, send.body),
            "X-Cancelsvc-Event": send.event_type,
            "X-Cancelsvc-Event-Id": send.event_id,
            "X-Cancelsvc-Delivery": send.delivery_id,
        },
    )
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(65536)
            status = response.status
    except urllib.error.HTTPError as error:
        return Outcome(error.code, f"HTTP {error.code}")
    except TimeoutError:
        return Outcome(None, f"timed out after {TIMEOUT_SECONDS} s")
    except urllib.error.URLError as error:
        return Outcome(None, f"connection failed: {error.reason}"[:500])
    except (OSError, ValueError, http.client.HTTPException) as error:
        return Outcome(None, f"{type(error).__name__}: {error}"[:500])
    return Outcome(status, None if 200 <= status < 300 else f"HTTP {status}")


def record_attempt(delivery: WebhookDelivery, outcome: Outcome, now: datetime, *, stop: bool = False) -> None:
    """Count the attempt and decide: delivered, retry later, or failed for good."""
    if not stop:
        delivery.attempts += 1
        delivery.first_attempt_at = delivery.first_attempt_at or now
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    if outcome.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
    elif stop or now - (delivery.first_attempt_at or now) >= GIVE_UP_AFTER:
        delivery.status, delivery.next_attempt_at = "failed", None
        log.warning("webhook delivery %s failed for good: %s", delivery.id, outcome.error)
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most 1 h; ±10 % jitter spreads retries."""
    base = min(FIRST_RETRY * 2 ** min(attempts - 1, 20), MAX_RETRY)
    return base * random.uniform(0.9, 1.1)
