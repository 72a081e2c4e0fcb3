"""Marshmallow schemas of the pre-check API: the request body and the stored document.

The output schemas are the one definition of the pre-check document: they dump it from
the outcome and the stored row (see the Output section).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import fields, validate

from cancelsvc.common.fields import Computed, IsoDate, IsoDateTime, Money
from cancelsvc.common.phones import normalise_msisdn
from cancelsvc.common.schemas import OutSchema, StrictSchema
from cancelsvc.precheck import wording
from cancelsvc.precheck.checklist import CHANNELS
from cancelsvc.precheck.engine import ASAP
from cancelsvc.precheck.result import (
    ACTION,
    BLOCKER,
    CLERK,
    CUSTOMER,
    DONE,
    GREEN,
    INFO,
    NOT_APPLICABLE,
    OPERATOR,
    RED,
    TODO,
    WAIVED,
    WARNING,
    YELLOW,
)
from cancelsvc.texts.marks import N_
from models.base import utcnow

# Phone numbers may be written with spaces, dashes, dots or brackets (normalised to E.164
# by the service). ``ACCOUNT_PATTERN`` is also the OpenAPI pattern; the validator uses
# re.match, hence its own end anchor (``$`` would let a trailing newline through).
ACCOUNT_PATTERN = r"^[(]?\+?[0-9][0-9 ().\-]{0,29}$"
_ACCOUNT = re.compile(ACCOUNT_PATTERN.removesuffix("$") + r"\Z")


class EffectiveDate(fields.Field[dt.date | str]):
    """``"asap"`` or an ISO date (``YYYY-MM-DD``); loads to ``"asap"`` or a ``date``.

    A date is read and written by ``IsoDate``; in OpenAPI the field is ``"asap"`` or a
    ``date`` (``openapi_property``).
    """

    default_error_messages = {"invalid": N_('Enter "asap" or a date as YYYY-MM-DD.'),
                              "past": N_("Choose today or a later date.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._date = IsoDate(error_messages={"invalid": self.error_messages["invalid"]})

    def openapi_property(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "string", "enum": [ASAP]}, {"type": "string", "format": "date"}],
                "example": ASAP}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return ASAP if value == ASAP else self._date._serialize(value, attr, obj, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date | str:
        if value == ASAP:
            return ASAP
        date: dt.date = self._date._deserialize(value, attr, data, **kwargs)
        # Past everywhere on Earth (before today at UTC-12): reported with the body's other
        # problems. The service checks again against the account's own today.
        if date < (utcnow() - dt.timedelta(hours=12)).date():
            raise self.make_error("past")
        return date


class PrecheckCreateSchema(StrictSchema):
    """``POST /api/v1/prechecks``: ``{account, channel, effective_date}``; unknown fields are refused."""

    account = fields.String(
        required=True,
        validate=validate.Regexp(_ACCOUNT, error=N_("Enter a phone number (e.g. +8613800138000) or a numeric account id.")),
        metadata={"description": "The phone number (MSISDN) or the numeric account id.",
                  "pattern": ACCOUNT_PATTERN, "example": "+8613800138000"},
    )
    channel = fields.String(
        required=True,
        validate=validate.OneOf(CHANNELS),
        metadata={"description": "Where the customer asks: app, web, counter or phone."},
    )
    effective_date = EffectiveDate(
        load_default=ASAP,
        metadata={"description": '"asap" (the customer\'s today, the default) or a date.'},
    )


def parse_account_ref(value: str) -> tuple[str, str | int]:
    """``("msisdn", "+8613800138000")`` or ``("id", 42)`` for a validated ``account`` value.

    A valid phone number (mainland numbers may omit +86) is normalised to E.164; a value
    with a leading ``+`` is always a number; other digits are an account id.
    """
    msisdn = normalise_msisdn(value)
    if msisdn is not None:
        return "msisdn", msisdn
    if value.startswith("+"):
        return "msisdn", value
    return "id", int(value)


# --- Output ---------------------------------------------------------------------------
# The pre-check document is dumped by these schemas from the outcome itself (``result``)
# and the stored row (``presenter.PrecheckView``): they are its one definition. Texts are
# computed in the language set by ``wording.in_language``; ``presenter`` dumps through a
# compiled plan of ``PrecheckSchema`` (``common.dumping``).


class RangeSchema(OutSchema):
    min = fields.Integer(required=True)
    max = fields.Integer(required=True)


class WorkingDays(fields.Nested):
    """``(min, max)`` working days as a ``RangeSchema`` object."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(RangeSchema, **kwargs)

    def _serialize(self, nested_obj: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if nested_obj is None:
            return None
        low, high = nested_obj
        return {"min": low, "max": high}


class RemedySchema(OutSchema):
    code = fields.String(required=True)
    label = Computed(wording.remedy_label, required=True)
    self_service = fields.Boolean(required=True)


class CalculationSchema(OutSchema):
    """Every input of an early-termination fee (domain.md §2.2)."""

    kind = fields.String(required=True)
    remaining_days = fields.Integer(allow_none=True)
    total_days = fields.Integer(allow_none=True)
    remaining_months = fields.Integer(required=True)
    rate = fields.Decimal(as_string=True, allow_none=True)
    monthly_commitment = Money(allow_none=True)
    subsidy_amount = Money(allow_none=True)
    cap = Money(allow_none=True)
    cap_applied = fields.Boolean(required=True)


class FindingSchema(OutSchema):
    code = fields.String(required=True)
    severity = fields.String(required=True, validate=validate.OneOf((BLOCKER, ACTION, WARNING, INFO)))
    title = Computed(wording.title, required=True)
    detail = Computed(wording.detail, required=True)
    amount = Money(allow_none=True)
    refs = fields.List(fields.String(), required=True)
    remedies = fields.List(fields.Nested(RemedySchema), required=True)
    est_working_days = WorkingDays(allow_none=True)
    calculation = fields.Nested(CalculationSchema, allow_none=True)


class ChecklistItemSchema(OutSchema):
    key = fields.String(required=True, metadata={"description": "Unique within the checklist."})
    code = fields.String(required=True)
    title = Computed(wording.title, required=True)
    detail = Computed(wording.detail, required=True)
    owner = fields.String(required=True, validate=validate.OneOf((CUSTOMER, OPERATOR, CLERK)))
    amount = Money(allow_none=True)
    est_working_days = WorkingDays(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf((TODO, DONE, WAIVED, NOT_APPLICABLE)))
    self_service = fields.Boolean(required=True)
    required = fields.Boolean(required=True)
    refs = fields.List(fields.String(), required=True)


class AlternativeSchema(OutSchema):
    code = fields.String(required=True)
    title = Computed(wording.alternative_title, required=True)
    detail = Computed(wording.alternative_detail, required=True)
    effective_date = IsoDate(allow_none=True)
    saving = Money(allow_none=True)
    monthly_fee = Money(allow_none=True)
    refs = fields.List(fields.String(), required=True)


class EtaSchema(OutSchema):
    earliest = IsoDate(required=True)
    latest = IsoDate(required=True)


class RiskFactorSchema(OutSchema):
    feature = fields.String(required=True)
    label = fields.String(required=True)
    direction = fields.String(required=True, validate=validate.OneOf(("up", "down")))
    size = fields.Float(required=True)


class RiskSchema(OutSchema):
    probability = fields.Float(required=True)
    band = fields.String(required=True, validate=validate.OneOf(("low", "medium", "high")))
    model_version = fields.String(required=True)
    factors = fields.List(fields.Nested(RiskFactorSchema), required=True)


class PrecheckSchema(OutSchema):
    """A stored pre-check (domain.md §2)."""

    id = fields.String(required=True)
    account_id = fields.Integer(required=True)
    msisdn = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    effective_date = IsoDate(required=True)
    created_at = IsoDateTime(required=True)
    expires_at = IsoDateTime(required=True)
    result = fields.String(required=True, validate=validate.OneOf((GREEN, YELLOW, RED)))
    eligible_now = fields.Boolean(required=True)
    can_submit = fields.Boolean(required=True)
    findings = fields.List(fields.Nested(FindingSchema), required=True)
    checklist = fields.List(fields.Nested(ChecklistItemSchema), required=True)
    alternatives = fields.List(fields.Nested(AlternativeSchema), required=True)
    eta = fields.Nested(EtaSchema, allow_none=True)
    risk = fields.Nested(RiskSchema, allow_none=True)
    locale = fields.String(required=True, validate=validate.OneOf(("zh-CN", "en")))
