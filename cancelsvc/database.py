"""Unit of work: one transaction per request or command, committed at the boundary."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from flask import Response, after_this_request, has_request_context, request

from models import db

P = ParamSpec("P")
R = TypeVar("R")


_WRITER: ContextVar[bool] = ContextVar("cancelsvc.writer", default=False)


@contextmanager
def writer() -> Iterator[None]:
    """The block's transactions read in order to write (a job unit): on SQLite each begins
    ``IMMEDIATE``, so it waits for another writer instead of failing when it upgrades."""
    token = _WRITER.set(True)
    try:
        yield
    finally:
        _WRITER.reset(token)


#: Methods whose requests only read: their transactions begin deferred (readers never wait).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def writes() -> bool:
    """Whether a transaction beginning now is a unit that writes: inside a ``writer`` block
    (a job unit) or serving a request whose method changes something (a pre-check, a
    submission, an event, a form), which reads first and then writes."""
    return _WRITER.get() or (has_request_context() and request.method not in READ_METHODS)


@contextmanager
def transaction() -> Iterator[None]:
    """Commit what the block did, or roll it all back if it raises (a write ``sending.send``
    left pending is awaited by the commit)."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def is_postgres() -> bool:
    """True when the bound database is PostgreSQL."""
    return db.engine.dialect.name == "postgresql"


def single_statement_writes(view: Callable[P, R]) -> Callable[P, R]:
    """For views whose only write is one statement: no ``BEGIN``/``COMMIT`` round trips.

    On PostgreSQL the request's connection runs in autocommit mode: each read is one
    statement (consistent in itself) and the single write commits as it executes — still
    all or nothing, since it is one statement. Put it above ``require`` so that the
    credential lookup runs that way too. SQLite (in-process, no round trips) keeps its
    transaction.
    """

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        statements_on_their_own()
        return view(*args, **kwargs)

    return wrapper


def statements_on_their_own() -> None:
    """On PostgreSQL, run the request's statements in autocommit mode from here on (before
    its first statement): no ``BEGIN``/``ROLLBACK`` round trips. For ``single_statement_writes``
    and for pages that only read: at READ COMMITTED each statement reads its own snapshot
    anyway, so a read-only page sees exactly what it saw inside a transaction."""
    if is_postgres() and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        if has_request_context():
            after_this_request(_give_back)


def _give_back(response: Response) -> Response:
    """The autocommit connection goes back to the pool (its isolation level reset) with the
    request, even where the session outlives it (an application context held open around
    several requests): whatever runs next begins a transaction of its own."""
    db.session.rollback()
    return response


@dataclass(frozen=True, slots=True)
class Compiled:
    """A statement compiled once for a dialect, run as the driver's SQL text.

    For statements run on every request: SQLAlchemy finds a statement's compiled form by
    its cache key, which it hashes (the statement's whole structure) on every execution.
    ``parameters`` gives what the driver takes: the statement's own literal values plus
    the ones given, named or in the compiled order.
    """

    sql: str
    fixed: dict[str, Any]
    order: tuple[str, ...] | None  # None: the driver takes named parameters

    @classmethod
    def of(cls, statement: sa.Select[Any], dialect: sa.Dialect) -> Compiled:
        compiled = statement.compile(dialect=dialect)
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        return cls(compiled.string, dict(compiled.params), order)

    def parameters(self, values: Mapping[str, Any]) -> Any:
        given = {**self.fixed, **values}
        return given if self.order is None else tuple(given[name] for name in self.order)
