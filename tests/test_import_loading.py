"""The compiled plan of the import schemas answers exactly as marshmallow does."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, post_load

from cancelsvc.imports.loading import Loader
from cancelsvc.imports.schemas import CustomerSchema, StoreSchema
from tests.test_import import SPEC_SAMPLE

CUSTOMER = SPEC_SAMPLE["customers"][0]
STORE = {"code": "HZ-001", "name": "杭州西湖营业厅", "city": "杭州", "phone": "0571-8700 1000"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False)
    | st.sampled_from(["", "0.30", "128.00", "1.234", "-1.00", "2026-02-30", "2026-13", "2026-10", "active",
                       "legal_hold", "+8613800138000", "12345", "a@b.cn", "zh-CN", "Asia/Atlantis", "x\x00y",
                       "1" * 70, "2027-05-31", "true"])
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with a few values replaced, removed, or unknown keys added."""
    record = copy.deepcopy(base)
    paths = _paths(record)
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(paths))
        parent = record
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "remove" and isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=5))] = draw(json_values)
        paths = _paths(record)
    return record


def _marshmallow(schema: Schema, data: Any) -> Any:
    try:
        return schema.load(copy.deepcopy(data))
    except ValidationError:
        return None


@settings(max_examples=400, deadline=None)
@given(mutated(CUSTOMER))
def test_customers_load_as_marshmallow_loads_them(record: dict[str, Any]) -> None:
    schema = CustomerSchema()
    assert Loader(schema).load(record) == _marshmallow(schema, record)


@settings(max_examples=150, deadline=None)
@given(mutated(STORE))
def test_stores_load_as_marshmallow_loads_them(record: dict[str, Any]) -> None:
    schema = StoreSchema()
    assert Loader(schema).load(record) == _marshmallow(schema, record)


def test_a_valid_record_is_loaded_by_the_plan_with_its_defaults() -> None:
    loaded = Loader(CustomerSchema()).load({"external_id": "C-9", "name": "赵敏", "accounts": [{"msisdn": "138 0013 8000"}]})
    assert loaded == CustomerSchema().load({"external_id": "C-9", "name": "赵敏", "accounts": [{"msisdn": "138 0013 8000"}]})
    assert loaded is not None and loaded["accounts"][0]["msisdn"] == "+8613800138000"
    assert loaded["accounts"][0]["holds"] == [] and loaded["segment"] == "regular"


def test_a_nul_character_anywhere_is_left_to_marshmallow() -> None:
    record = copy.deepcopy(CUSTOMER)
    record["accounts"][0]["services"][0]["name"] = "视频\x00会员"
    assert Loader(CustomerSchema()).load(record) is None


def test_a_schema_with_hooks_the_plan_would_skip_is_refused() -> None:
    class Shaped(Schema):
        name = fields.String()

        @post_load
        def shape(self, data: dict[str, Any], **kwargs: Any) -> Any:
            return data

    with pytest.raises(TypeError, match="hooks"):
        Loader(Shaped())
