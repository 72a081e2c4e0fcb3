"""Page-numbered lists (``page``/``page_size`` from flask-smorest's ``paginate``): offsets,
and a page with the list's total read in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from models import db

#: The column of a page's rows that carries the total (``paged_ids``).
TOTAL = "list_total"

#: Beyond any real list; also keeps OFFSET within the database's 64-bit integers.
MAX_OFFSET = 10**9


def offset_of(page: int, page_size: int) -> int | None:
    """The OFFSET of ``page`` (1-based), or None when it lies past any list (the page is empty)."""
    offset = (page - 1) * page_size
    return offset if 0 <= offset <= MAX_OFFSET else None


def paged_ids(ids: sa.Select[Any], order: tuple[Any, ...], offset: int, page_size: int) -> sa.Subquery:
    """One page of ``ids`` in ``order``, each row with the list's total (``count(*) OVER ()``,
    counted before the page is cut): the page and its total in one statement."""
    return (ids.add_columns(sa.func.count().over().label(TOTAL)).order_by(*order)
            .limit(page_size).offset(offset).subquery())


def total_of(rows: Sequence[Any], ids: sa.Select[Any]) -> int:
    """The total read with ``rows``; counted apart only for a page past the end (no rows)."""
    if rows:
        return int(getattr(rows[0], TOTAL))
    return int(db.session.execute(sa.select(sa.func.count()).select_from(ids.subquery())).scalar_one())
