"""Lease columns for rows that scheduled jobs claim (see ``cancelsvc.jobs.claims``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import UTCDateTime


class ClaimMixin:
    """Who holds a job's lease on the row, and until when.

    A row is free when ``claimed_until`` is empty or in the past, so the work of a
    worker that died is picked up again once its lease runs out.
    """

    claimed_by: Mapped[str | None] = mapped_column(sa.String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
