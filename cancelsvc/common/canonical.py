"""Canonical JSON: one byte form per value, for hashes and signatures."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def canonical_json(value: Any) -> str:
    """Sorted keys, no insignificant whitespace, UTF-8 text kept as is.

    Decimals and UUIDs become strings, dates and datetimes ISO 8601 strings.
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def to_json_value(value: Any) -> Any:
    """``value`` as plain JSON types, exactly as it will read back from a JSON column."""
    return json.loads(canonical_json(value))
