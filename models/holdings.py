"""What an account holds: contracts, bills, devices and value-added services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Money, TimestampMixin

if TYPE_CHECKING:
    from models.account import Account

CONTRACT_KINDS = ("handset_subsidy", "plan_commitment", "fixed_term")
DEVICE_OWNERSHIPS = ("rented", "installment", "owned")
SERVICE_PROVIDERS = ("operator", "third_party")
SERVICE_STATUSES = ("active", "cancelled")
DEFAULT_PENALTY_RATE = Decimal("0.30")


class Contract(TimestampMixin, Base):
    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True, nullable=False
    )
    external_id: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    start_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    end_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    monthly_commitment: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"), nullable=False)
    subsidy_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"), nullable=False)
    penalty_rate: Mapped[Decimal] = mapped_column(
        sa.Numeric(6, 4, asdecimal=True), default=DEFAULT_PENALTY_RATE, nullable=False
    )
    fixed_penalty: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"), nullable=False)
    waiver_reason: Mapped[str | None] = mapped_column(sa.String(64))

    account: Mapped[Account] = relationship(back_populates="contracts")


class Bill(TimestampMixin, Base):
    __tablename__ = "bills"
    __table_args__ = (sa.UniqueConstraint("account_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False
    )
    period: Mapped[str] = mapped_column(sa.String(7), nullable=False)
    amount_due: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"), nullable=False)
    amount_paid: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"), nullable=False)
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    disputed: Mapped[bool] = mapped_column(default=False, nullable=False)

    account: Mapped[Account] = relationship(back_populates="bills")


class Device(TimestampMixin, Base):
    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), index=True, nullable=False
    )
    serial: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    ownership: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    replacement_value: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"), nullable=False)
    returned_on: Mapped[date | None] = mapped_column(sa.Date)
    installment_remaining: Mapped[Decimal] = mapped_column(
        Money(), default=Decimal("0"), nullable=False
    )

    account: Mapped[Account] = relationship(back_populates="devices")


class ValueAddedService(TimestampMixin, Base):
    """A subscription on the line (video membership, cloud storage, ...)."""

    __tablename__ = "services"
    __table_args__ = (sa.UniqueConstraint("account_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False
    )
    code: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    provider: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    monthly_fee: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"), nullable=False)
    auto_renew: Mapped[bool] = mapped_column(default=False, nullable=False)
    renews_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), default="active", nullable=False)

    account: Mapped[Account] = relationship(back_populates="services")
