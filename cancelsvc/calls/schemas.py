"""Schemas of ``/api/v1/calls``."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from cancelsvc.common.schemas import OutSchema, StrictSchema
from cancelsvc.texts.marks import N_
from models.calls import CALL_KINDS


class CallListArgsSchema(StrictSchema):
    store = fields.String(load_default=None, validate=validate.Length(min=1, max=32))


class CallCloseSchema(StrictSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(("reached", "not_reached")))
    satisfied = fields.Boolean(load_default=None, allow_none=True)
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))

    @validates_schema
    def reached_says_how_it_went(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("outcome") == "reached" and data.get("satisfied") is None:
            raise ValidationError(N_("Say whether the customer is satisfied."), "satisfied")


class CallOutcomeSchema(OutSchema):
    reached = fields.Boolean()
    satisfied = fields.Boolean(allow_none=True)
    comment = fields.String(allow_none=True)


class CallSchema(OutSchema):
    id = fields.String()
    kind = fields.String(validate=validate.OneOf(CALL_KINDS))
    request_id = fields.String()
    tracking_code = fields.String()
    customer_name = fields.String()
    msisdn = fields.String()
    phone = fields.String(allow_none=True, metadata={"description": "Whom to call: the after-cancellation contact "
                                                                     "when given, else the customer's phone"})
    email = fields.String(allow_none=True)
    due_at = fields.AwareDateTime()
    attempts = fields.Integer()
    deactivated_at = fields.AwareDateTime(allow_none=True)
    last_outcome = fields.Nested(CallOutcomeSchema, allow_none=True)


class CallListSchema(OutSchema):
    items = fields.List(fields.Nested(CallSchema))


class CallClosedSchema(OutSchema):
    id = fields.String()
    kind = fields.String()
    closed = fields.Boolean()
    attempts = fields.Integer()
    due_at = fields.AwareDateTime()
    outcome = fields.Nested(CallOutcomeSchema)
