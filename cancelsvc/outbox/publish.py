"""Publishing a domain event: one row added to the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from cancelsvc.common.canonical import to_json_value
from models import DomainEvent, db
from models.base import new_uuid, utcnow

_LAST_INSTANT = "cancelsvc.outbox.last_created_at"


def publish(type: str, subject_id: str, data: Mapping[str, Any]) -> DomainEvent:
    """Record that ``type`` happened to ``subject_id``; never commits.

    The event exists exactly when the caller's transaction commits, so a change and
    its event are never separated. ``data`` must be JSON-like (Decimals, UUIDs and
    dates become strings). Subscribers see it once the dispatcher job has run.
    """
    if not type or len(type) > 64:
        raise ValueError("an event type is 1 to 64 characters")
    event = DomainEvent(
        id=new_uuid(),
        type=type,
        subject_id=str(subject_id),
        data=to_json_value(dict(data)),
        created_at=_next_instant(),
    )
    db.session.add(event)
    return event


def _next_instant() -> datetime:
    # Events are dispatched by (created_at, id): keep the instants of one session
    # strictly increasing so that events published together keep their order.
    now = utcnow()
    last: datetime | None = db.session.info.get(_LAST_INSTANT)
    if last is not None and now <= last:
        now = last + timedelta(microseconds=1)
    db.session.info[_LAST_INSTANT] = now
    return now
