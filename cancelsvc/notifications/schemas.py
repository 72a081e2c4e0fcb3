"""Schemas of ``/api/v1/cancellations/{id}/messages``."""

from __future__ import annotations

from marshmallow import fields, validate

from cancelsvc.common.schemas import OutSchema
from models.calls import CALL_KINDS
from models.vocabulary import (
    Audience,
    MessageChannel,
    MessageKind,
    MessageStatus,
    Moment,
    ReceiptState,
    ReplyCommand,
    values,
)


class MessageSchema(OutSchema):
    id = fields.String()
    moment = fields.String(validate=validate.OneOf(values(Moment)), metadata={"description": "Why it was sent"})
    kind = fields.String(validate=validate.OneOf(values(MessageKind)))
    audience = fields.String(validate=validate.OneOf(values(Audience)))
    channel = fields.String(allow_none=True, validate=validate.OneOf(values(MessageChannel)),
                            metadata={"description": "Chosen when sent (null while queued)"})
    to = fields.String(allow_none=True, metadata={"description": "The masked number or e-mail address"})
    language = fields.String(validate=validate.OneOf(("zh-CN", "en")))
    status = fields.String(validate=validate.OneOf(values(MessageStatus)))
    created_at = fields.AwareDateTime()
    scheduled_at = fields.AwareDateTime(metadata={"description": "Not sent before (quiet hours, reminders, retries)"})
    sent_at = fields.AwareDateTime(allow_none=True, metadata={"description": "Accepted by the SMSC or mail server"})
    delivered_at = fields.AwareDateTime(allow_none=True)
    smsc_id = fields.String(allow_none=True)
    parts = fields.Integer(allow_none=True)
    attempts = fields.Integer()
    failure_reason = fields.String(allow_none=True)
    merged_into = fields.String(allow_none=True)


class ReceiptSchema(OutSchema):
    message_id = fields.String(allow_none=True)
    state = fields.String(allow_none=True, validate=validate.OneOf(values(ReceiptState)))
    received_at = fields.AwareDateTime()


class ReplySchema(OutSchema):
    sender = fields.String(data_key="from", attribute="from", allow_none=True,
                           metadata={"description": "The masked number"})
    text = fields.String(allow_none=True)
    command = fields.String(allow_none=True, validate=validate.OneOf(values(ReplyCommand)))
    outcome = fields.String(allow_none=True)
    received_at = fields.AwareDateTime()


class CallHistorySchema(OutSchema):
    id = fields.String()
    kind = fields.String(validate=validate.OneOf(CALL_KINDS))
    due_at = fields.AwareDateTime()
    attempts = fields.Integer()
    closed_at = fields.AwareDateTime(allow_none=True)
    outcome = fields.Dict(allow_none=True)


class MessageHistorySchema(OutSchema):
    request_id = fields.String()
    messages = fields.List(fields.Nested(MessageSchema))
    receipts = fields.List(fields.Nested(ReceiptSchema))
    replies = fields.List(fields.Nested(ReplySchema))
    calls = fields.List(fields.Nested(CallHistorySchema))
