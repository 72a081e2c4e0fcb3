"""Event types published by the cancellation lifecycle (also offered to webhooks)."""

from __future__ import annotations

from enum import StrEnum


class CancellationEventType(StrEnum):
    """Domain events about a cancellation request (``domain_events.type``, webhook ``type``)."""

    CREATED = "cancellation.created"
    STATE_CHANGED = "cancellation.state_changed"
    NODE_CHANGED = "cancellation.node_changed"


CANCELLATION_CREATED = CancellationEventType.CREATED
CANCELLATION_STATE_CHANGED = CancellationEventType.STATE_CHANGED
CANCELLATION_NODE_CHANGED = CancellationEventType.NODE_CHANGED

CANCELLATION_EVENT_TYPES = tuple(CancellationEventType)
