"""Declarative base, the shared ``db`` object and column types."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so that migrations behave the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class EncodedJson(sa.types.TypeDecorator[str]):
    """A value for a ``sa.JSON`` column given as JSON text already (bound as it is).

    For an insert on a hot path whose document was encoded once anyway; the column, its
    type and what reading it gives are unchanged.
    """

    impl = sa.JSON
    cache_ok = True

    def bind_processor(self, dialect: Any) -> None:
        return None


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware instant stored in UTC on every backend.

    SQLite has no timezone support, so values are normalised to UTC on the way in
    and marked as UTC on the way out.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a timezone-aware column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: Digits of a money column, and of them after the point: the API accepts no more than this.
MONEY_PRECISION, MONEY_SCALE = 12, 2
#: The largest amount a money column holds (9999999999.99).
MONEY_MAX = Decimal(10 ** (MONEY_PRECISION - MONEY_SCALE)) - Decimal(1).scaleb(-MONEY_SCALE)


def Money() -> sa.Numeric[Decimal]:  # noqa: N802 - reads like a type in column definitions
    """Money column: exact decimal with two places."""
    return sa.Numeric(MONEY_PRECISION, MONEY_SCALE, asdecimal=True)


def utcnow() -> datetime:
    """The current instant in UTC (used as a column default callable)."""
    return datetime.now(UTC)


def new_uuid() -> str:
    """A random UUID as text, for identifiers that are shown outside."""
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class TimestampMixin:
    """created_at/updated_at maintained by the database layer."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


def install_sqlite_listeners(engine: sa.Engine, writes: Callable[[], bool] | None = None) -> None:
    """SQLite as a server database (see ``_sqlite_pragmas``); nothing for other backends.

    ``writes`` tells whether the transaction about to begin is a unit that writes: such a
    transaction begins ``IMMEDIATE`` (it takes the write lock first and so waits its turn,
    ``busy_timeout``, instead of failing with "database is locked" when it upgrades from
    reading after another writer committed). Without it every transaction begins deferred.
    Installed on each engine by whoever creates it (the application factory, the version
    book), never globally.
    """
    if engine.dialect.name != "sqlite":
        return
    if not sa.event.contains(engine, "connect", _sqlite_pragmas):
        sa.event.listen(engine, "connect", _sqlite_pragmas)

        def begin(connection: sa.engine.Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writes is not None and writes() else "BEGIN")

        sa.event.listen(engine, "begin", begin)


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite as a server database: WAL (readers do not block the writer), fsync at
    checkpoints rather than every commit, foreign keys enforced, and a wait instead of
    an immediate "database is locked" when two processes write at once."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (see
    # install_sqlite_listeners): otherwise a SAVEPOINT opened before any other statement becomes
    # the outermost transaction and its RELEASE commits, breaking rollback.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


