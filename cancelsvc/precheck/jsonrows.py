"""Rows as JSON inside one statement, on PostgreSQL and SQLite, and back to Python values.

``json_array`` builds one JSON array from column values (``json_build_array`` /
``json_array``); ``json_rows`` aggregates the rows of a child table into a JSON array of
such arrays, as a correlated scalar subquery:

- PostgreSQL: ``(SELECT json_agg(json_build_array(c1, …) ORDER BY o) FROM t WHERE …)``;
- SQLite: ``(SELECT json_group_array(json(r)) FROM (SELECT json_array(c1, …) AS r FROM t
  WHERE … ORDER BY o))``. SQLite before 3.44 has no ``ORDER BY`` inside an aggregate; an
  aggregate reads an ordered subquery in order, because SQLite never flattens a subquery
  with ``ORDER BY`` into an aggregate query.

Numeric values travel as text, so decimals stay exact; ``convert_row`` and ``RowsDecoder``
turn every value back into what the column's type gives (``Decimal`` at the column's
scale, ``date``, ``bool``: SQLite stores booleans as 0/1 and dates as ISO text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

T = TypeVar("T")
Convert = Callable[[Any], Any]
Converters = tuple[Convert | None, ...]


def json_array(dialect: str, values: Sequence[sa.ColumnElement[Any]]) -> sa.ColumnElement[Any]:
    """One JSON array of ``values``; values typed ``sa.JSON`` are embedded as JSON, not as text."""
    items = [_item(dialect, value) for value in values]
    if dialect == "postgresql":
        return sa.type_coerce(sa.func.json_build_array(*items), sa.JSON)
    if dialect == "sqlite":
        return sa.type_coerce(sa.func.json_array(*items), sa.JSON)
    raise NotImplementedError(f"JSON arrays are not implemented for {dialect}")


def json_rows(
    dialect: str,
    columns: Sequence[sa.ColumnElement[Any]],
    where: sa.ColumnElement[bool],
    order_by: sa.ColumnElement[Any],
    correlate: sa.FromClause,
) -> sa.ColumnElement[Any]:
    """The rows of ``columns`` matching ``where``, ordered by ``order_by``, as one JSON array.

    ``correlate`` is the enclosing statement's table that ``where`` refers to. No row
    gives NULL on PostgreSQL and ``[]`` on SQLite; ``RowsDecoder`` reads both as empty.
    """
    row = json_array(dialect, columns)
    if dialect == "postgresql":
        rows = sa.func.json_agg(aggregate_order_by(row, order_by))
        return sa.type_coerce(sa.select(rows).where(where).correlate(correlate).scalar_subquery(), sa.JSON)
    ordered = sa.select(row.label("r")).where(where).order_by(order_by).correlate(correlate).subquery()
    rows = sa.func.json_group_array(sa.func.json(ordered.c.r))
    return sa.type_coerce(sa.select(rows).correlate(correlate).scalar_subquery(), sa.JSON)


def as_text(dialect: str, document: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
    """A JSON value as its text, decoded by the caller (the driver would otherwise parse it)."""
    if dialect == "postgresql":
        return sa.cast(document, sa.Text)
    return sa.type_coerce(document, sa.Text)


def _item(dialect: str, value: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    if isinstance(value.type, sa.Numeric) and not isinstance(value.type, sa.Float):
        return sa.cast(value, sa.Text)
    if isinstance(value.type, sa.JSON) and dialect == "sqlite" and not _is_json_function(value):
        return sa.func.json(value)  # stored as text: embed it as JSON
    return value


def _is_json_function(value: sa.ColumnElement[Any]) -> bool:
    """``json_array`` results are JSON already (a subquery's result is not: SQLite loses the subtype)."""
    inner = getattr(value, "typed_expression", value)
    return isinstance(inner, sa.sql.functions.Function) and inner.name in ("json_array", "json")


def converters(types: Sequence[sa.types.TypeEngine[Any]]) -> Converters:
    """How each JSON value becomes what its column type gives (None: as is)."""
    return tuple(_converter(t) for t in types)


def convert_row(convert: Converters, row: Sequence[Any]) -> list[Any]:
    """``row`` with each non-null value converted."""
    return [v if (c is None or v is None) else c(v) for c, v in zip(convert, row, strict=True)]


class RowsDecoder(Generic[T]):
    """``make(*values)`` for every row of a decoded ``json_rows`` value, values typed as the columns."""

    __slots__ = ("_make", "_convert")

    def __init__(self, make: Callable[..., T], columns: Sequence[sa.ColumnElement[Any]]) -> None:
        self._make = make
        self._convert = converters([c.type for c in columns])

    def __call__(self, rows: Sequence[Sequence[Any]] | None) -> tuple[T, ...]:
        if not rows:
            return ()
        make, convert = self._make, self._convert
        return tuple(make(*convert_row(convert, row)) for row in rows)


def _converter(type_: sa.types.TypeEngine[Any]) -> Convert | None:
    if isinstance(type_, sa.Numeric) and not isinstance(type_, sa.Float):
        if not type_.asdecimal:
            return float
        if type_.scale is None:
            return Decimal
        exponent = Decimal(1).scaleb(-type_.scale)
        return lambda value: Decimal(value).quantize(exponent)
    if isinstance(type_, sa.Boolean):
        return bool
    if isinstance(type_, sa.DateTime):
        raise NotImplementedError("date-time columns are not carried in JSON rows")
    if isinstance(type_, sa.Date):
        return dt.date.fromisoformat
    return None
