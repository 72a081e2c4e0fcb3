"""The codec's encoder gives exactly the stored format of the plain recursive encoder."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

import pytest

from cancelsvc.precheck.codec import VERSION, outcome_from_json, outcome_to_json, outcome_to_text, to_json_value

LATER = dt.date(2026, 12, 5)


def reference(value: Any) -> Any:
    """The stored format, written plainly (the encoder it replaced)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Decimal):
        return {"$dec": format(value, "f")}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, (tuple, list)):
        return [reference(v) for v in value]
    if isinstance(value, Mapping):
        return {k: reference(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: reference(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


@pytest.mark.parametrize("fixture", ["sample", "rich"])
@pytest.mark.parametrize("effective_date", [None, LATER])
def test_encoding_is_the_stored_format(request: pytest.FixtureRequest, run: Any, fixture: str,
                                       effective_date: dt.date | None) -> None:
    kwargs = {"effective_date": effective_date} if effective_date else {}
    outcome = run(request.getfixturevalue(fixture), **kwargs)
    stored = outcome_to_json(outcome)
    assert stored == {"version": VERSION, **reference(outcome)}
    assert json.dumps(stored) == json.dumps({"version": VERSION, **reference(outcome)})  # same key order
    assert outcome_from_json(json.loads(json.dumps(stored))) == outcome
    # The text a pre-check stores is the same document, in the same order.
    assert json.dumps(json.loads(outcome_to_text(outcome))) == json.dumps(stored)


class Pair(NamedTuple):
    first: int
    second: Decimal


@dataclasses.dataclass(frozen=True)
class Extra:
    when: dt.date
    amounts: tuple[Decimal, ...]


class Money(Decimal):
    pass


@pytest.mark.parametrize("value", [
    None, True, 3, 2.5, "文字",
    Decimal("62.55"), Decimal("-0.00"), Money("1.10"),
    dt.date(2026, 11, 23), dt.datetime(2026, 11, 23, 10, 0),
    (1, (Decimal("2.00"), [dt.date(2026, 1, 1)])), Pair(1, Decimal("2.50")),
    {"a": {"b": Decimal("1")}}, MappingProxyType({"k": dt.date(2026, 2, 1)}),
    Extra(dt.date(2026, 3, 1), (Decimal("0.99"),)), {"nested": [Extra(dt.date(2026, 3, 2), ())]},
])
def test_any_value_encodes_like_the_reference(value: Any) -> None:
    assert to_json_value(value) == reference(value)


def test_stored_data_still_decodes() -> None:
    """A document stored by the previous encoder (format version 1)."""
    stored = {
        "version": 1, "account_id": 7, "channel": "app", "effective_date": {"$date": "2026-11-23"},
        "today": {"$date": "2026-11-23"}, "result": "green", "eligible_now": True, "can_submit": True,
        "findings": [{"code": "balance.refund", "severity": "info", "amount": {"$dec": "10.00"}, "refs": [],
                      "remedies": [{"code": "refund.original_method", "self_service": True, "params": {}}],
                      "est_working_days": None, "calculation": None, "params": {}, "variant": None}],
        "checklist": [], "alternatives": [],
        "eta": {"earliest": {"$date": "2026-11-26"}, "latest": {"$date": "2026-11-26"}},
    }
    outcome = outcome_from_json(stored)
    assert outcome.findings[0].amount == Decimal("10.00") and outcome.eta.latest == dt.date(2026, 11, 26)
    assert outcome_to_json(outcome) == stored
