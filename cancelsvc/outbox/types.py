"""Event types published by the cancellation lifecycle (also offered to webhooks)."""

from __future__ import annotations

CANCELLATION_CREATED = "cancellation.created"
CANCELLATION_STATE_CHANGED = "cancellation.state_changed"
CANCELLATION_NODE_CHANGED = "cancellation.node_changed"

CANCELLATION_EVENT_TYPES = (CANCELLATION_CREATED, CANCELLATION_STATE_CHANGED, CANCELLATION_NODE_CHANGED)
