"""Messages to customers (text messages and e-mail), and what comes back from the SMSC.

A ``Message`` is queued in the same transaction as the change that causes it and sent
later by the ``messages.send`` sweeper. Its address is looked up when it is sent (a number
stops working at deactivation), so the row keeps only the masked address and a keyed
hash of it, never the address itself; nor the link token, which is issued at sending.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, new_uuid, utcnow
from models.claims import ClaimMixin


class Message(ClaimMixin, Base):
    """One message: queued until ``not_before``, then sent, delivered or failed."""

    __tablename__ = "messages"
    __table_args__ = (
        # At most one message per moment and audience for one cause (an event delivered twice).
        sa.UniqueConstraint("cause", "moment", "audience"),
        sa.Index("ix_messages_due", "status", "not_before"),
        sa.Index("ix_messages_request", "request_id", "created_at"),
        sa.Index("ix_messages_customer_sent", "customer_id", "sent_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_uuid)
    request_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("cancellation_requests.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"))
    #: What caused it: a domain event id, an inbound message id, or ``<moment>:<request>``.
    cause: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    moment: Mapped[str] = mapped_column(sa.String(32), nullable=False)  # a Moment
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # a MessageKind
    audience: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # an Audience
    language: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    #: The template's values (never a token or a full name); the text is composed when sent.
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # a MessageStatus
    channel: Mapped[str | None] = mapped_column(sa.String(8))  # a MessageChannel, once chosen
    recipient_masked: Mapped[str | None] = mapped_column(sa.String(80))
    recipient_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    #: Not sent before this instant (quiet hours, reminders, the daily limit, retries).
    not_before: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # accepted by the SMSC / mail server
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # delivery receipt
    smsc_id: Mapped[str | None] = mapped_column(sa.String(64))  # the first part's id
    parts: Mapped[int | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0, nullable=False)
    failure_reason: Mapped[str | None] = mapped_column(sa.String(200))
    merged_into: Mapped[str | None] = mapped_column(sa.String(36))
    #: Counted against the customer's daily limit of updates once sent.
    counted: Mapped[bool] = mapped_column(default=False, nullable=False)


class SmsPart(Base):
    """The SMSC's id of each part of a sent text message, to match delivery receipts."""

    __tablename__ = "sms_parts"

    smsc_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False)
    part: Mapped[int] = mapped_column(nullable=False)
    receipt: Mapped[str | None] = mapped_column(sa.String(8))  # a ReceiptState


class InboundSms(ClaimMixin, Base):
    """A delivery receipt or a customer's text, recorded as it arrives, handled by a sweeper."""

    __tablename__ = "inbound_sms"
    __table_args__ = (sa.Index("ix_inbound_sms_pending", "handled_at", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(8), nullable=False)  # an InboundKind
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    #: The sender's number, kept to address the answer (shown masked in the history).
    sender: Mapped[str | None] = mapped_column(sa.String(24))
    sender_masked: Mapped[str | None] = mapped_column(sa.String(24))
    sender_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    text: Mapped[str | None] = mapped_column(sa.String(320))
    smsc_id: Mapped[str | None] = mapped_column(sa.String(64))  # receipts: the receipted message
    receipt: Mapped[str | None] = mapped_column(sa.String(8))  # receipts: a ReceiptState
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    request_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    message_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    command: Mapped[str | None] = mapped_column(sa.String(16))  # a ReplyCommand
    outcome: Mapped[str | None] = mapped_column(sa.String(64))


class SmsPreference(Base):
    """What a number asked of us by text: opted out of updates, language, pending withdrawal."""

    __tablename__ = "sms_preferences"

    recipient_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    opted_out: Mapped[bool] = mapped_column(default=False, nullable=False)
    language: Mapped[str | None] = mapped_column(sa.String(10))
    help_sent_on: Mapped[str | None] = mapped_column(sa.String(10))  # local date of the last help text
    #: A withdrawal asked by text, waiting for its code: request, code hash, until when.
    pending_request_id: Mapped[str | None] = mapped_column(sa.String(36))
    pending_code_hash: Mapped[str | None] = mapped_column(sa.String(64))
    pending_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)
