"""Domain events through a transactional outbox.

- ``publish(type, subject_id, data)`` adds a ``DomainEvent`` to the caller's
  transaction (never commits): no change without its event, no event without its change;
- ``subscriber(*types)`` marks an idempotent handler ``(event) -> None`` (the application
  factory registers it); ``per_batch(key, load)`` keeps a read for the dispatcher's batch;
- the ``outbox.dispatch`` sweeper (``dispatcher``) calls the handlers at least once
  per event and marks the event dispatched.
"""

from __future__ import annotations

from cancelsvc.outbox.publish import publish
from cancelsvc.outbox.subscribers import Handler, SubscriberRegistry, one_batch, per_batch, subscriber
from cancelsvc.outbox.types import (
    CANCELLATION_CREATED,
    CANCELLATION_EVENT_TYPES,
    CANCELLATION_NODE_CHANGED,
    CANCELLATION_STATE_CHANGED,
    CancellationEventType,
)

__all__ = [
    "CANCELLATION_CREATED",
    "CANCELLATION_EVENT_TYPES",
    "CANCELLATION_NODE_CHANGED",
    "CANCELLATION_STATE_CHANGED",
    "CancellationEventType",
    "Handler",
    "SubscriberRegistry",
    "one_batch",
    "per_batch",
    "publish",
    "subscriber",
]
