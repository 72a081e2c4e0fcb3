"""Marshmallow schemas and fields: input validation and the output document."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from marshmallow import Schema, ValidationError

from cancelsvc.common.fields import IsoDate, Money
from cancelsvc.common.money import money_json, q
from cancelsvc.precheck.presenter import StoredPrecheckView, dump, present
from cancelsvc.precheck.schemas import PrecheckCreateSchema, PrecheckSchema, parse_account_ref
from cancelsvc.precheck.wording import in_language

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


# --- PrecheckCreateSchema --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"account": "+8613800138000", "channel": "app", "effective_date": "asap"},
            {"account": "+8613800138000", "channel": "app", "effective_date": "asap"},
        ),
        (
            {"account": "42", "channel": "counter", "effective_date": "2026-12-31"},
            {"account": "42", "channel": "counter", "effective_date": dt.date(2026, 12, 31)},
        ),
        (
            {"account": "13800138000", "channel": "phone"},
            {"account": "13800138000", "channel": "phone", "effective_date": "asap"},
        ),
    ],
)
def test_create_schema_loads(body, expected):
    assert PrecheckCreateSchema().load(body) == expected


def test_create_schema_lists_every_error_at_once():
    body = {"account": "abc", "channel": "fax", "effective_date": "2026-13-01", "colour": "red"}
    with pytest.raises(ValidationError) as err:
        PrecheckCreateSchema().load(body)
    assert set(err.value.messages) == {"account", "channel", "effective_date", "colour"}
    assert err.value.messages["colour"] == ["Unknown field."]


def test_create_schema_requires_account_and_channel():
    with pytest.raises(ValidationError) as err:
        PrecheckCreateSchema().load({})
    assert set(err.value.messages) == {"account", "channel"}


@pytest.mark.parametrize("bad", ["20261231", "2026-12-31T00:00:00", "tomorrow", "ASAP", 20261231, None, ""])
def test_effective_date_must_be_asap_or_an_iso_date(bad):
    errors = PrecheckCreateSchema().validate({"account": "1", "channel": "app", "effective_date": bad})
    assert list(errors) == ["effective_date"]


@pytest.mark.parametrize("good", ["+8613800138000", "138 0013 8000", "+86-138-0013-8000", "(0086) 138.0013.8000", "42"])
def test_account_accepts_common_notations(good):
    assert "account" not in PrecheckCreateSchema().validate({"account": good, "channel": "app"})


@pytest.mark.parametrize("bad", ["", "+", "-138", "138-abcd", "1" * 31, "１３８"])
def test_account_must_be_a_number_or_an_id(bad):
    assert list(PrecheckCreateSchema().validate({"account": bad, "channel": "app"})) == ["account"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+8613800138000", ("msisdn", "+8613800138000")),
        ("13800138000", ("msisdn", "+8613800138000")),
        ("42", ("id", 42)),
        ("23800138000", ("id", 23800138000)),
    ],
)
def test_parse_account_ref(value, expected):
    assert parse_account_ref(value) == expected


# --- Money field ----------------------------------------------------------------------------


class Payment(Schema):
    amount = Money(required=True)
    delta = Money(allow_negative=True)
    on = IsoDate()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"amount": "12.30", "currency": "CNY"}, Decimal("12.30")),
        ({"amount": "12", "currency": "CNY"}, Decimal("12.00")),
        ({"amount": "0.5", "currency": "CNY"}, Decimal("0.50")),
    ],
)
def test_money_loads(value, expected):
    loaded = Payment().load({"amount": value})["amount"]
    assert loaded == expected and str(loaded) == str(expected)


@pytest.mark.parametrize(
    "value",
    [
        12.3,
        "12.30",
        {"amount": 12.3, "currency": "CNY"},
        {"amount": "12.345", "currency": "CNY"},
        {"amount": "1e3", "currency": "CNY"},
        {"amount": "abc", "currency": "CNY"},
        {"amount": "12.30", "currency": "USD"},
        {"amount": "12.30"},
        {"amount": "-1.00", "currency": "CNY"},
        {"amount": "12.30", "currency": "CNY", "note": "x"},
    ],
)
def test_money_refuses(value):
    assert list(Payment().validate({"amount": value})) == ["amount"]


def test_money_lists_every_problem():
    errors = Payment().validate({"amount": {"amount": "1.234", "currency": "USD", "x": 1}})
    assert len(errors["amount"]) == 3


def test_money_negative_when_allowed():
    assert Payment().load({"amount": money_json(Decimal(1)), "delta": money_json(Decimal("-2.5"))})["delta"] == Decimal(
        "-2.50"
    )


def test_money_dumps_and_passes_money_objects_through():
    dumped = Payment().dump(
        {"amount": Decimal("1"), "delta": {"amount": "2.50", "currency": "CNY"}, "on": "2026-11-23"}
    )
    assert dumped == {
        "amount": {"amount": "1.00", "currency": "CNY"},
        "delta": {"amount": "2.50", "currency": "CNY"},
        "on": "2026-11-23",
    }
    assert Payment().dump({"amount": None}) == {"amount": None}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("0.005"), "0.01"), (Decimal("-0.004"), "0.00"), (Decimal("123.455"), "123.46"), (Decimal("7"), "7.00")],
)
def test_money_json(value, expected):
    assert money_json(value) == {"amount": expected, "currency": "CNY"}
    assert str(q(value)) == expected


# --- PrecheckSchema ---------------------------------------------------------------------------


def stored_view(outcome, locale, risk=None):
    return StoredPrecheckView(outcome, locale, risk=risk, id="pc_1", msisdn="+86 138****8000", created_at=NOW)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_served_document_is_what_the_schema_dumps(run, sample, rich, locale):
    """``PrecheckSchema`` is the one definition: the compiled plan dumps exactly what
    marshmallow dumps from the same view, and the result loads back through the schema."""
    for outcome in (run(sample), run(rich)):
        view = stored_view(outcome, locale)
        served = dump(view)
        with in_language(locale):
            assert PrecheckSchema().dump(view) == served
        assert list(served) == list(PrecheckSchema().fields)
        assert PrecheckSchema().validate(json.loads(json.dumps(served))) == {}
        assert served["created_at"] == "2026-11-23T10:00:00+08:00"
        assert served["expires_at"] == "2026-11-24T10:00:00+08:00"
        assert present(outcome, locale) == {k: v for k, v in served.items()
                                            if k not in ("id", "msisdn", "created_at", "expires_at")}


def test_precheck_schema_fields():
    assert set(PrecheckSchema().fields) == {
        "id",
        "account_id",
        "msisdn",
        "channel",
        "effective_date",
        "created_at",
        "expires_at",
        "result",
        "eligible_now",
        "can_submit",
        "findings",
        "checklist",
        "alternatives",
        "eta",
        "risk",
        "locale",
    }


def test_risk_is_nullable_and_nested(run, sample):
    risk = {
        "probability": 0.31,
        "band": "medium",
        "model_version": "2026.11.1",
        "factors": [
            {"feature": "devices_rented_unreturned", "label": "A router to return", "direction": "up", "size": 0.42}
        ],
    }
    doc = dump(stored_view(run(sample), "en", risk))
    assert doc["risk"] == risk
    assert PrecheckSchema().validate(doc) == {}
    assert dump(stored_view(run(sample), "en"))["risk"] is None
