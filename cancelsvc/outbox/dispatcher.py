"""The ``outbox.dispatch`` sweeper: hands undispatched events to their subscribers."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa

from cancelsvc.database import transaction
from cancelsvc.jobs import Claim, claim, configured_batch, configured_lease, in_batches, sweeper
from cancelsvc.outbox.subscribers import Handler, one_batch
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
        with one_batch():
            return len(claims), hand_over_batch(claims)

    def hand_over_batch(claims: list[Claim[DomainEvent]]) -> int:
        dispatched = 0
        lease = configured_lease()
        for held in claims:
            subject: str | None = None
            try:
                with transaction():
                    event = _renew(held, now + lease)
                    if event is None:
                        continue
                    if event.subject_id in waiting:
                        _release(held, {})  # for a later pass, after the subject's earlier event
                        continue
                    subject = event.subject_id
                    error = _hand_over(event)
                    _release(held, {"dispatched_at": None if error else now, "attempts": event.attempts + 1,
                                    "last_error": error})
                if error is None:
                    dispatched += 1
                else:
                    waiting.add(subject)
            except Exception:
                log.exception("dispatching event %s failed; it is retried after its lease", held.id)
                if subject is not None:
                    waiting.add(subject)
        return dispatched

    return in_batches(batch, configured_batch(BATCH))


#: The columns a handler reads; an event is never changed once written, but for its dispatch.
_EVENT = cast(sa.Table, DomainEvent.__table__)
_READ = (_EVENT.c.id, _EVENT.c.type, _EVENT.c.subject_id, _EVENT.c.data, _EVENT.c.created_at, _EVENT.c.attempts)


def _renew(held: Claim[DomainEvent], until: datetime) -> DomainEvent | None:
    """The unit's first statement, as ``jobs.holding``: the lease renewed (the row locked until
    commit) and the event read back, or None when another worker took it over.

    Plain statements on the table: the event is handed to the handlers as a detached copy
    (they only read it) and its dispatch is written by ``_release``.
    """
    row = db.session.execute(
        sa.update(_EVENT)
        .where(_EVENT.c.id == held.id, _EVENT.c.claimed_by == held.token)
        .values(claimed_until=until)
        .returning(*_READ)
    ).first()
    return DomainEvent(**row._asdict()) if row is not None else None


def _release(held: Claim[DomainEvent], values: dict[str, Any]) -> None:
    """Write ``values`` (the pass: dispatched, or the failure) and release the claim, in the
    unit's transaction (the row is locked since ``_renew``)."""
    db.session.execute(
        sa.update(_EVENT).where(_EVENT.c.id == held.id).values(**values, claimed_by=None, claimed_until=None)
    )


def _hand_over(event: DomainEvent) -> str | None:
    """Call every handler of the event; None when all succeeded, else what to record.

    The handlers run together in one SAVEPOINT. When one fails, it is logged, that SAVEPOINT
    is rolled back and the other handlers run again each in its own SAVEPOINT, so their
    writes stay; the failed one is not called twice.
    """
    handlers = services().jobs.subscribers.handlers_for(event.type)
    failed: list[str] = []
    called = 0
    try:
        with db.session.begin_nested() if handlers else contextlib.nullcontext():
            for handler in handlers:
                called += 1
                handler(event)
                db.session.flush()  # a write that fails fails here, with its handler
    except Exception:
        culprit = max(called - 1, 0)
        failed.append(_failed(handlers[culprit], event))
        failed.extend(_one_by_one(event, handlers[:culprit] + handlers[culprit + 1:]))
    return f"handler failed: {', '.join(sorted(failed, key=_order(handlers)))}"[:500] if failed else None


def _one_by_one(event: DomainEvent, handlers: list[Handler]) -> list[str]:
    """Call each handler in its own SAVEPOINT; the names of those that failed."""
    failed: list[str] = []
    for handler in handlers:
        try:
            with db.session.begin_nested():
                handler(event)
        except Exception:
            failed.append(_failed(handler, event))
    return failed


def _failed(handler: Handler, event: DomainEvent) -> str:
    """Log the exception being handled for ``handler``; returns the handler's name."""
    name = _name(handler)
    log.exception("outbox handler %s failed for event %s (%s)", name, event.id, event.type)
    return name


def _name(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def _order(handlers: list[Handler]) -> Callable[[str], int]:
    """Sort key: names of failed handlers in the order the handlers are registered."""
    names = [_name(h) for h in handlers]
    return names.index
