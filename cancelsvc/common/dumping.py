"""Dumping with an output schema, fast: the schema is compiled once into a plan.

An output schema is the one definition of a document's shape: its fields, their types,
where each value comes from (the field's name or ``attribute``, or a ``fields.Method`` of
the schema) and the OpenAPI document. ``Dumper(schema).dump(obj)`` returns what
``schema.dump(obj)`` returns, at a fraction of marshmallow's per-call cost, which matters
where a document is dumped on every request (a pre-check on every POST):

- plain fields (``String``, ``Integer``, ``Boolean``) copy the value (converting only what
  is not already of the right type);
- ``Nested`` and ``List`` of a plain field or of ``Nested`` become sub-plans;
- ``Method`` calls the schema's method, ``Function`` its function, ``Computed``
  (``common.fields``) its ``compute``;
- any other field (money, dates, instants, subclasses of the above) is dumped by its own
  ``_serialize``, exactly as marshmallow does.

Values are read like marshmallow reads them: a key of a mapping, else an attribute (a
dotted ``attribute`` walks both); a key or attribute that is missing leaves the field out.
``tests/test_dumping.py`` compares the plan with ``schema.dump`` field by field type.
Schemas with hooks (``post_dump``, …) are refused: a plan would skip them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, fields

_MISSING = object()

Convert = Callable[[Any], Any]
#: (output key, how to get the value, how to convert it; None: as it is)
Step = tuple[str, Callable[[Any], Any], Convert | None]


#: Whether objects of a type are read by key (a ``Mapping``) rather than by attribute; the
#: ``Mapping`` check is an ABC check, costly on every field of every document.
_BY_KEY: dict[type, bool] = {dict: True}


def _by_key(kind: type) -> bool:
    found = _BY_KEY.get(kind)
    if found is None:
        found = _BY_KEY[kind] = issubclass(kind, Mapping)
    return found


def _getter(path: str) -> Callable[[Any], Any]:
    parts = path.split(".")

    def one(obj: Any, key: str) -> Any:
        if obj is _MISSING or obj is None:
            return _MISSING
        if _by_key(type(obj)):
            return obj.get(key, _MISSING)
        return getattr(obj, key, _MISSING)

    if len(parts) == 1:
        key = parts[0]

        def get(obj: Any) -> Any:
            by_key = _BY_KEY.get(type(obj))
            if by_key is None:
                by_key = _by_key(type(obj))
            return obj.get(key, _MISSING) if by_key else getattr(obj, key, _MISSING)

        return get

    def walk(obj: Any) -> Any:
        for key in parts:
            obj = one(obj, key)
        return obj

    return walk


def _plain(kind: type) -> Convert:
    return lambda value: value if value is None or type(value) is kind else kind(value)


def _converter(field: fields.Field) -> Convert:
    kind = type(field)
    if kind is fields.String:
        return _plain(str)
    if isinstance(field, fields.Integer) and kind is fields.Integer and not field.as_string:
        return _plain(int)
    if kind is fields.Boolean:
        return lambda value: value if value is None or type(value) is bool else field._serialize(value, None, None)
    if isinstance(field, fields.Nested) and kind is fields.Nested:
        plan = _plan(field.schema)
        if field.many:
            return lambda value: None if value is None else [_run(plan, item) for item in value]
        return lambda value: None if value is None else _run(plan, value)
    if isinstance(field, fields.List) and kind is fields.List:
        if type(field.inner) is fields.String:
            return lambda value: None if value is None else [v if type(v) is str else str(v) for v in value]
        inner = _converter(field.inner)
        return lambda value: None if value is None else [inner(item) for item in value]
    serialize = field._serialize
    return lambda value: serialize(value, None, None)


def _step(schema: Schema, name: str, field: fields.Field) -> Step:
    key = field.data_key or name
    compute = getattr(field, "compute", None)  # ``common.fields.Computed``
    if compute is not None:
        return key, compute, None
    if isinstance(field, fields.Method):
        method = getattr(schema, field.serialize_method_name) if field.serialize_method_name else None
        if method is None:
            raise TypeError(f"{type(schema).__name__}.{name}: a Method field without a serialize method")
        return key, method, None
    if isinstance(field, fields.Function):
        if field.serialize_func is None:
            raise TypeError(f"{type(schema).__name__}.{name}: a Function field without a serialize function")
        return key, field.serialize_func, None
    return key, _getter(field.attribute or name), _converter(field)


_PLANS: dict[int, tuple[Schema, tuple[Step, ...]]] = {}


def _plan(schema: Schema) -> tuple[Step, ...]:
    known = _PLANS.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    if any(schema._hooks.values()):
        raise TypeError(f"{type(schema).__name__} has hooks: dump it with marshmallow")
    steps = tuple(_step(schema, name, field) for name, field in schema.dump_fields.items())
    _PLANS[id(schema)] = (schema, steps)
    return steps


def _run(plan: tuple[Step, ...], obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, get, convert in plan:
        value = get(obj)
        if value is not _MISSING:
            out[key] = value if convert is None else convert(value)
    return out


class Dumper:
    """``schema.dump(obj)``, compiled (see the module docstring)."""

    __slots__ = ("schema", "_plan")

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._plan = _plan(schema)

    def dump(self, obj: Any) -> dict[str, Any]:
        return _run(self._plan, obj)
