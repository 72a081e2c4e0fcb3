"""Tracking links: a short token in a message that opens the customer's tracking page."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, new_uuid, utcnow


class TrackingLink(Base):
    """One issued link: the token only as a keyed hash, valid until ``expires_at``."""

    __tablename__ = "tracking_links"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_uuid)
    request_id: Mapped[str] = mapped_column(
        sa.ForeignKey("cancellation_requests.id", ondelete="CASCADE"), index=True, nullable=False
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
