"""Pooled database connections: checked on checkout without a round trip per request.

``pool_pre_ping`` sends one query on every checkout. Instead, a connection taken from the
pool is checked like this:

- **the server closed it or spoke while it was idle** — the socket is polled (no round
  trip). A terminated backend, a server shutdown or restart and an idle-session timeout
  all send an error and close the socket, which makes it readable; a readable socket
  gets a real ping, which also consumes anything harmless (a notice, a parameter
  change);
- **it was idle for more than ``IDLE_PING_SECONDS``** — it gets a real ping, since a
  network failure can leave nothing to read;
- **it is older than ``RECYCLE_SECONDS``** — the pool replaces it (``pool_recycle``).

A failed ping raises ``DisconnectionError``: the pool discards the connection and opens
a new one (up to three attempts), so the request never sees the dead one. A connection
that dies while it is in use fails that statement, as it would with a pre-ping, and
SQLAlchemy invalidates the pool's older connections. SQLite has no server: nothing is
installed there.

**A database that hangs** (reachable, but not answering) must not hang the service. Web
requests wait at most ``CANCELSVC_DB_TIMEOUT_SECONDS`` (default 5) for each of: a new
connection (libpq ``connect_timeout``), a connection from the pool (``pool_timeout``) and
a statement (``Deadlines``: a watchdog thread shuts the socket of a statement that ran
past its deadline down, so the blocked read fails at once and the pool drops that
connection). Each raises a SQLAlchemy error that ``cancelsvc.handlers`` answers with
``503 service.unavailable`` and ``Retry-After``. Work outside a request (jobs, imports,
migrations) gets the limit its command sets (``Deadlines.outside_requests``; none by
default). Nothing is kept broken: the next request opens a fresh connection.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import os
import select
import socket
import threading
import time
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy.exc import DisconnectionError

log = logging.getLogger(__name__)

#: Connections idle longer than this are pinged on checkout.
IDLE_PING_SECONDS = 10.0
#: Connections older than this are replaced on checkout.
RECYCLE_SECONDS = 1800

_IDLE_SINCE = "cancelsvc.idle_since"


def engine_options(url: str, timeout_seconds: float | None = None) -> dict[str, Any]:
    """``create_engine`` options for the database at ``url``: no SQL parameters in errors
    (nor in logs), recycling, and with
    ``timeout_seconds`` the connect and pool-checkout limits."""
    if url.startswith("sqlite"):
        return {"hide_parameters": True}
    options: dict[str, Any] = {"pool_recycle": RECYCLE_SECONDS, "hide_parameters": True}
    if timeout_seconds:
        options["pool_timeout"] = timeout_seconds
        options["connect_args"] = {"connect_timeout": max(1, math.ceil(timeout_seconds))}
    return options


#: Statement limits of the commands that work outside requests (``Deadlines.outside_requests``).
JOBS_STATEMENT_SECONDS = 120
IMPORT_STATEMENT_SECONDS = 1800


class Deadlines:
    """Statement deadlines of one application's engines (one watchdog thread per process).

    ``web_seconds`` applies to statements run while serving a request;
    ``outside_requests`` (``None``: no deadline) to the rest — a command sets it.
    """

    def __init__(self, web_seconds: float, outside_requests: float | None = None) -> None:
        self.web_seconds = web_seconds
        self.outside_requests = outside_requests

    def limit(self) -> float | None:
        """The deadline, in seconds, of a statement starting now."""
        return self.web_seconds if has_request_context() else self.outside_requests

    def install(self, engine: sa.Engine, *, always_web: bool = False) -> None:
        """Give every statement of ``engine`` its deadline (not on SQLite: no server, no socket);
        ``always_web``: the web limit even outside a request (the poll front's reads)."""
        if engine.dialect.name == "sqlite":
            return

        def started(conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any, many: bool) -> None:
            seconds = self.web_seconds if always_web else self.limit()
            if seconds:
                self.start(conn.connection.dbapi_connection, seconds)

        def ended(conn: Any, *args: Any) -> None:
            self.end(conn.connection.dbapi_connection)

        def failed(context: Any) -> None:
            connection = context.connection
            if connection is not None and not connection.closed:
                self.end(connection.connection.dbapi_connection)

        sa.event.listen(engine, "before_cursor_execute", started)
        sa.event.listen(engine, "after_cursor_execute", ended)
        sa.event.listen(engine, "handle_error", failed)

    def start(self, dbapi_connection: Any, seconds: float) -> None:
        """A statement starts on ``dbapi_connection``; it may run ``seconds``."""
        _WATCHDOG.start(dbapi_connection, seconds)

    def end(self, dbapi_connection: Any) -> None:
        """The statement on ``dbapi_connection`` ended (in time)."""
        _WATCHDOG.end(dbapi_connection)


class _Watchdog:
    """The running statements of this process and the thread that ends the overdue ones."""

    def __init__(self) -> None:
        self._running: dict[int, tuple[float, int]] = {}  # id(dbapi connection) -> (deadline, fd)
        self._queue: list[tuple[float, int, int]] = []  # (deadline, sequence, id)
        self._sequence = itertools.count()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._pid = 0

    def start(self, dbapi_connection: Any, seconds: float) -> None:
        try:
            fd = dbapi_connection.fileno()
        except Exception:  # noqa: BLE001 - a closed connection: the statement fails by itself
            return
        deadline = time.monotonic() + seconds
        key = id(dbapi_connection)
        sequence = next(self._sequence)
        with self._lock:
            self._running[key] = (deadline, fd)
            heapq.heappush(self._queue, (deadline, sequence, key))
            if self._thread is None or self._pid != os.getpid():
                self._pid = os.getpid()  # a forked worker starts its own
                self._thread = threading.Thread(target=self._watch, name="cancelsvc-db-deadlines", daemon=True)
                self._thread.start()
            elif self._queue[0][1] == sequence:
                # The earliest deadline now: the thread would sleep past it. Otherwise it
                # wakes by an earlier deadline anyway, so it is not woken for each statement.
                self._wake.notify()

    def end(self, dbapi_connection: Any) -> None:
        with self._lock:
            self._running.pop(id(dbapi_connection), None)

    def _watch(self) -> None:
        while True:
            overdue = []
            with self._lock:
                now = time.monotonic()
                # Drop the statements that ended, whatever their deadline, and end the
                # overdue ones; then sleep until the earliest deadline of one still running
                # (under load: about once per deadline period, not once per statement).
                while self._queue:
                    deadline, _, key = self._queue[0]
                    running = self._running.get(key)
                    if running is not None and running[0] == deadline:
                        if deadline > now:
                            break
                        overdue.append(self._running.pop(key)[1])
                    heapq.heappop(self._queue)
                if not overdue:
                    self._wake.wait(timeout=self._queue[0][0] - now if self._queue else None)
                    continue
            for fd in overdue:
                _shut_down(fd)


_WATCHDOG = _Watchdog()


def _shut_down(fd: int) -> None:
    """Shut the socket down: the read waiting on it fails, and its connection is dropped."""
    log.warning("database statement passed its deadline: its connection is closed")
    try:
        sock = socket.socket(fileno=os.dup(fd))
    except OSError:
        return  # already closed
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        sock.close()


def install_checks(engine: sa.Engine, deadlines: Deadlines | None = None) -> None:
    """Check connections of ``engine`` on checkout as described above (not on SQLite); the
    ping keeps the statement deadline of ``deadlines`` too."""
    if engine.dialect.name == "sqlite":
        return
    dialect = engine.dialect

    def checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None:
            return  # a new connection, just opened
        if not (time.monotonic() - idle_since > IDLE_PING_SECONDS or _readable(dbapi_connection)):
            return
        seconds = deadlines.limit() if deadlines is not None else None
        if seconds and deadlines is not None:
            deadlines.start(dbapi_connection, seconds)
        try:
            alive = _ping(dialect, dbapi_connection)
        finally:
            if deadlines is not None:
                deadlines.end(dbapi_connection)
        if not alive:
            raise DisconnectionError("connection closed by the server")

    sa.event.listen(engine, "checkin", checked_in)
    sa.event.listen(engine, "checkout", checked_out)


def _readable(dbapi_connection: Any) -> bool:
    """Whether the server sent something (or closed the socket) since the last query."""
    if getattr(dbapi_connection, "closed", False):
        return True
    try:
        fd = dbapi_connection.fileno()
    except Exception:  # noqa: BLE001 - a closed or broken connection has no socket
        return True
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    return bool(select.select([fd], [], [], 0)[0])


def _ping(dialect: sa.Dialect, dbapi_connection: Any) -> bool:
    """One round trip; any failure means the connection is unusable."""
    try:
        return bool(dialect.do_ping(dbapi_connection))
    except Exception:  # noqa: BLE001 - whatever the driver raises, the connection is replaced
        return False
