"""common.dumping: a compiled plan dumps exactly what marshmallow dumps, for every kind of field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from marshmallow import Schema, fields, post_dump

from cancelsvc.common.dumping import Dumper
from cancelsvc.common.fields import Computed, IsoDate, IsoDateTime, Money


class Inner(Schema):
    code = fields.String()
    n = fields.Integer()


class Everything(Schema):
    text = fields.String()
    number = fields.Integer()
    flag = fields.Boolean()
    ratio = fields.Float()
    rate = fields.Decimal(as_string=True)
    count_text = fields.Integer(as_string=True)
    amount = Money(allow_none=True)
    day = IsoDate(allow_none=True)
    instant = IsoDateTime(allow_none=True)
    one = fields.Nested(Inner, allow_none=True)
    many = fields.List(fields.Nested(Inner))
    nested_many = fields.Nested(Inner, many=True)
    words = fields.List(fields.String())
    numbers = fields.List(fields.Integer())
    days = fields.List(IsoDate())
    lists = fields.List(fields.List(fields.Nested(Inner)))
    renamed = fields.String(data_key="shown_as")
    deep = fields.String(attribute="inner.code")
    method = fields.Method("shout")
    function = fields.Function(lambda obj: f"fn:{obj.text}")
    computed = Computed(lambda obj: f"computed:{obj.text}")
    secret = fields.String(load_only=True)
    absent = fields.String()

    def shout(self, obj: Any) -> str:
        return str(obj.text).upper()


def _object(**changes: Any) -> SimpleNamespace:
    values: dict[str, Any] = dict(
        text="abc", number=7, flag=True, ratio=0.25, rate=Decimal("0.30"), count_text=3, amount=Decimal("12.5"),
        day=dt.date(2026, 11, 23), instant=dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC),
        one=SimpleNamespace(code="x", n=1), many=[{"code": "y", "n": 2}, SimpleNamespace(code="z", n="3")],
        nested_many=({"code": "w", "n": 4},), words=("a", "b"), numbers=[1, "2", None],
        days=[dt.date(2026, 11, 23), "2026-11-24"], lists=[[{"code": "v", "n": 5}], None], renamed="r", inner={"code": "deep"}, secret="s",
    )
    values.update(changes)
    return SimpleNamespace(**values)


@pytest.mark.parametrize("obj", [
    _object(),
    _object(amount=None, day=None, instant=None, one=None, text=None, number="8", flag=0),
    _object(inner=None),
])
def test_the_plan_dumps_what_marshmallow_dumps(obj: Any) -> None:
    schema = Everything()
    assert Dumper(schema).dump(obj) == schema.dump(obj)


def test_mapping_with_missing_keys_leaves_the_fields_out() -> None:
    schema = Inner()
    assert Dumper(schema).dump({"code": "only"}) == schema.dump({"code": "only"}) == {"code": "only"}


def test_schemas_with_hooks_are_refused() -> None:
    class Hooked(Schema):
        code = fields.String()

        @post_dump
        def change(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            return data

    with pytest.raises(TypeError, match="hooks"):
        Dumper(Hooked())
