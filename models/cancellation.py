"""Cancellation requests, their checklist, timeline and the back-office events they receive."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Money, UTCDateTime, new_uuid, utcnow
from models.claims import ClaimMixin


class CancellationRequest(ClaimMixin, Base):
    """One request to cancel one line.

    ``open_account_id`` equals ``account_id`` while the request is open and is NULL
    afterwards; its UNIQUE constraint is how the database guarantees at most one open
    request per account on every backend.
    """

    __tablename__ = "cancellation_requests"
    __table_args__ = (
        # The staff work queue: a store's open requests by due date, optionally breached only or
        # waiting on one party; admins across stores. Each index ends with ``id``, the order's
        # tie-breaker, so a page (even deep, by OFFSET) is read from the index alone, in order.
        sa.Index("ix_cancellation_requests_queue", "store_code", "due_at", "id"),
        sa.Index("ix_cancellation_requests_queue_breached", "store_code", "breached", "due_at", "id"),
        sa.Index("ix_cancellation_requests_queue_waiting", "store_code", "waiting_on", "due_at", "id"),
        sa.Index("ix_cancellation_requests_queue_state", "store_code", "state", "due_at", "id"),
        sa.Index("ix_cancellation_requests_due_at", "due_at", "id"),
        sa.Index("ix_cancellation_requests_store_submitted", "store_code", "submitted_at", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_uuid)
    tracking_code: Mapped[str] = mapped_column(sa.String(12), unique=True, nullable=False)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True, nullable=False)
    open_account_id: Mapped[int | None] = mapped_column(unique=True)
    precheck_id: Mapped[str] = mapped_column(sa.ForeignKey("prechecks.id"), nullable=False)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True, nullable=False)
    store_code: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    channel: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    state: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # a RequestState
    version: Mapped[int] = mapped_column(default=1, nullable=False)
    effective_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    timezone: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    comment: Mapped[str | None] = mapped_column(sa.String(1000))
    # How to reach the customer once the number is gone: {"phone": E.164?, "email": ...?}.
    contact: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    withdraw_until: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the jobs should look at this request next (deactivation, SLA marks); indexed for sweeps.
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Since when a step that became late waits for the jobs to tell the customer (NULL once
    # they have looked); indexed for sweeps.
    late_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    closed_by: Mapped[str | None] = mapped_column(sa.String(80))
    rejected_reason: Mapped[str | None] = mapped_column(sa.String(64))
    quoted_total: Mapped[Decimal] = mapped_column(Money(), nullable=False)
    paid_total: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"), nullable=False)
    refund_due: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"), nullable=False)
    refunded_total: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"), nullable=False)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    follow_up: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # What withdrawal restores: services, family membership and credit as they were at submission.
    restore_point: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    # Node bookkeeping: {code: {status, started_at, completed_at, sla_breached}}.
    nodes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    eta: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    last_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # Derived on every change (``Change.finish``) for the staff queue, never computed per row:
    # when the next required to-do is due (NULL once the request is closed), whether a step is
    # late, who the request waits on (customer | clerk | operator | third_party) and which to-do.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    breached: Mapped[bool] = mapped_column(default=False, nullable=False)
    waiting_on: Mapped[str | None] = mapped_column(sa.String(16))
    next_item: Mapped[str | None] = mapped_column(sa.String(120))
    created_by: Mapped[str] = mapped_column(sa.String(80), nullable=False)

    items: Mapped[list[ChecklistEntry]] = relationship(
        back_populates="request", order_by="ChecklistEntry.position", cascade="all, delete-orphan"
    )
    timeline: Mapped[list[TimelineEntry]] = relationship(
        back_populates="request", order_by="TimelineEntry.id", cascade="all, delete-orphan"
    )


class ChecklistEntry(Base):
    """A checklist item of a request, with the amount quoted at pre-check (binding)."""

    __tablename__ = "checklist_entries"
    __table_args__ = (sa.UniqueConstraint("request_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(
        sa.ForeignKey("cancellation_requests.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(nullable=False)
    key: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    code: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    refs: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False)
    owner: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    required: Mapped[bool] = mapped_column(nullable=False)
    self_service: Mapped[bool] = mapped_column(nullable=False)
    amount: Mapped[Decimal | None] = mapped_column(Money())
    est_min: Mapped[int | None] = mapped_column()
    est_max: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by: Mapped[str | None] = mapped_column(sa.String(80))

    request: Mapped[CancellationRequest] = relationship(back_populates="items")


class TimelineEntry(Base):
    """Something that happened to a request, shown under its progress node."""

    __tablename__ = "timeline_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(
        sa.ForeignKey("cancellation_requests.id", ondelete="CASCADE"), index=True, nullable=False
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    node: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    message: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    actor: Mapped[str] = mapped_column(sa.String(80), nullable=False)

    request: Mapped[CancellationRequest] = relationship(back_populates="timeline")


class InboundEvent(Base):
    """A back-office event, kept once per sender and ``event_id`` (a repeat answers as the
    first did; the same id with another body is refused)."""

    __tablename__ = "inbound_events"
    __table_args__ = (sa.UniqueConstraint("sender", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(128), nullable=False)
    type: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    request_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    outcome: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    sender: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    # SHA-256 of the event as received (type, instant, target, data), to tell a repeat from
    # a reuse of its id; NULL for events received before it was kept.
    body_hash: Mapped[str | None] = mapped_column(sa.String(64))
