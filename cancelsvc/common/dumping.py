"""Dumping with an output schema, fast: the schema is compiled once into a plan.

A plan is one Python function per schema, generated from its fields when it is first
needed (as ``imports.loading`` does for loads): a few lines per field, with the field's
key and its conversion written out, and one branch for mappings and one for objects.

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


#: Whether objects of a type are read by key (a ``Mapping``) rather than by attribute; the
#: ``Mapping`` check is an ABC check, costly on every field of every document.
_BY_KEY: dict[type, bool] = {dict: True}


def _by_key(kind: type) -> bool:
    found = _BY_KEY.get(kind)
    if found is None:
        found = _BY_KEY[kind] = issubclass(kind, Mapping)
    return found


def _converter(field: fields.Field) -> Convert:
    """How one element of a ``List`` is converted (the list itself is compiled)."""
    kind = type(field)
    if kind is fields.String:
        return lambda value: value if value is None or type(value) is str else str(value)
    if isinstance(field, fields.Integer) and kind is fields.Integer and not field.as_string:
        return lambda value: value if value is None or type(value) is int else int(value)
    if kind is fields.Boolean:
        return lambda value: value if value is None or type(value) is bool else field._serialize(value, None, None)
    if isinstance(field, fields.Nested) and kind is fields.Nested:
        plan = _plan(field.schema)
        if field.many:
            return lambda value: None if value is None else [plan(item) for item in value]
        return lambda value: None if value is None else plan(value)
    if isinstance(field, fields.List) and kind is fields.List:
        inner = _converter(field.inner)
        return lambda value: None if value is None else [inner(item) for item in value]
    serialize = field._serialize
    return lambda value: serialize(value, None, None)


def _conversion(env: dict[str, Any], name: str, field: fields.Field) -> list[str]:
    """Source lines converting ``v`` (a value that is not missing) as ``field`` dumps it."""
    kind = type(field)
    if kind is fields.String:
        return ["if v is not None and type(v) is not str:", "    v = str(v)"]
    if isinstance(field, fields.Integer) and kind is fields.Integer and not field.as_string:
        return ["if v is not None and type(v) is not int:", "    v = int(v)"]
    if kind is fields.Boolean:
        env[name] = field._serialize
        return ["if v is not None and type(v) is not bool:", f"    v = {name}(v, None, None)"]
    if isinstance(field, fields.Nested) and kind is fields.Nested:
        env[name] = _plan(field.schema)
        each = f"[{name}(item) for item in v]" if field.many else f"{name}(v)"
        return ["if v is not None:", f"    v = {each}"]
    if isinstance(field, fields.List) and kind is fields.List:
        inner = field.inner
        if type(inner) is fields.String:
            each = "item if type(item) is str else str(item)"
        elif type(inner) is fields.Nested and not inner.many:
            env[name] = _plan(inner.schema)
            each = f"None if item is None else {name}(item)"
        else:
            env[name] = _converter(inner)
            each = f"{name}(item)"
        return ["if v is not None:", f"    v = [{each} for item in v]"]
    env[name] = field._serialize
    return [f"v = {name}(v, None, None)"]


def _field_lines(env: dict[str, Any], index: int, schema: Schema, name: str, field: fields.Field,
                 by_key: bool) -> list[str]:
    """Source lines putting ``field``'s value of ``obj`` (read by key or by attribute) into ``out``."""
    key = field.data_key or name
    call = f"f{index}"
    compute = getattr(field, "compute", None)  # ``common.fields.Computed``
    if compute is not None:
        env[call] = compute
    elif isinstance(field, fields.Method):
        method = getattr(schema, field.serialize_method_name) if field.serialize_method_name else None
        if method is None:
            raise TypeError(f"{type(schema).__name__}.{name}: a Method field without a serialize method")
        env[call] = method
    elif isinstance(field, fields.Function):
        if field.serialize_func is None:
            raise TypeError(f"{type(schema).__name__}.{name}: a Function field without a serialize function")
        env[call] = field.serialize_func
    else:
        path = field.attribute or name
        if "." in path:
            env[call] = _walker(path)
            read = f"{call}(obj)"
        else:
            read = f"obj.get({path!r}, MISSING)" if by_key else f"getattr(obj, {path!r}, MISSING)"
        convert = _conversion(env, f"c{index}", field)
        return [f"v = {read}", "if v is not MISSING:", *(f"    {line}" for line in convert), f"    out[{key!r}] = v"]
    return [f"v = {call}(obj)", "if v is not MISSING:", f"    out[{key!r}] = v"]


def _walker(path: str) -> Callable[[Any], Any]:
    """A dotted ``attribute``: each step a key of a mapping or an attribute; missing on the way: missing."""
    parts = path.split(".")

    def walk(obj: Any) -> Any:
        for key in parts:
            if obj is _MISSING or obj is None:
                return _MISSING
            obj = obj.get(key, _MISSING) if _by_key(type(obj)) else getattr(obj, key, _MISSING)
        return obj

    return walk


Plan = Callable[[Any], dict[str, Any]]
_PLANS: dict[int, tuple[Schema, Plan]] = {}


def _plan(schema: Schema) -> Plan:
    known = _PLANS.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    if any(schema._hooks.values()):
        raise TypeError(f"{type(schema).__name__} has hooks: dump it with marshmallow")
    env: dict[str, Any] = {"MISSING": _MISSING, "BY_KEY": _BY_KEY, "by_key": _by_key}
    items = list(schema.dump_fields.items())
    lines = ["def plan(obj):", "    out = {}", "    kind = type(obj)", "    mapping = BY_KEY.get(kind)",
             "    if mapping is None:", "        mapping = by_key(kind)", "    if mapping:"]
    for by_key in (True, False):
        for index, (name, field) in enumerate(items):
            lines += [f"        {line}" for line in _field_lines(env, index, schema, name, field, by_key)]
        lines.append("        return out")
        if by_key:
            lines.append("    else:")
    if not items:
        lines += ["        pass", "    return out"]
    exec(compile("\n".join(lines), f"<dump plan of {type(schema).__name__}>", "exec"), env)  # noqa: S102 - our own source
    plan: Plan = env["plan"]
    _PLANS[id(schema)] = (schema, plan)
    return plan


class Dumper:
    """``schema.dump(obj)``, compiled (see the module docstring)."""

    __slots__ = ("schema", "_plan")

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._plan = _plan(schema)

    def dump(self, obj: Any) -> dict[str, Any]:
        return self._plan(obj)
