"""Queuing a message: one row in the caller's transaction (never commits).

The text is not composed here: the row keeps the moment, language and parameters, and the
sender composes it when it goes (the link token is issued then, and a later language
choice is honoured). Quiet hours move ``not_before`` to their end unless the message
confirms what the customer has just done. An update of a request replaces the updates of
that request still waiting from the last few minutes (``merged``); essential messages are
never merged.

A cause queues a moment for an audience once: the row is inserted with ``ON CONFLICT DO
NOTHING`` on the unique ``(cause, moment, audience)``, one statement that also holds
under concurrent transactions (the second waits for the first and inserts nothing).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from cancelsvc.common.canonical import to_json_value
from cancelsvc.notifications.policy import MERGE_WINDOW, QuietHours, allowed_at
from cancelsvc.services import settings
from cancelsvc.texts import negotiate
from models import CancellationRequest, Customer, Message, db
from models.base import new_uuid
from models.vocabulary import Audience, MessageKind, MessageStatus, Moment

#: Updates that say where the request stands now: a newer one replaces those still waiting.
#: (Reminders and the follow-up are scheduled for their own day and are never merged.)
MERGEABLE = frozenset({Moment.TODO, Moment.ALL_DONE, Moment.REFUND_ISSUED, Moment.SLA_MISSED})
#: Updates wait this long before going, so that updates piling up are merged into one.
SETTLE = dt.timedelta(minutes=2)


def cause_key(*parts: str) -> str:
    """A short stable cause for a scheduled message (``Message.cause`` is at most 80 characters)."""
    digest = hashlib.sha256(":".join(parts).encode()).hexdigest()[:24]
    return f"{parts[0][:36]}:{digest}"


def quiet_hours() -> QuietHours | None:
    return QuietHours.parse(settings().CANCELSVC_QUIET_HOURS)


def queue(req: CancellationRequest | None, moment: str, kind: str, *, cause: str, now: dt.datetime,
          params: dict[str, Any] | None = None, audience: str = Audience.CUSTOMER,
          at: dt.datetime | None = None, immediate: bool = False, language: str | None = None,
          customer: Customer | None = None) -> str | None:
    """Queue ``moment`` for ``req``'s customer: the new message's id, or None when this cause
    already queued it (in the database or earlier in this transaction).

    ``at`` is when it is due (default now); ``immediate`` skips quiet hours (the customer's
    own action, a direct answer).
    """
    if customer is None and req is not None:
        customer = db.session.get(Customer, req.customer_id)
    tz = req.timezone if req is not None else settings().CANCELSVC_TIMEZONE
    due = at or now
    if not immediate:
        due = allowed_at(due, tz, quiet_hours())
    if kind == MessageKind.UPDATE:
        due = max(due, now + SETTLE)
    message_id = db.session.execute(_insert_once(db.engine.dialect.name), {
        "id": new_uuid(), "request_id": req.id if req else None, "customer_id": customer.id if customer else None,
        "cause": cause, "moment": moment, "kind": kind, "audience": audience,
        "language": negotiate(language or (customer.locale if customer else None)),
        "params": to_json_value({**(params or {}), "tz": tz}), "status": MessageStatus.QUEUED,
        "created_at": now, "not_before": due, "attempts": 0, "counted": False,
    }).scalar_one_or_none()
    if message_id is not None and moment in MERGEABLE and req is not None:
        _merge_into(message_id, audience, due, req, now)
    return message_id


@functools.cache
def _insert_once(dialect: str) -> sa.Insert:
    """``INSERT … ON CONFLICT (cause, moment, audience) DO NOTHING RETURNING id``, built once
    per dialect (PostgreSQL and SQLite spell it alike)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(sa.Table, Message.__table__)
    return insert(table).on_conflict_do_nothing(index_elements=["cause", "moment", "audience"]) \
        .returning(table.c.id)


def _merge_into(message_id: str, audience: str, not_before: dt.datetime, req: CancellationRequest,
                now: dt.datetime) -> None:
    """Earlier updates of ``req`` still waiting from the last few minutes are folded into the new message."""
    db.session.execute(
        sa.update(Message)
        .where(Message.request_id == req.id, Message.moment.in_(MERGEABLE),
               Message.status == MessageStatus.QUEUED, Message.audience == audience,
               Message.id != message_id, Message.created_at >= now - MERGE_WINDOW,
               Message.not_before <= not_before, Message.claimed_by.is_(None))
        .values(status=MessageStatus.MERGED, merged_into=message_id)
        .execution_options(synchronize_session=False)
    )
