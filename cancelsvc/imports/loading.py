"""Loading import records with their marshmallow schema, fast: the schema compiled into a plan.

The import schemas are the one definition of a valid record. ``schema.load`` costs about
2 ms for a customer with a few accounts (a nested schema load, with its hooks, for every
contract, bill and device), which would make validating a million customers take most of
an hour. ``Loader(schema)`` compiles each schema into one Python function (generated from
the schema's fields when the loader is made) that walks the same fields, in the same way,
without the per-call machinery:

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
    """The schema as one Python function (generated source): a few lines per field."""
    hooks = schema._hooks
    if hooks[POST_LOAD] or any(name != "refuse_nul" for name, _, _ in hooks[PRE_LOAD]):
        raise TypeError(f"{type(schema).__name__} has hooks a plan would skip")
    if hooks[PRE_LOAD] and not isinstance(schema, StrictSchema):
        raise TypeError(f"{type(schema).__name__}: only StrictSchema's NUL check is known")
    if schema.unknown != RAISE:
        raise TypeError(f"{type(schema).__name__} must refuse unknown fields")
    env: dict[str, Any] = {"missing": missing, "GiveUp": _GiveUp, "RAISE": RAISE}
    lines = ["def plan(data):",
             "    if type(data) is not dict or not known.issuperset(data):",
             "        raise GiveUp",
             "    out = {}",
             "    get = data.get"]
    known = set()
    for index, (name, field) in enumerate(schema.load_fields.items()):
        key, attr = field.data_key or name, field.attribute or name
        known.add(key)
        lines += _field_lines(env, f"f{index}", field, key, attr)
    env["known"] = frozenset(known)
    for index, (name, _, config) in enumerate(hooks[VALIDATES]):
        env[f"check{index}"] = getattr(schema, name)
        for field_name in config["field_names"]:
            field = schema.fields[field_name]
            attr, key = field.attribute or field_name, field.data_key or field_name
            lines += [f"    if {attr!r} in out:", f"        check{index}(out[{attr!r}], data_key={key!r})"]
    for index, (name, many, config) in enumerate(hooks[VALIDATES_SCHEMA]):
        if many or config.get("pass_original"):
            raise TypeError(f"{type(schema).__name__}.{name}: a plan passes neither many nor the original")
        env[f"whole{index}"] = getattr(schema, name)
        lines.append(f"    whole{index}(out, partial=None, many=False, unknown=RAISE)")
    lines.append("    return out")
    exec(compile("\n".join(lines), f"<plan of {type(schema).__name__}>", "exec"), env)  # noqa: S102 - our own source
    plan: Plan = env["plan"]
    return plan


def _field_lines(env: dict[str, Any], name: str, field: fields.Field, key: str, attr: str) -> list[str]:
    """Load ``data[key]`` into ``out[attr]`` as ``field.deserialize`` would, or raise GiveUp."""
    env[name] = field
    if field.pre_load:
        return [f"    v = {name}.deserialize(get({key!r}, missing), {key!r}, data)",
                "    if v is not missing:", f"        out[{attr!r}] = v"]
    lines = [f"    v = get({key!r}, missing)", "    if v is missing:"]
    if field.required:
        lines.append("        raise GiveUp")
    elif field.load_default is missing:
        lines.append("        pass")
    else:
        env[f"{name}_default"] = field.load_default
        call = "()" if callable(field.load_default) else ""
        lines.append(f"        out[{attr!r}] = {name}_default{call}")
    lines += ["    elif v is None:", f"        out[{attr!r}] = None" if field.allow_none else "        raise GiveUp",
              "    else:"]
    if isinstance(field, fields.Nested) and isinstance(field.schema, Schema) and not field.many:
        env[f"{name}_plan"] = _compile(field.schema)
        lines.append(f"        v = {name}_plan(v)")
    elif (isinstance(field, fields.List) and isinstance(field.inner, fields.Nested)
            and isinstance(field.inner.schema, Schema) and not field.inner.many
            and not field.inner.validators and not field.inner.pre_load and not field.inner.allow_none):
        env[f"{name}_plan"] = _compile(field.inner.schema)
        lines += ["        if type(v) is not list:", "            raise GiveUp",
                  f"        v = [{name}_plan(item) for item in v]"]
    elif type(field) is fields.String:
        lines += ["        if type(v) is not str:", "            raise GiveUp"]
    else:
        lines.append(f"        v = {name}._deserialize(v, {key!r}, data)")
    for index, validator in enumerate(field.validators):
        lines += _validator_lines(env, f"{name}_v{index}", validator, plain_string=type(field) is fields.String)
    lines.append(f"        out[{attr!r}] = v")
    return lines


def _validator_lines(env: dict[str, Any], name: str, validator: Any, *, plain_string: bool) -> list[str]:
    """The common validators as comparisons (strings only, where hashing is safe); others called."""
    if plain_string and type(validator) is validate.OneOf:
        env[name] = frozenset(validator.choices)
        return [f"        if v not in {name}:", "            raise GiveUp"]
    if plain_string and type(validator) is validate.Length and validator.equal is None:
        tests = ([f"len(v) < {int(validator.min)}"] if validator.min is not None else []) + (
            [f"len(v) > {int(validator.max)}"] if validator.max is not None else [])
        return [f"        if {' or '.join(tests)}:", "            raise GiveUp"] if tests else []
    env[name] = validator
    return [f"        {name}(v)"]
