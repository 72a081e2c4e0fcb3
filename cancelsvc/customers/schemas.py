"""Response schemas of the customer endpoints."""

from __future__ import annotations

from marshmallow import fields, validate

from cancelsvc.common.fields import Money
from cancelsvc.common.schemas import OutSchema, StrictSchema


class PlanSchema(OutSchema):
    code = fields.String(allow_none=True)
    monthly_fee = Money()


class FamilySchema(OutSchema):
    group_code = fields.String()
    role = fields.String()


class AccountSchema(OutSchema):
    id = fields.Integer()
    msisdn = fields.String(metadata={"description": "E.164; masked unless the caller is the customer or staff"})
    status = fields.String()
    plan = fields.Nested(PlanSchema)
    activated_on = fields.Date(allow_none=True)
    store_code = fields.String(allow_none=True)
    family = fields.Nested(FamilySchema, allow_none=True)


class AccountListSchema(OutSchema):
    items = fields.List(fields.Nested(AccountSchema))


class SearchSchema(StrictSchema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={
        "description": "A number (any notation), a tracking code, a name or an identity-document number"})


class SearchResultSchema(OutSchema):
    kind = fields.String(metadata={"enum": ["account", "request"]})
    matched = fields.String(metadata={"enum": ["msisdn", "tracking_code", "name_or_id_document"]})
    account_id = fields.Integer()
    msisdn = fields.String()
    customer_name = fields.String()
    store_code = fields.String(allow_none=True)
    account_status = fields.String()
    request_id = fields.String(allow_none=True, metadata={"description": "The open request (or the one found)"})
    tracking_code = fields.String(allow_none=True)
    state = fields.String(allow_none=True)


class SearchResultListSchema(OutSchema):
    items = fields.List(fields.Nested(SearchResultSchema))
