"""What comes back from the SMSC: delivery receipts and the customer's texts.

The SMPP reader records each ``deliver_sm`` at once (``record_inbound``: those read
together in one short transaction, before the SMSC gets their answers); the ``messages.inbound`` sweeper then handles
the rows under claims: a receipt sets its message ``delivered`` or ``undeliverable`` (an
undeliverable essential message goes by e-mail or becomes a call task), a text goes to the
reply handling (``replies``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

import sqlalchemy as sa
from flask import Flask

from cancelsvc.database import transaction
from cancelsvc.jobs import sweeper
from cancelsvc.jobs.claims import sweep_rows
from cancelsvc.notifications import replies
from cancelsvc.notifications.routing import mask, recipient_hash
from cancelsvc.notifications.transports.smpp import Inbound
from models import CancellationRequest, InboundSms, Message, SmsPart, db
from models.base import utcnow
from models.vocabulary import InboundKind, MessageKind, MessageStatus, ReceiptState

log = logging.getLogger(__name__)

FAILED_RECEIPTS = frozenset({ReceiptState.UNDELIV, ReceiptState.EXPIRED, ReceiptState.REJECTD,
                             ReceiptState.DELETED})


def e164(sender: str) -> str:
    digits = sender.strip()
    return digits if digits.startswith("+") else f"+{digits}"


def record_inbound(app: Flask, inbound: Sequence[Inbound]) -> None:
    """Keep ``deliver_sm`` received together, in one transaction (called by the SMPP reader thread)."""
    with app.app_context(), transaction():
        now = utcnow()
        # One microsecond apart: the sweeper handles them in the order they arrived (received_at, id).
        db.session.add_all([new_row(one, now + dt.timedelta(microseconds=i)) for i, one in enumerate(inbound)])


def new_row(inbound: Inbound, now: dt.datetime) -> InboundSms:
    if inbound.receipt:
        state = inbound.state if inbound.state in ReceiptState.__members__ else ReceiptState.UNKNOWN
        return InboundSms(kind=InboundKind.RECEIPT, received_at=now, smsc_id=inbound.smsc_id, receipt=state)
    sender = e164(inbound.sender)
    return InboundSms(kind=InboundKind.REPLY, received_at=now, sender=sender, sender_masked=mask("sms", sender),
                      sender_hash=recipient_hash(sender), text=inbound.text[:320])


@sweeper("messages.inbound", order=25)
def handle_inbound(now: dt.datetime) -> int:
    """Apply receipts and answer replies, oldest first."""
    pending = sa.select(InboundSms).where(InboundSms.handled_at.is_(None)).order_by(InboundSms.received_at,
                                                                                     InboundSms.id)
    return sweep_rows(pending, lambda row: handle(row, now), now=now)


def handle(row: InboundSms, now: dt.datetime) -> None:
    if row.kind == InboundKind.RECEIPT:
        apply_receipt(row, now)
    else:
        replies.handle_reply(row, now)
    row.handled_at = now


def apply_receipt(row: InboundSms, now: dt.datetime) -> None:
    part = db.session.get(SmsPart, row.smsc_id) if row.smsc_id else None
    if part is None:
        row.outcome = "unknown message"
        return
    part.receipt = row.receipt
    message = db.session.get_one(Message, part.message_id)
    row.message_id, row.request_id = message.id, message.request_id
    if row.receipt == ReceiptState.DELIVRD:
        if message.status == MessageStatus.SENT:
            message.status, message.delivered_at = MessageStatus.DELIVERED, now
        row.outcome = "delivered"
    elif row.receipt in FAILED_RECEIPTS:
        row.outcome = "undeliverable"
        if message.status in (MessageStatus.SENT, MessageStatus.DELIVERED):
            message.status, message.failure_reason = MessageStatus.UNDELIVERABLE, f"receipt: {row.receipt}"
            req = db.session.get(CancellationRequest, message.request_id) if message.request_id else None
            if message.kind == MessageKind.ESSENTIAL and req is not None:
                from cancelsvc.notifications.sender import undeliverable

                undeliverable(message, req, now)
    else:
        row.outcome = f"receipt {row.receipt}"
