"""The import file format (domain spec §1), validated field by field."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from cancelsvc.common.fields import Msisdn
from cancelsvc.common.schemas import StrictSchema
from models.account import ACCOUNT_STATUSES, FAMILY_ROLES, PAYMENT_METHODS
from models.customer import SEGMENTS
from models.holdings import CONTRACT_KINDS, DEFAULT_PENALTY_RATE, DEVICE_OWNERSHIPS, SERVICE_PROVIDERS, SERVICE_STATUSES
from models.vocabulary import HoldKind, values

ID_DOC_TYPES = ("cn_resident_id", "passport", "hk_macao_permit", "taiwan_permit", "foreign_permanent_resident")
_AMOUNT = re.compile(r"-?\d{1,10}(\.\d{1,2})?")
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
ZERO = Decimal("0.00")


class Amount(fields.Field):
    """A money amount written as a string (``"128.00"``) or a whole number; never a float."""

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("load_default", ZERO)
        super().__init__(**kwargs)
        self.allow_negative = allow_negative

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValidationError('Write amounts as strings with at most 2 decimals, e.g. "128.00".')
        text = str(value).strip()
        if not _AMOUNT.fullmatch(text):
            raise ValidationError(f'Not an amount with at most 2 decimals: "{text}".')
        amount = Decimal(text)
        if amount < 0 and not self.allow_negative:
            raise ValidationError("Must be zero or more.")
        return amount


class Rate(fields.Field):
    """A rate between 0 and 1 written as a string (``"0.30"``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        try:
            rate = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise ValidationError("Not a number.") from None
        if isinstance(value, bool) or not rate.is_finite() or not (0 <= rate <= 1):
            raise ValidationError("Must be between 0 and 1.")
        return rate


class IdDocSchema(StrictSchema):
    type = fields.String(required=True, validate=validate.OneOf(ID_DOC_TYPES))
    number = fields.String(required=True, validate=validate.Length(min=4, max=64))


class PlanSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    monthly_fee = Amount()


class FamilySchema(StrictSchema):
    group_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = fields.String(required=True, validate=validate.OneOf(FAMILY_ROLES))


class ContractSchema(StrictSchema):
    external_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.String(required=True, validate=validate.OneOf(CONTRACT_KINDS))
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    monthly_commitment = Amount()
    subsidy_amount = Amount()
    penalty_rate = Rate(load_default=DEFAULT_PENALTY_RATE)
    fixed_penalty = Amount()
    waiver_reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))

    @validates_schema
    def dates_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "start_date" in data and "end_date" in data and data["end_date"] <= data["start_date"]:
            raise ValidationError("Must be after start_date.", "end_date")


class BillSchema(StrictSchema):
    period = fields.String(required=True)
    amount_due = Amount()
    amount_paid = Amount()
    due_date = fields.Date(load_default=None, allow_none=True)
    disputed = fields.Boolean(load_default=False)

    @validates("period")
    def period_format(self, value: str, **kwargs: Any) -> None:
        if not _PERIOD.fullmatch(value):
            raise ValidationError('Write the period as "YYYY-MM".')


class DeviceSchema(StrictSchema):
    serial = fields.String(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.String(required=True, validate=validate.Length(min=1, max=32))
    ownership = fields.String(required=True, validate=validate.OneOf(DEVICE_OWNERSHIPS))
    replacement_value = Amount()
    returned_on = fields.Date(load_default=None, allow_none=True)
    installment_remaining = Amount()


class ServiceSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    provider = fields.String(required=True, validate=validate.OneOf(SERVICE_PROVIDERS))
    monthly_fee = Amount()
    auto_renew = fields.Boolean(load_default=False)
    renews_on = fields.Date(load_default=None, allow_none=True)
    status = fields.String(load_default="active", validate=validate.OneOf(SERVICE_STATUSES))


class AccountSchema(StrictSchema):
    msisdn = Msisdn(required=True)
    status = fields.String(load_default="active", validate=validate.OneOf(ACCOUNT_STATUSES))
    plan = fields.Nested(PlanSchema, load_default=None, allow_none=True)
    activated_on = fields.Date(load_default=None, allow_none=True)
    store_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    unbilled_amount = Amount()
    prepaid_credit = Amount()
    loyalty_points = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0))
    payment_method = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(PAYMENT_METHODS))
    last_payment_on = fields.Date(load_default=None, allow_none=True)
    holds = fields.List(fields.String(validate=validate.OneOf(values(HoldKind))), load_default=list)
    family = fields.Nested(FamilySchema, load_default=None, allow_none=True)
    contracts = fields.List(fields.Nested(ContractSchema), load_default=list)
    bills = fields.List(fields.Nested(BillSchema), load_default=list)
    devices = fields.List(fields.Nested(DeviceSchema), load_default=list)
    services = fields.List(fields.Nested(ServiceSchema), load_default=list)


class CustomerSchema(StrictSchema):
    external_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    id_doc = fields.Nested(IdDocSchema, load_default=None, allow_none=True)
    phone = Msisdn(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)
    locale = fields.String(load_default="zh-CN", validate=validate.OneOf(("zh-CN", "en")))
    timezone = fields.String(load_default=None, allow_none=True)
    segment = fields.String(load_default="regular", validate=validate.OneOf(SEGMENTS))
    accounts = fields.List(fields.Nested(AccountSchema), load_default=list)

    @validates("timezone")
    def known_timezone(self, value: str | None, **kwargs: Any) -> None:
        if value is None:
            return
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"Unknown timezone {value!r}.") from None


class StoreSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    city = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    opening_hours = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class ImportFileSchema(StrictSchema):
    stores = fields.List(fields.Nested(StoreSchema), load_default=list)
    customers = fields.List(fields.Nested(CustomerSchema), required=True)
