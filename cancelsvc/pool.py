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
"""

from __future__ import annotations

import select
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DisconnectionError

#: Connections idle longer than this are pinged on checkout.
IDLE_PING_SECONDS = 10.0
#: Connections older than this are replaced on checkout.
RECYCLE_SECONDS = 1800

_IDLE_SINCE = "cancelsvc.idle_since"


def engine_options(url: str) -> dict[str, Any]:
    """``create_engine`` options for the database at ``url``."""
    return {} if url.startswith("sqlite") else {"pool_recycle": RECYCLE_SECONDS}


def install_checks(engine: sa.Engine) -> None:
    """Check connections of ``engine`` on checkout as described above (not on SQLite)."""
    if engine.dialect.name == "sqlite":
        return
    dialect = engine.dialect

    def checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None:
            return  # a new connection, just opened
        if (time.monotonic() - idle_since > IDLE_PING_SECONDS or _readable(dbapi_connection)) and not _ping(
            dialect, dbapi_connection
        ):
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
