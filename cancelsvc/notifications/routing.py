"""Where a message goes, decided when it is sent (a number stops working at deactivation).

Until deactivation, to the number being cancelled. After it, to the after-cancellation
contact that the submission recorded (another mobile number or an e-mail address), else to
the customer's e-mail on file; with neither, nowhere (the message is recorded as having no
channel). Replies are answered to the number that sent them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from cancelsvc.common.masking import mask_msisdn
from cancelsvc.services import settings
from models import Account, CancellationRequest, Customer, InboundSms, Message, db
from models.vocabulary import Audience, MessageChannel


@dataclass(frozen=True)
class Address:
    channel: MessageChannel
    value: str  # E.164 number or e-mail address; never stored on the message

    @property
    def masked(self) -> str:
        return mask(self.channel, self.value)

    @property
    def hashed(self) -> str:
        return recipient_hash(self.value)


def recipient_hash(value: str) -> str:
    """A keyed hash of a number or e-mail address (matches replies without keeping the address)."""
    message = b"recipient:" + value.strip().lower().encode()
    return hmac.new(settings().pii_key.encode(), message, hashlib.sha256).hexdigest()


def mask(channel: str, value: str) -> str:
    """``+86 138****8000`` / ``c***@example.com``."""
    if channel == MessageChannel.EMAIL:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask_msisdn(value)


def address_for(message: Message, req: CancellationRequest | None) -> Address | None:
    """The address ``message`` goes to now, or None when there is none."""
    if message.audience == Audience.SENDER:
        inbound_id = message.params.get("inbound_id")
        inbound = db.session.get(InboundSms, inbound_id) if inbound_id is not None else None
        sender = inbound.sender if inbound else message.params.get("to")
        return Address(MessageChannel.SMS, sender) if sender else None
    if req is None:
        return None
    customer = db.session.get_one(Customer, req.customer_id)
    if message.audience == Audience.EMAIL:
        email = (req.contact or {}).get("email") or customer.email
        return Address(MessageChannel.EMAIL, email) if email else None
    if req.deactivated_at is None:
        msisdn = db.session.get_one(Account, req.account_id).msisdn
        return Address(MessageChannel.SMS, msisdn)
    return after_cancellation(req, customer)


def after_cancellation(req: CancellationRequest, customer: Customer) -> Address | None:
    """The after-cancellation contact, else the e-mail on file, else None."""
    contact = req.contact or {}
    if contact.get("phone"):
        return Address(MessageChannel.SMS, contact["phone"])
    if contact.get("email"):
        return Address(MessageChannel.EMAIL, contact["email"])
    if customer.email:
        return Address(MessageChannel.EMAIL, customer.email)
    return None
