"""Unit of work: one transaction per request or command, committed at the boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from models import db


@contextmanager
def transaction() -> Iterator[None]:
    """Commit what the block did, or roll it all back if it raises."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def is_postgres() -> bool:
    """True when the bound database is PostgreSQL."""
    return db.engine.dialect.name == "postgresql"
