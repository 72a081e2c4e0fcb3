"""Offsets of page-numbered lists (``page``/``page_size`` from flask-smorest's ``paginate``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

#: Beyond any real list; also keeps OFFSET within the database's 64-bit integers.
MAX_OFFSET = 10**9


def offset_of(page: int, page_size: int) -> int | None:
    """The OFFSET of ``page`` (1-based), or None when it lies past any list (the page is empty)."""
    offset = (page - 1) * page_size
    return offset if 0 <= offset <= MAX_OFFSET else None


def with_total(count: sa.Select[Any], rows: sa.Select[*tuple[Any, ...]]) -> sa.Select[*tuple[Any, ...]]:
    """``rows`` with one more column, ``total``: the value of ``count`` (uncorrelated, so the
    database computes it once per statement), to read a page and its list's size in one
    round trip (``counted_page``)."""
    return rows.add_columns(count.scalar_subquery().label("total"))


def counted_page(connection: sa.Connection, count: sa.Select[Any], rows: sa.Select[*tuple[Any, ...]],
                 values: Mapping[str, Any], page: int, page_size: int) -> tuple[Sequence[sa.Row[Any]], int]:
    """One page of ``rows`` (built by ``with_total``, with ``limit`` and ``offset``
    parameters) and the list's size. One statement when the page has rows; a page past the
    end has no row to carry the total, so ``count`` runs on its own then."""
    offset = offset_of(page, page_size)
    if offset is not None:
        found = connection.execute(rows, {**values, "limit": page_size, "offset": offset}).all()
        if found:
            return found, int(found[0].total)
    return [], int(connection.execute(count, values).scalar_one())
