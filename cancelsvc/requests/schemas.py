"""Request and response schemas of cancellations, events and tracking."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from cancelsvc.common.fields import Money
from cancelsvc.common.schemas import OutSchema, StrictSchema
from cancelsvc.precheck.schemas import RangeSchema
from models.cancellation import REASONS

STATES = ("in_progress", "ready", "completed", "withdrawn", "rejected")
NODE_STATUSES = ("pending", "in_progress", "done", "skipped", "failed")
EVENT_TYPES = (
    "identity.verified", "payment.received", "device.returned", "service.cancelled", "family.resolved",
    "refund.issued", "followup.recorded", "hold.placed",
)


class CancellationCreateSchema(StrictSchema):
    precheck_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(REASONS))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class ChecklistPatchSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(("done", "waived")))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))

    @validates_schema
    def waiver_needs_a_note(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("status") == "waived" and not (data.get("note") or "").strip():
            raise ValidationError("Say why the item is waived.", "note")


# --- Events ---------------------------------------------------------------------------

class IdentityData(StrictSchema):
    method = fields.String(required=True, validate=validate.OneOf(("id_card", "video", "agent")))


class PaymentData(StrictSchema):
    amount = Money(required=True)
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class DeviceData(StrictSchema):
    serial = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ServiceData(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))


class EmptyData(StrictSchema):
    pass


class FollowUpData(StrictSchema):
    satisfied = fields.Boolean(required=True)
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class HoldData(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(("legal_hold", "fraud_suspension")))


EVENT_DATA = {
    "identity.verified": IdentityData,
    "payment.received": PaymentData,
    "device.returned": DeviceData,
    "service.cancelled": ServiceData,
    "family.resolved": EmptyData,
    "refund.issued": PaymentData,
    "followup.recorded": FollowUpData,
    "hold.placed": HoldData,
}


class EventSchema(StrictSchema):
    """A back-office event; ``data`` is checked against the schema of its ``type``."""

    event_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    type = fields.String(required=True, metadata={"enum": list(EVENT_TYPES)})
    occurred_at = fields.AwareDateTime(required=True)
    cancellation_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36))
    msisdn = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    data = fields.Dict(required=True)

    @validates_schema
    def one_target(self, data: dict[str, Any], **kwargs: Any) -> None:
        if bool(data.get("cancellation_id")) == bool(data.get("msisdn")):
            raise ValidationError("Give either cancellation_id or msisdn.", "cancellation_id")


class EventAcceptedSchema(OutSchema):
    event_id = fields.String()
    type = fields.String()
    cancellation_id = fields.String(allow_none=True)
    outcome = fields.String(metadata={"enum": ["applied", "ignored"]})
    received_at = fields.AwareDateTime()


# --- Output ---------------------------------------------------------------------------

class EventLineSchema(OutSchema):
    at = fields.String()
    message = fields.String()
    actor = fields.String()


class RequiredActionSchema(OutSchema):
    text = fields.String()
    deadline = fields.String(allow_none=True)
    checklist = fields.List(fields.String())


class NodeSchema(OutSchema):
    seq = fields.Integer()
    code = fields.String()
    title = fields.String()
    status = fields.String(validate=validate.OneOf(NODE_STATUSES))
    waiting_on = fields.String(allow_none=True)
    required_action = fields.Nested(RequiredActionSchema, allow_none=True)
    started_at = fields.String(allow_none=True)
    completed_at = fields.String(allow_none=True)
    expected_at = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True)
    sla_breached = fields.Boolean()
    events = fields.List(fields.Nested(EventLineSchema))


class RequestEtaSchema(OutSchema):
    expected = fields.String(allow_none=True)
    earliest = fields.String(allow_none=True)
    latest = fields.String(allow_none=True)
    revised_reason = fields.String(allow_none=True)


class ProgressSchema(OutSchema):
    tracking_code = fields.String()
    state = fields.String(validate=validate.OneOf(STATES))
    version = fields.Integer()
    last_changed_at = fields.String()
    eta = fields.Nested(RequestEtaSchema)
    withdraw_until = fields.String()
    can_withdraw = fields.Boolean()
    nodes = fields.List(fields.Nested(NodeSchema))
    poll_after_seconds = fields.Integer()


class PublicProgressSchema(ProgressSchema):
    msisdn = fields.String(metadata={"description": "Masked, e.g. +86 138****8000"})


class RequestItemSchema(OutSchema):
    key = fields.String()
    code = fields.String()
    title = fields.String()
    detail = fields.String()
    owner = fields.String()
    amount = Money(allow_none=True)
    est_working_days = fields.Nested(RangeSchema, allow_none=True)
    status = fields.String()
    self_service = fields.Boolean()
    required = fields.Boolean()
    refs = fields.List(fields.String())
    note = fields.String(allow_none=True)
    done_at = fields.String(allow_none=True)


class QuotedSchema(OutSchema):
    total = Money()
    paid = Money()
    outstanding = Money()
    refund_due = Money()
    refunded = Money()


class RequestSchema(OutSchema):
    id = fields.String()
    tracking_code = fields.String()
    account_id = fields.Integer()
    msisdn = fields.String()
    state = fields.String(validate=validate.OneOf(STATES))
    version = fields.Integer()
    channel = fields.String()
    effective_date = fields.String()
    reason = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    submitted_at = fields.String()
    withdraw_until = fields.String()
    deactivated_at = fields.String(allow_none=True)
    precheck_id = fields.String()
    quoted = fields.Nested(QuotedSchema)
    checklist = fields.List(fields.Nested(RequestItemSchema))
    progress = fields.Nested(ProgressSchema)


class RequestListSchema(OutSchema):
    items = fields.List(fields.Nested(RequestSchema))
