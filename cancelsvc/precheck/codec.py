"""A ``PrecheckOutcome`` as plain JSON and back, so it can be stored and re-rendered.

``Decimal`` values become ``{"$dec": "12.30"}`` and dates ``{"$date": "2026-11-23"}``;
everything else is native JSON. ``outcome_from_json(outcome_to_json(o)) == o``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import orjson

from cancelsvc.precheck.result import Alternative, ChecklistItem, Eta, Finding, PrecheckOutcome, Remedy

VERSION = 1


def outcome_to_json(outcome: PrecheckOutcome) -> dict[str, Any]:
    """The outcome as a JSON-able dict (with a format ``version``)."""
    return {"version": VERSION, **_encode(outcome)}


def outcome_to_text(outcome: PrecheckOutcome) -> str:
    """``outcome_to_json(outcome)`` as JSON text, encoded once: what a pre-check stores."""
    encoded = orjson.dumps(outcome, default=_tagged, option=_OPTIONS)  # b"{...}": an object
    return f'{{"version":{VERSION},{encoded[1:].decode()}'


def outcome_from_json(data: Mapping[str, Any]) -> PrecheckOutcome:
    """Rebuild the outcome stored by ``outcome_to_json``."""
    if data.get("version") != VERSION:
        raise ValueError(f"unsupported pre-check outcome version {data.get('version')!r}")
    d = _decode({k: v for k, v in data.items() if k != "version"})
    return PrecheckOutcome(
        **{
            **d,
            "findings": tuple(
                Finding(**{**f, "remedies": tuple(Remedy(**r) for r in f["remedies"])}) for f in d["findings"]
            ),
            "checklist": tuple(ChecklistItem(**i) for i in d["checklist"]),
            "alternatives": tuple(Alternative(**a) for a in d["alternatives"]),
            "eta": None if d["eta"] is None else Eta(**d["eta"]),
        }
    )


def to_json_value(value: Any) -> Any:
    """Any value the outcome holds as JSON (``Decimal`` → ``{"$dec"}``, dates → ``{"$date"}``)."""
    return _encode(value)


def from_json_value(value: Any) -> Any:
    """The inverse of ``to_json_value`` (JSON lists come back as tuples)."""
    return _decode(value)


# Encoding is on the hot path of every stored pre-check: orjson walks the dataclasses,
# tuples and dicts in C and hands only ``Decimal`` and dates (passed through on purpose)
# to ``_tagged``; the bytes are read back into the plain structure the column stores.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def _encode(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value, default=_tagged, option=_OPTIONS))


def _tagged(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$dec": format(value, "f")}
    if isinstance(value, dt.date):  # datetimes too
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):  # named tuples
        return list(value)
    if isinstance(value, Mapping):  # read-only and other mappings
        return dict(value)
    raise TypeError(f"cannot store {type(value).__name__} in a pre-check outcome")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "$dec" in value:
            return Decimal(value["$dec"])
        if len(value) == 1 and "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value
