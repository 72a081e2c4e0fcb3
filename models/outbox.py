"""Domain events recorded in the same transaction as the change they describe (outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, new_uuid, utcnow
from models.claims import ClaimMixin


class DomainEvent(ClaimMixin, Base):
    """Something that happened to a subject (e.g. a cancellation request).

    Written by ``cancelsvc.outbox.publish``; handed to subscribers by the dispatcher job,
    which sets ``dispatched_at`` once every subscriber has handled it.
    """

    __tablename__ = "domain_events"
    __table_args__ = (sa.Index("ix_domain_events_pending", "dispatched_at", "created_at"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_uuid)
    type: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    subject_id: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Dispatch passes so far, and the last failure (for operators).
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
