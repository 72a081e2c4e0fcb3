"""Request and response schemas of cancellations, events and tracking."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from cancelsvc.common.fields import Instant, IsoDate, IsoDateTime, Money, Msisdn, UtcDateTime
from cancelsvc.common.schemas import OutSchema, StrictSchema
from cancelsvc.precheck.checklist import CHANNELS
from cancelsvc.precheck.result import CLERK, CUSTOMER, OPERATOR
from cancelsvc.precheck.schemas import WorkingDays
from cancelsvc.requests.progress import NODES
from cancelsvc.texts.marks import N_
from models.vocabulary import (
    PLACEABLE_HOLDS,
    EventOutcome,
    EventType,
    ItemStatus,
    NodeStatus,
    Owner,
    Reason,
    RequestState,
    values,
)

#: Gives a ``$ref`` to a schema's component (``cancelsvc.contract``; for ``openapi_rules``).
Ref = Callable[[Any], dict[str, str]]

STATES = values(RequestState)
NODE_STATUSES = values(NodeStatus)
WAITING_ON = values((Owner.CUSTOMER, Owner.OPERATOR, Owner.THIRD_PARTY))  # a step never waits on a clerk
OWNERS = (CUSTOMER, OPERATOR, CLERK)
ITEM_STATUSES = values(ItemStatus)
EVENT_TYPES = values(EventType)
REASONS = values(Reason)


class ContactSchema(StrictSchema):
    """How to reach the customer after the cancellation: another mobile number and/or an e-mail."""

    phone = Msisdn(load_default=None, allow_none=True, metadata={"example": "+8613912345678"})
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))

    @validates_schema
    def something_to_reach(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("phone") and not data.get("email"):
            raise ValidationError(N_("Give a phone number, an e-mail address or both."), "phone")


class CancellationCreateSchema(StrictSchema):
    precheck_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(values(Reason)))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    contact = fields.Nested(ContactSchema, load_default=None, allow_none=True,
                            metadata={"description": "A contact for after the cancellation (the number stops "
                                                     "working): used for the follow-up call and later messages."})


class ChecklistPatchSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(values((ItemStatus.DONE, ItemStatus.WAIVED))))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))

    @staticmethod
    def openapi_rules(ref: Ref) -> dict[str, Any]:
        return {"anyOf": [
            {"properties": {"status": {"enum": ["done"]}}},
            {"properties": {"note": {"type": "string", "pattern": "\\S"}}, "required": ["note"],
             "description": "A waiver says why (a note that is not blank)."},
        ]}

    @validates_schema
    def waiver_needs_a_note(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("status") == ItemStatus.WAIVED and not (data.get("note") or "").strip():
            raise ValidationError(N_("Say why the item is waived."), "note")


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
    kind = fields.String(required=True, validate=validate.OneOf(values(PLACEABLE_HOLDS)))


EVENT_DATA: dict[EventType, type[StrictSchema]] = {
    EventType.IDENTITY_VERIFIED: IdentityData,
    EventType.PAYMENT_RECEIVED: PaymentData,
    EventType.DEVICE_RETURNED: DeviceData,
    EventType.SERVICE_CANCELLED: ServiceData,
    EventType.FAMILY_RESOLVED: EmptyData,
    EventType.REFUND_ISSUED: PaymentData,
    EventType.FOLLOWUP_RECORDED: FollowUpData,
    EventType.HOLD_PLACED: HoldData,
}


class EventSchema(StrictSchema):
    """A back-office event; ``data`` is checked against the schema of its ``type``."""

    event_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    type = fields.String(required=True, metadata={"enum": values(EventType)})
    occurred_at = Instant(required=True)
    cancellation_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=36))
    msisdn = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    data = fields.Dict(required=True)

    @staticmethod
    def openapi_rules(ref: Ref) -> dict[str, Any]:
        """``cancellation_id`` xor ``msisdn``; ``data`` as its ``type`` requires."""
        return {"allOf": [
            {"oneOf": [{"required": [name], "properties": {name: {"type": "string", "minLength": 1}}}
                       for name in ("cancellation_id", "msisdn")]},
            {"oneOf": [{"properties": {"type": {"enum": [str(kind)]}, "data": ref(schema)}}
                       for kind, schema in EVENT_DATA.items()]},
        ]}

    @validates_schema
    def one_target(self, data: dict[str, Any], **kwargs: Any) -> None:
        if bool(data.get("cancellation_id")) == bool(data.get("msisdn")):
            raise ValidationError(N_("Give either cancellation_id or msisdn."), "cancellation_id")


class EventAcceptedSchema(OutSchema):
    event_id = fields.String()
    type = fields.String()
    cancellation_id = fields.String(allow_none=True)
    outcome = fields.String(metadata={"enum": values(EventOutcome)})
    received_at = fields.AwareDateTime()


# --- Output ---------------------------------------------------------------------------
# Instants are RFC 3339 date-times in UTC, dates are ISO dates, money is the money object.
# These schemas are the one definition of the request, progress and public documents:
# ``requests.presenter`` dumps them (through a compiled plan, ``common.dumping``) from
# views over the request.

class EventLineSchema(OutSchema):
    at = UtcDateTime(required=True)
    message = fields.String(required=True)
    actor = fields.String(required=True, metadata={"description": "customer, clerk, supervisor, operator or system"})


class RequiredActionSchema(OutSchema):
    text = fields.String(required=True)
    deadline = UtcDateTime(required=True, allow_none=True)
    checklist = fields.List(fields.String(), required=True, metadata={"description": "Checklist item keys."})


class NodeSchema(OutSchema):
    seq = fields.Integer(required=True)
    code = fields.String(required=True, validate=validate.OneOf(NODES))
    title = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(NODE_STATUSES))
    waiting_on = fields.String(required=True, allow_none=True, validate=validate.OneOf(WAITING_ON))
    required_action = fields.Nested(RequiredActionSchema, required=True, allow_none=True)
    started_at = UtcDateTime(required=True, allow_none=True)
    completed_at = UtcDateTime(required=True, allow_none=True)
    expected_at = UtcDateTime(required=True, allow_none=True)
    due_at = UtcDateTime(required=True, allow_none=True)
    sla_breached = fields.Boolean(required=True)
    events = fields.List(fields.Nested(EventLineSchema), required=True)


class RequestEtaSchema(OutSchema):
    expected = IsoDateTime(required=True, allow_none=True)
    earliest = IsoDateTime(required=True, allow_none=True)
    latest = IsoDateTime(required=True, allow_none=True)
    revised_reason = fields.String(required=True, allow_none=True)


class ProgressSchema(OutSchema):
    tracking_code = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    version = fields.Integer(required=True)
    last_changed_at = IsoDateTime(required=True)
    eta = fields.Nested(RequestEtaSchema, required=True)
    withdraw_until = IsoDateTime(required=True)
    can_withdraw = fields.Boolean(required=True)
    nodes = fields.List(fields.Nested(NodeSchema), required=True)
    poll_after_seconds = fields.Integer(required=True)


class PublicProgressSchema(ProgressSchema):
    msisdn = fields.String(required=True, metadata={"description": "Masked, e.g. +86 138****8000"})


class RequestItemSchema(OutSchema):
    key = fields.String(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)
    detail = fields.String(required=True)
    owner = fields.String(required=True, validate=validate.OneOf(OWNERS))
    amount = Money(required=True, allow_none=True)
    est_working_days = WorkingDays(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(ITEM_STATUSES))
    self_service = fields.Boolean(required=True)
    required = fields.Boolean(required=True)
    refs = fields.List(fields.String(), required=True)
    note = fields.String(required=True, allow_none=True)
    done_at = UtcDateTime(required=True, allow_none=True)


class ContactOutSchema(OutSchema):
    phone = fields.String(required=True, allow_none=True)
    email = fields.String(required=True, allow_none=True)


class QuotedSchema(OutSchema):
    total = Money(required=True)
    paid = Money(required=True)
    outstanding = Money(required=True)
    refund_due = Money(required=True)
    refunded = Money(required=True)


class RequestSchema(OutSchema):
    id = fields.String(required=True)
    tracking_code = fields.String(required=True)
    account_id = fields.Integer(required=True)
    msisdn = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    version = fields.Integer(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    effective_date = IsoDate(required=True)
    reason = fields.String(required=True, allow_none=True, validate=validate.OneOf(REASONS))
    comment = fields.String(required=True, allow_none=True)
    contact = fields.Nested(ContactOutSchema, required=True, allow_none=True)
    submitted_at = IsoDateTime(required=True)
    withdraw_until = IsoDateTime(required=True)
    deactivated_at = UtcDateTime(required=True, allow_none=True)
    precheck_id = fields.String(required=True)
    quoted = fields.Nested(QuotedSchema, required=True)
    checklist = fields.List(fields.Nested(RequestItemSchema), required=True)
    progress = fields.Nested(ProgressSchema, required=True)


class RequestListSchema(OutSchema):
    items = fields.List(fields.Nested(RequestSchema), required=True)


# --- Staff lists ------------------------------------------------------------------------

class RequestListArgsSchema(StrictSchema):
    """Filters of ``GET /cancellations`` (query string)."""

    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    store = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    breached = fields.Boolean(load_default=None)
    waiting_on = fields.String(load_default=None, validate=validate.OneOf(values(Owner)))
    created_from = Instant(load_default=None, metadata={"description": "Submitted at or after"})
    created_to = Instant(load_default=None, metadata={"description": "Submitted before"})
    open = fields.Boolean(load_default=False, metadata={
        "description": "Only open requests, sorted by due date (the work queue); else newest first"})

    @validates_schema
    def range_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("created_from") and data.get("created_to") and data["created_to"] <= data["created_from"]:
            raise ValidationError(N_("Must be after created_from."), "created_to")


class RequestSummarySchema(OutSchema):
    id = fields.String(required=True)
    tracking_code = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    version = fields.Integer(required=True)
    account_id = fields.Integer(required=True)
    msisdn = fields.String(required=True)
    customer_name = fields.String(required=True)
    store_code = fields.String(required=True, allow_none=True)
    submitted_at = fields.AwareDateTime(required=True)
    withdraw_until = fields.AwareDateTime(required=True)
    due_at = fields.AwareDateTime(required=True, allow_none=True, metadata={"description": "When the next required to-do is due"})
    breached = fields.Boolean(required=True, metadata={"description": "A step is past its SLA"})
    waiting_on = fields.String(required=True, allow_none=True)
    next_item = fields.String(required=True, allow_none=True, metadata={"description": "Key of the next required to-do"})
    risk_band = fields.String(required=True, allow_none=True)


class RequestSummaryListSchema(OutSchema):
    items = fields.List(fields.Nested(RequestSummarySchema), required=True)
