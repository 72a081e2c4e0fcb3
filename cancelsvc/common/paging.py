"""Offsets of page-numbered lists (``page``/``page_size`` from flask-smorest's ``paginate``)."""

from __future__ import annotations

#: Beyond any real list; also keeps OFFSET within the database's 64-bit integers.
MAX_OFFSET = 10**9


def offset_of(page: int, page_size: int) -> int | None:
    """The OFFSET of ``page`` (1-based), or None when it lies past any list (the page is empty)."""
    offset = (page - 1) * page_size
    return offset if 0 <= offset <= MAX_OFFSET else None
