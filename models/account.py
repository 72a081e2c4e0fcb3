"""A mobile line (one MSISDN) of a customer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Money, TimestampMixin

if TYPE_CHECKING:
    from models.customer import Customer, FamilyGroup
    from models.holdings import Bill, Contract, Device, ValueAddedService

ACCOUNT_STATUSES = ("active", "suspended", "cancelled")
FAMILY_ROLES = ("primary", "member")
PAYMENT_METHODS = ("auto_debit", "wallet", "card", "cash")


class Account(TimestampMixin, Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True, nullable=False
    )
    msisdn: Mapped[str] = mapped_column(sa.String(20), unique=True, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), default="active", nullable=False)
    plan_code: Mapped[str | None] = mapped_column(sa.String(64))
    plan_monthly_fee: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"), nullable=False)
    activated_on: Mapped[date | None] = mapped_column(sa.Date)
    store_code: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    unbilled_amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"), nullable=False)
    prepaid_credit: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"), nullable=False)
    loyalty_points: Mapped[int] = mapped_column(default=0, nullable=False)
    payment_method: Mapped[str | None] = mapped_column(sa.String(16))
    last_payment_on: Mapped[date | None] = mapped_column(sa.Date)
    holds: Mapped[list[str]] = mapped_column(sa.JSON, default=list, nullable=False)  # HoldKind values
    family_group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("family_groups.id", ondelete="SET NULL"), index=True
    )
    family_role: Mapped[str | None] = mapped_column(sa.String(16))

    customer: Mapped[Customer] = relationship(back_populates="accounts")
    family_group: Mapped[FamilyGroup | None] = relationship(back_populates="accounts")
    contracts: Mapped[list[Contract]] = relationship(
        back_populates="account", order_by="Contract.id", cascade="all, delete-orphan"
    )
    bills: Mapped[list[Bill]] = relationship(
        back_populates="account", order_by="Bill.period", cascade="all, delete-orphan"
    )
    devices: Mapped[list[Device]] = relationship(
        back_populates="account", order_by="Device.id", cascade="all, delete-orphan"
    )
    services: Mapped[list[ValueAddedService]] = relationship(
        back_populates="account", order_by="ValueAddedService.id", cascade="all, delete-orphan"
    )
