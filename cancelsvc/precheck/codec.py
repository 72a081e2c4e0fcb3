"""A ``PrecheckOutcome`` as plain JSON and back, so it can be stored and re-rendered.

``Decimal`` values become ``{"$dec": "12.30"}`` and dates ``{"$date": "2026-11-23"}``;
everything else is native JSON. ``outcome_from_json(outcome_to_json(o)) == o``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from cancelsvc.precheck.result import Alternative, ChecklistItem, Eta, Finding, PrecheckOutcome, Remedy

VERSION = 1


def outcome_to_json(outcome: PrecheckOutcome) -> dict[str, Any]:
    """The outcome as a JSON-able dict (with a format ``version``)."""
    return {"version": VERSION, **_encode(outcome)}


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


# Encoding is on the hot path of every stored pre-check: values are dispatched on their
# exact type (one dict lookup), scalars are kept without a call, and each dataclass gets
# an encoder that reads all its fields at once. Subclasses and other types take the
# general path, ``_encode_other``.
_SCALARS = frozenset({str, int, float, bool, type(None)})
_Encoder = Callable[[Any], Any]


def _encode(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    encoder = _ENCODERS.get(kind)
    return encoder(value) if encoder is not None else _encode_other(value)


def _encode_decimal(value: Decimal) -> dict[str, str]:
    return {"$dec": format(value, "f")}


def _encode_date(value: dt.date) -> dict[str, str]:
    return {"$date": value.isoformat()}


def _encode_sequence(value: tuple[Any, ...] | list[Any]) -> list[Any]:
    scalars = _SCALARS
    return [v if type(v) in scalars else _encode(v) for v in value]


def _encode_dict(value: Mapping[Any, Any]) -> dict[Any, Any]:
    scalars = _SCALARS
    return {k: v if type(v) in scalars else _encode(v) for k, v in value.items()}


def _dataclass_encoder(kind: type) -> _Encoder:
    """An encoder for the dataclass ``kind``: one generated function that reads every field.

    For ``Eta``: ``def encode_Eta(obj): v0 = obj.earliest; v1 = obj.latest; return
    {"earliest": <v0 encoded>, "latest": <v1 encoded>}``, scalar values kept as they are
    (generated source, as ``dataclasses`` itself does for ``__init__``).
    """
    names = [f.name for f in dataclasses.fields(kind)]
    if not all(name.isidentifier() for name in names):  # pragma: no cover - dataclass fields always are
        raise ValueError(f"unexpected field names in {kind!r}")
    reads = "".join(f"    v{i} = obj.{name}\n" for i, name in enumerate(names))
    items = ", ".join(f"{name!r}: v{i} if type(v{i}) in scalars else encode(v{i})" for i, name in enumerate(names))
    source = f"def encode_{kind.__name__}(obj):\n{reads}    return {{{items}}}\n"
    namespace: dict[str, Any] = {"scalars": _SCALARS, "encode": _encode}
    exec(source, namespace)  # noqa: S102 - source built from dataclass field names only
    return namespace[f"encode_{kind.__name__}"]


def _encode_other(value: Any) -> Any:
    """Types without an exact-type encoder: subclasses, other mappings, new dataclasses."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Decimal):
        return _encode_decimal(value)
    if isinstance(value, dt.date):
        return _encode_date(value)
    if isinstance(value, (tuple, list)):
        return _encode_sequence(value)
    if isinstance(value, Mapping):
        return _encode_dict(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        encoder = _ENCODERS[type(value)] = _dataclass_encoder(type(value))
        return encoder(value)
    return value


_PLAIN = (str, int, float, bool)
_ENCODERS: dict[type, _Encoder] = {
    Decimal: _encode_decimal,
    dt.date: _encode_date,
    tuple: _encode_sequence,
    list: _encode_sequence,
    dict: _encode_dict,
    **{kind: _dataclass_encoder(kind) for kind in (
        PrecheckOutcome, Finding, Remedy, ChecklistItem, Alternative, Eta,
    )},
}


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
