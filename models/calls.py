"""Call tasks for the store's clerks: customers to phone back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, new_uuid, utcnow

#: Kinds of call task, most urgent first (``priority`` is the index in this tuple): a
#: dissatisfied customer, the follow-up call, an essential message that reached no one, and
#: the personal calls to senior and VIP customers at submission and deactivation.
CALL_KINDS = ("dissatisfied", "follow_up", "undeliverable", "care_submitted", "care_deactivated")


class CallTask(Base):
    """Someone to phone: open while ``closed_at`` is NULL, due from ``due_at``."""

    __tablename__ = "call_tasks"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "kind"),
        sa.Index("ix_call_tasks_open", "store_code", "closed_at", "priority", "due_at", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_uuid)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    priority: Mapped[int] = mapped_column(nullable=False)
    request_id: Mapped[str] = mapped_column(
        sa.ForeignKey("cancellation_requests.id", ondelete="CASCADE"), nullable=False
    )
    store_code: Mapped[str | None] = mapped_column(sa.String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(sa.String(80))
    # {"reached": bool, "satisfied": bool | None, "comment": str | None}; the last attempt's.
    outcome: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
