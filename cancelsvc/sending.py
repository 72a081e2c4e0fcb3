"""A single-statement write sent now and awaited when the unit of work ends (PostgreSQL).

A pre-check's only write is one ``INSERT`` run in autocommit mode
(``database.single_statement_writes``). Waiting for it — the server's work and the WAL
flush of its commit, 0.5–1 ms — before building the response would wait for nothing the
response needs. ``send`` hands the statement to the server and returns at once; the
connection's commit (``database.transaction`` ending) awaits its result, so the answer
still leaves only once the row is committed, and a failed write still fails the request.
A statement run on the connection in between awaits it first (``before_cursor_execute``);
a rollback, or a connection given back with a write still pending, drains it (an error
of the write is logged then: the request is failing already).
Anywhere else (SQLite, or inside a transaction) ``send`` executes the statement at once.

The write goes as one query of the simple protocol (its own implicit transaction, like
any autocommit statement). SQLAlchemy processes its parameters as for any execution; the
``do_execute`` hook then binds them client-side with psycopg's ``ClientCursor.mogrify``
(libpq's quoting) instead of executing and waiting. Awaiting keeps the statement deadline
of ``cancelsvc.pool``: the watchdog shuts a hung connection's socket down, which fails
the wait, and the connection is invalidated.
"""

from __future__ import annotations

import logging
import select
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from cancelsvc.pool import Deadlines
from models import db

log = logging.getLogger(__name__)

#: The execution option that makes ``do_execute`` send instead of execute.
_SEND = "cancelsvc_send"
#: In the connection's ``info``: the SQL of the write sent and not yet awaited.
_PENDING = "cancelsvc.sent"


def send(statement: sa.Executable, values: Mapping[str, Any]) -> None:
    """Run ``statement`` (one write), awaiting its result when the unit of work ends."""
    connection = db.session.connection()
    autocommit = connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    if connection.dialect.name != "postgresql" or not autocommit:
        connection.execute(statement, values)
        return
    connection.execute(statement, values, execution_options={_SEND: True})


def install(engine: sa.Engine, deadlines: Deadlines) -> None:
    """Let ``send`` work on ``engine`` (PostgreSQL; nothing is installed on SQLite)."""
    if engine.dialect.name != "postgresql":
        return

    def do_execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool | None:
        if not context.execution_options.get(_SEND):
            return None
        from psycopg import ClientCursor

        raw = cursor.connection
        sql = ClientCursor(raw).mogrify(statement, parameters)
        raw.pgconn.send_query(sql.encode(raw.info.encoding))
        context.root_connection.info[_PENDING] = statement
        return True

    def before_cursor_execute(conn: sa.Connection, *args: Any) -> None:
        if _PENDING in conn.info:
            _await(conn, deadlines)

    def commit(conn: sa.Connection) -> None:
        if not conn.invalidated and _PENDING in conn.info:
            _await(conn, deadlines)

    def rollback(conn: sa.Connection) -> None:
        if not conn.invalidated and _PENDING in conn.info:
            try:
                _await(conn, deadlines)
            except sa.exc.DBAPIError as error:
                log.warning("a sent write failed after its request had failed: %s", type(error.orig).__name__)

    sa.event.listen(engine, "do_execute", do_execute)
    sa.event.listen(engine, "before_cursor_execute", before_cursor_execute)
    sa.event.listen(engine, "commit", commit)
    sa.event.listen(engine, "rollback", rollback)


def _await(connection: sa.Connection, deadlines: Deadlines | None) -> None:
    import psycopg

    statement = connection.info.pop(_PENDING)
    raw = connection.connection.dbapi_connection
    seconds = deadlines.limit() if deadlines is not None else None
    if seconds and deadlines is not None:
        deadlines.start(raw, seconds)
    try:
        error = _results(raw)
    except psycopg.OperationalError as lost:  # the server went away, or the deadline passed
        connection.invalidate(lost)
        raise sa.exc.OperationalError(statement, None, lost, connection_invalidated=True) from None
    finally:
        if seconds and deadlines is not None:
            deadlines.end(raw)
    if error is not None:
        raise sa.exc.DBAPIError.instance(statement, None, error, psycopg.Error, dialect=connection.dialect)


def _results(raw: Any) -> Exception | None:
    """Wait for the write's results on the psycopg connection ``raw``; the error it ended
    with, if any (a lost connection raises)."""
    from psycopg import errors, pq

    pgconn = raw.pgconn
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
    while True:
        pgconn.consume_input()
        if not pgconn.is_busy():
            break
        poller.poll()
    error: Exception | None = None
    while (result := pgconn.get_result()) is not None:
        if result.status == pq.ExecStatus.FATAL_ERROR and error is None:
            error = errors.error_from_result(result, encoding=raw.info.encoding)
    return error
