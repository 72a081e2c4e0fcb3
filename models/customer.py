"""Customers, their family groups and the operator's stores."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin

if TYPE_CHECKING:
    from models.account import Account

SEGMENTS = ("regular", "vip", "senior")


class Customer(TimestampMixin, Base):
    """A subscriber as known to the operator's CRM.

    The identity document is never stored in clear: only a keyed hash
    (HMAC-SHA256) and its last four characters.
    """

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    id_doc_type: Mapped[str | None] = mapped_column(sa.String(32))
    id_doc_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    id_doc_last4: Mapped[str | None] = mapped_column(sa.String(4))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(10), default="zh-CN", nullable=False)
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    segment: Mapped[str] = mapped_column(sa.String(16), default="regular", nullable=False)

    accounts: Mapped[list[Account]] = relationship(
        back_populates="customer", order_by="Account.id", cascade="all, delete-orphan"
    )


class FamilyGroup(Base):
    """A family plan: the accounts that share one ``group_code``."""

    __tablename__ = "family_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_code: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)

    accounts: Mapped[list[Account]] = relationship(back_populates="family_group")


class Store(Base):
    """A point of sale where clerks work and devices can be returned."""

    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    city: Mapped[str | None] = mapped_column(sa.String(100))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    opening_hours: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
