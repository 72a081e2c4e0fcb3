"""Response schemas of the customer endpoints."""

from __future__ import annotations

from marshmallow import fields

from cancelsvc.common.fields import Money
from cancelsvc.common.schemas import OutSchema


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
