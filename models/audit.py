"""The append-only audit log, hash-chained so that tampering is detectable (domain.md §3.3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime

GENESIS_HASH = "0" * 64


class AuditRecord(Base):
    """One change; ``hash`` covers every other column, ``prev_hash`` links to the record before.

    Written only by ``cancelsvc.audit.append``.
    """

    __tablename__ = "audit_records"
    __table_args__ = (sa.Index("ix_audit_records_subject", "subject_type", "subject_id"),)

    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    actor: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    action: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    subject_type: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    subject_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)


class AuditHead(Base):
    """The single row naming the last record of the chain.

    Appenders update it first, so its row lock (PostgreSQL) or the write lock
    (SQLite) puts concurrent appends in one line; verification also checks that the
    chain ends where the head says.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
