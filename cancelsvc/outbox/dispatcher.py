"""The ``outbox.dispatch`` sweeper: hands undispatched events to their subscribers."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from cancelsvc.database import transaction
from cancelsvc.jobs import claim, configured_batch, holding, in_batches, sweeper
from cancelsvc.services import services
from models import DomainEvent, db

log = logging.getLogger(__name__)

BATCH = 200


@sweeper("outbox.dispatch", order=10)
def dispatch_events(now: datetime) -> int:
    """Dispatch due events in (created_at, id) order; returns how many were dispatched.

    An event whose handler fails stays undispatched (attempts and last error are
    recorded) and is tried again on the next pass; later events of the same subject
    wait for it, so each subject's events reach handlers in order.
    """
    pending = (
        sa.select(DomainEvent)
        .where(DomainEvent.dispatched_at.is_(None))
        .order_by(DomainEvent.created_at, DomainEvent.id)
    )
    waiting: set[str] = set()

    def batch(size: int) -> tuple[int, int]:
        with transaction():
            claims = claim(pending, size, now=now)
        dispatched = 0
        for held in claims:
            subject: str | None = None
            try:
                with holding(held, now=now) as event:
                    if event is None or event.subject_id in waiting:
                        continue
                    subject = event.subject_id
                    if _hand_over(event):
                        event.dispatched_at = now
                        dispatched += 1
                    else:
                        waiting.add(subject)
            except Exception:
                log.exception("dispatching event %s failed; it is retried after its lease", held.id)
                if subject is not None:
                    waiting.add(subject)
        return len(claims), dispatched

    return in_batches(batch, configured_batch(BATCH))


def _hand_over(event: DomainEvent) -> bool:
    """Call every handler of the event in its own SAVEPOINT; True when all succeeded."""
    failed: list[str] = []
    for handler in services().jobs.subscribers.handlers_for(event.type):
        name = f"{handler.__module__}.{handler.__qualname__}"
        try:
            with db.session.begin_nested():
                handler(event)
        except Exception:
            log.exception("outbox handler %s failed for event %s (%s)", name, event.id, event.type)
            failed.append(name)
    event.attempts += 1
    event.last_error = f"handler failed: {', '.join(failed)}"[:500] if failed else None
    return not failed
