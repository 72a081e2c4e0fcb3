"""A stored pre-check: what the customer was told, binding for the request it leads to."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, new_uuid, utcnow


class Precheck(Base):
    __tablename__ = "prechecks"
    __table_args__ = (sa.Index("ix_prechecks_account_created", "account_id", "created_at"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_uuid)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    channel: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    effective_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    asap: Mapped[bool] = mapped_column(default=False, nullable=False)
    result: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    can_submit: Mapped[bool] = mapped_column(nullable=False)
    eligible_now: Mapped[bool] = mapped_column(nullable=False)
    # The locale-independent outcome (codes, amounts, calculations); texts are rendered on read.
    outcome: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    risk: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    # The model's feature row at pre-check time (used by `ml export`).
    features: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_by: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
