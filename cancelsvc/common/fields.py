"""Marshmallow fields shared by the API schemas.

Output fields here dump idempotently: a value that is already in its JSON form (a money
object, an ISO string) dumps unchanged, so a stored JSON document can be served through
the same schema that produced it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields

from cancelsvc.common.money import CURRENCY, money_json, q
from cancelsvc.common.phones import normalise_msisdn
from cancelsvc.texts.marks import N_
from models.base import MONEY_PRECISION, MONEY_SCALE

# No more digits than a money column holds (10 before the point, 2 after): an amount the
# API accepts can always be stored.
_UNSIGNED_AMOUNT = rf"[0-9]{{1,{MONEY_PRECISION - MONEY_SCALE}}}(?:\.[0-9]{{1,{MONEY_SCALE}}})?"
_AMOUNT = re.compile("-?" + _UNSIGNED_AMOUNT)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Money(fields.Field):
    """``{"amount": "123.45", "currency": "CNY"}`` ⇄ ``Decimal("123.45")``.

    Loading accepts only that object: the amount as a string with at most two decimals
    (numbers are refused because JSON numbers are floats to most clients) and the
    currency CNY. Negative amounts are refused unless ``allow_negative=True``.
    """

    default_error_messages = {
        "type": N_('Enter money as an object like {{"amount": "12.34", "currency": "CNY"}}.'),
        "unknown": N_("Unknown money key(s): {keys}."),
        "amount": N_('Enter the amount as a string with at most 2 decimals, e.g. "12.34".'),
        "currency": N_("Only CNY is accepted as currency."),
        "negative": N_("The amount must be zero or more."),
    }

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_negative = allow_negative

    def openapi_property(self) -> dict[str, Any]:
        """The money object in the OpenAPI document (what loading accepts, or what is served)."""
        if _in_output(self):
            amount = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$", "example": "123.45"}
        else:
            sign = "-?" if self.allow_negative else ""
            amount = {"type": "string", "pattern": f"^{sign}{_UNSIGNED_AMOUNT}$", "example": "123.45",
                      "description": "At most 2 decimals; a string, never a JSON number."}
        return {"type": "object", "description": "Money", "additionalProperties": False,
                "required": ["amount", "currency"],
                "properties": {"amount": amount, "currency": {"type": "string", "enum": [CURRENCY]}}}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        if type(value) is Decimal:  # the common case, before the costlier ``Mapping`` check
            return money_json(value)
        if isinstance(value, Mapping):
            return money_json(Decimal(value["amount"]), value.get("currency", CURRENCY))
        return money_json(Decimal(value))

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Decimal:
        if not isinstance(value, Mapping):
            raise self.make_error("type")
        errors: list[str] = []
        unknown = sorted(set(value) - {"amount", "currency"})
        if unknown:
            errors.append(self._message("unknown", keys=", ".join(map(str, unknown))))
        amount = value.get("amount")
        text = amount if isinstance(amount, str) and _AMOUNT.fullmatch(amount) else None
        if text is None:
            errors.append(self._message("amount"))
        elif text.startswith("-") and not self.allow_negative:
            errors.append(self._message("negative"))
        if value.get("currency") != CURRENCY:
            errors.append(self._message("currency"))
        if errors or text is None:
            raise ValidationError(errors)
        return q(Decimal(text))

    def _message(self, key: str, **params: str) -> str:
        """One of this field's messages (always plain text here), filled in."""
        return str(self.error_messages[key]).format(**params)


def _in_output(field: fields.Field) -> bool:
    """Whether a field belongs to a response schema (``OutSchema``)."""
    from cancelsvc.common.schemas import OutSchema

    parent: Any = field.parent
    while isinstance(parent, fields.Field):
        parent = parent.parent
    return isinstance(parent, OutSchema)


#: The dates and instants the API accepts (``IsoDate``, ``Instant``): anything outside is a
#: typo or an attack, and date arithmetic near the years 1 and 9999 overflows.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)
_OUT_OF_RANGE = N_("Enter a date from {earliest} to {latest}.")


def out_of_range_message() -> str:
    """The field message for a date or instant outside ``EARLIEST``..``LATEST``."""
    return _OUT_OF_RANGE.format(earliest=EARLIEST.isoformat(), latest=LATEST.isoformat())


def _range_error(field: fields.Field) -> ValidationError:
    return ValidationError(str(field.error_messages["range"]).format(
        earliest=EARLIEST.isoformat(), latest=LATEST.isoformat()))


class IsoDate(fields.Date):
    """An ISO date (``YYYY-MM-DD``) from ``EARLIEST`` to ``LATEST``; dumping an ISO string passes it through."""

    default_error_messages = {"range": _OUT_OF_RANGE}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            if not _ISO_DATE.fullmatch(value):
                raise ValueError(f"not an ISO date: {value!r}")
            return value
        if isinstance(value, dt.datetime):
            value = value.date()
        return super()._serialize(value, attr, obj, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        # date.fromisoformat also takes "20261123"; the API promises YYYY-MM-DD only.
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise self.make_error("invalid")
        loaded: dt.date = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST <= loaded <= LATEST:
            raise _range_error(self)
        return loaded


class Instant(fields.AwareDateTime):
    """An RFC 3339 instant with offset, from ``EARLIEST`` to ``LATEST`` (UTC) — every instant a request takes."""

    default_error_messages = {"range": _OUT_OF_RANGE}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        try:
            loaded: dt.datetime = super()._deserialize(value, attr, data, **kwargs)
            in_range = EARLIEST <= loaded.astimezone(dt.UTC).date() <= LATEST
        except OverflowError:  # e.g. 9999-12-31T23:59:59-14:00 is past datetime.max in UTC
            in_range = False
        if not in_range:
            raise _range_error(self)
        return loaded


class IsoDateTime(fields.AwareDateTime):
    """An RFC 3339 instant with offset; dumping an ISO string passes it through."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            dt.datetime.fromisoformat(value)  # refuse garbage rather than serve it
            return value
        return super()._serialize(value, attr, obj, **kwargs)


class Computed(fields.String):
    """A text an output schema computes from the whole object it dumps (``compute(obj)``),
    e.g. a title rendered in the document's language; typed as a string in OpenAPI."""

    def __init__(self, compute: Callable[[Any], str | None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.compute = compute

    def serialize(self, attr: str, obj: Any, accessor: Any = None, **kwargs: Any) -> Any:
        return self.compute(obj)


class UtcDateTime(IsoDateTime):
    """An instant served in UTC (RFC 3339 with ``+00:00``), whatever zone it was read in."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class Msisdn(fields.String):
    """A mobile number in any common notation, normalised to E.164."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > 32:
            raise ValidationError(N_("Enter a mobile number, such as 13800138000 or +8613800138000."))
        normal = normalise_msisdn(text)
        if normal is None:
            raise ValidationError(N_("{number} is not a mobile number; enter one such as 13800138000 or +8613800138000.").format(
                number=text))
        return normal
