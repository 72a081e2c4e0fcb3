"""Base marshmallow schemas: unknown fields and NUL characters in a request are rejected."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, pre_load

from cancelsvc.texts.marks import N_

NUL_MESSAGE = N_("Remove the NUL character (\\u0000) from this text.")


class StrictSchema(Schema):
    """Request bodies and query strings: an unknown field is a validation error, and so is a
    NUL character in any string, however deep (no database stores one in text)."""

    class Meta:
        unknown = RAISE

    @pre_load
    def refuse_nul(self, data: Any, **kwargs: Any) -> Any:
        errors = nul_errors(data)
        if errors:
            raise ValidationError(errors)
        return data


def nul_errors(value: Any) -> dict[Any, Any]:
    """marshmallow-style errors (``{"data": {"serial": [message]}}``) for each string with a NUL."""
    if isinstance(value, Mapping):  # a JSON object, or the query string (webargs' MultiDictProxy)
        items: Any = ((key, value[key]) for key in value)
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return {}
    errors: dict[Any, Any] = {}
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            errors["_schema"] = [NUL_MESSAGE]
        if isinstance(item, str):
            if "\x00" in item:
                errors[key] = [NUL_MESSAGE]
        elif found := nul_errors(item):
            errors[key] = found
    return errors


class OutSchema(Schema):
    """Response bodies (marshmallow keeps the declared field order)."""
