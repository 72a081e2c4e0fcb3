"""Loading import records with their marshmallow schema, fast: the schema compiled into a plan.

The import schemas are the one definition of a valid record. ``schema.load`` costs about
2 ms for a customer with a few accounts (a nested schema load, with its hooks, for every
contract, bill and device), which would make validating a million customers take most of
an hour. ``Loader(schema).load(data)`` walks the same fields, in the same way, without the
per-call machinery:

- every field that is not a nested schema is loaded by its own ``_deserialize`` and checked
  by its validators, with missing values, defaults and ``allow_none`` treated as
  ``Field.deserialize`` treats them (a plain ``String`` is taken as it is when it is a
  string; ``OneOf`` and ``Length`` are plain comparisons);
- ``Nested`` and ``List(Nested)`` become sub-plans (unknown keys are refused, as with
  ``unknown = RAISE``);
- the schema's ``@validates`` and ``@validates_schema`` methods are called on the result;
- the NUL check of ``StrictSchema`` runs once over the whole record.

The plan only ever answers for a valid record: at the first problem it gives up
(``None``), and the caller asks ``schema.load`` for the full list of messages. Schemas with
other hooks (``post_load``, other ``pre_load``) are refused when compiling.
``tests/test_import_loading.py`` checks that the plan returns what ``schema.load`` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.utils import missing

from cancelsvc.common.schemas import StrictSchema

Plan = Callable[[Any], dict[str, Any]]


class _GiveUp(Exception):
    """The record is not valid (or not in the plan's simple form): marshmallow will say why."""


class Loader:
    """``schema.load`` for valid records, at a fraction of the cost; None for anything else."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._check_nul = _has_nul_check(schema)
        self._plan = _compile(schema)

    def load(self, data: Any, *, nul_free: bool = False) -> dict[str, Any] | None:
        """What ``schema.load(data)`` returns when ``data`` is valid; None otherwise.

        ``nul_free``: the caller knows no string of ``data`` holds a NUL character (the JSON
        text it came from has no ``\\u0000``), so the check is skipped.
        """
        try:
            if self._check_nul and not nul_free and _has_nul(data):
                return None
            return self._plan(data)
        except (_GiveUp, ValidationError):
            return None


def _has_nul(value: Any) -> bool:
    """Whether any string (key or value) in ``value`` holds a NUL; ``nul_errors`` says where."""
    kind = type(value)
    if kind is str:
        return "\x00" in value
    if kind is dict:
        return any("\x00" in key or _has_nul(item) for key, item in value.items())
    if kind is list:
        return any(_has_nul(item) for item in value)
    return False


def _has_nul_check(schema: Schema) -> bool:
    return any(name == "refuse_nul" for name, _, _ in schema._hooks[PRE_LOAD])


def _compile(schema: Schema) -> Plan:
    hooks = schema._hooks
    if hooks[POST_LOAD] or any(name != "refuse_nul" for name, _, _ in hooks[PRE_LOAD]):
        raise TypeError(f"{type(schema).__name__} has hooks a plan would skip")
    if hooks[PRE_LOAD] and not isinstance(schema, StrictSchema):
        raise TypeError(f"{type(schema).__name__}: only StrictSchema's NUL check is known")
    if schema.unknown != RAISE:
        raise TypeError(f"{type(schema).__name__} must refuse unknown fields")
    steps = [_step(name, field) for name, field in schema.load_fields.items()]
    known = frozenset(key for key, _, _ in steps)
    field_checks = []
    for name, _, config in hooks[VALIDATES]:
        for field_name in config["field_names"]:
            field = schema.fields[field_name]
            field_checks.append((getattr(schema, name), field.attribute or field_name,
                                 field.data_key or field_name))
    schema_checks = []
    for name, many, config in hooks[VALIDATES_SCHEMA]:
        if many or config.get("pass_original"):
            raise TypeError(f"{type(schema).__name__}.{name}: a plan passes neither many nor the original")
        schema_checks.append(getattr(schema, name))

    def plan(data: Any) -> dict[str, Any]:
        if type(data) is not dict or not known.issuperset(data):
            raise _GiveUp
        out: dict[str, Any] = {}
        for key, attr, load in steps:
            value = load(data.get(key, missing), key, data)
            if value is not missing:
                out[attr] = value
        for check, attr, key in field_checks:
            if attr in out:
                check(out[attr], data_key=key)
        for check in schema_checks:
            check(out, partial=None, many=False, unknown=RAISE)
        return out

    return plan


Step = tuple[str, str, Callable[[Any, str, Any], Any]]
Load = Callable[[Any, str, Any], Any]


def _step(name: str, field: fields.Field) -> Step:
    key, attr = field.data_key or name, field.attribute or name
    if field.pre_load:
        return key, attr, field.deserialize
    if isinstance(field, fields.Nested) and isinstance(field.schema, Schema) and not field.many:
        sub = _compile(field.schema)
        return key, attr, _absent_or(field, _validated(field, lambda value, key, data: sub(value)))
    if (isinstance(field, fields.List) and isinstance(field.inner, fields.Nested)
            and isinstance(field.inner.schema, Schema) and not field.inner.many
            and not field.inner.validators and not field.inner.pre_load and not field.inner.allow_none):
        item = _compile(field.inner.schema)
        return key, attr, _absent_or(field, _validated(field, lambda values, key, data: [
            item(value) for value in _list(values)]))
    if type(field) is fields.String:
        return key, attr, _absent_or(field, _validated(field, _string))
    return key, attr, _absent_or(field, _validated(field, field._deserialize))


def _string(value: Any, key: str, data: Any) -> str:
    if type(value) is not str:
        raise _GiveUp
    return value


def _list(values: Any) -> list[Any]:
    if type(values) is not list:
        raise _GiveUp
    return values


def _validated(field: fields.Field, load: Load) -> Load:
    """``load``, then the field's validators (the common ones as plain comparisons)."""
    checks = [_check(validator) for validator in field.validators]
    if not checks:
        return load

    def run(value: Any, key: str, data: Any) -> Any:
        out = load(value, key, data)
        for check in checks:
            if not check(out):
                raise _GiveUp
        return out

    return run


def _check(validator: Callable[[Any], Any]) -> Callable[[Any], bool]:
    if type(validator) is validate.OneOf:
        try:
            choices = frozenset(validator.choices)
        except TypeError:
            pass
        else:
            return choices.__contains__
    if type(validator) is validate.Length and validator.equal is None:
        low, high = validator.min, validator.max
        return lambda value: (low is None or len(value) >= low) and (high is None or len(value) <= high)

    def call(value: Any) -> bool:
        validator(value)  # raises ValidationError when the value is refused
        return True

    return call


def _absent_or(field: fields.Field, load: Load) -> Load:
    """Missing and null values as ``Field.deserialize`` treats them; ``load`` for the rest."""
    def step(value: Any, key: str, data: Any) -> Any:
        if value is missing:
            if field.required:
                raise _GiveUp
            default = field.load_default
            return default() if callable(default) else default
        if value is None:
            if field.allow_none:
                return None
            raise _GiveUp
        return load(value, key, data)

    return step
