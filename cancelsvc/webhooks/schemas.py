"""Request and response schemas of the webhook admin API."""

from __future__ import annotations

from marshmallow import fields, validate

from cancelsvc.common.fields import IsoDateTime
from cancelsvc.common.schemas import OutSchema, StrictSchema
from cancelsvc.outbox import CANCELLATION_EVENT_TYPES
from models.vocabulary import values
from models.webhook import DELIVERY_STATUSES


class WebhookIn(StrictSchema):
    url = fields.URL(
        required=True,
        schemes={"http", "https"},
        require_tld=False,
        validate=validate.Length(max=2000),
        metadata={"description": "Where deliveries are POSTed (http or https).", "format": "uri",
                  "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://", "example": "https://crm.example.com/hooks/cancelsvc"},
    )
    secret = fields.String(
        validate=validate.Length(min=16, max=255),
        metadata={"description": "Signing secret, at least 16 characters; generated and returned once when omitted."},
    )
    event_types = fields.List(
        fields.String(validate=validate.OneOf(values(CANCELLATION_EVENT_TYPES))),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": f"Any of {', '.join(CANCELLATION_EVENT_TYPES)}."},
    )


class WebhookOut(OutSchema):
    id = fields.String()
    url = fields.String()
    event_types = fields.List(fields.String())
    active = fields.Boolean()
    created_at = IsoDateTime()


class WebhookCreatedOut(WebhookOut):
    secret = fields.String(metadata={"description": "Present only when generated: store it now, it is shown once."})


class WebhookListOut(OutSchema):
    items = fields.List(fields.Nested(WebhookOut))


class DeliveriesQuery(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class DeliveryOut(OutSchema):
    id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    status = fields.String(metadata={"enum": list(DELIVERY_STATUSES)})
    attempts = fields.Integer()
    first_attempt_at = IsoDateTime(allow_none=True)
    next_attempt_at = IsoDateTime(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    delivered_at = IsoDateTime(allow_none=True)
    created_at = IsoDateTime()


class DeliveryListOut(OutSchema):
    items = fields.List(fields.Nested(DeliveryOut))
