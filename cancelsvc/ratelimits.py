"""Rate limits: the limiter, and counters in a SQLite file shared by every process of one machine.

``RouteLimiter`` is Flask-Limiter's ``Limiter`` for an application whose limits are all
declared on their routes (failed tracking verifications, console sign-in): Flask-Limiter
also checks every request before routing, for default, application, blueprint and meta
limits; this service declares none, so that check (about a tenth of a tracking page's
time, with nothing to count) is skipped while there are none. A route's own limits are
checked by its decorator, as before.

``limits`` (under Flask-Limiter) keeps its counters in memory, Redis, Memcached or
MongoDB. ``memory://`` counts per process, so under ``make run``'s two gunicorn workers
each limit would allow twice what it says. This storage registers the ``sqlite`` scheme
with ``limits``: ``CANCELSVC_RATELIMIT_STORAGE=sqlite:///instance/ratelimits.db`` (the
default) gives all the processes of one machine the same counters, without a server to
run — as the embedded job queue does with ``instance/jobs.db``. Several machines share
Redis instead (``redis://…``).

Fixed windows (Flask-Limiter's default strategy): one row per limit key holds its count
and the instant its window ends. An increment is one ``INSERT … ON CONFLICT DO UPDATE …
RETURNING`` statement, atomic across processes (SQLite serialises writers; WAL lets
readers go on). Each thread of each process uses a connection of its own.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from flask_limiter import Limiter
from limits.storage import Storage

SCHEME = "sqlite"
_SCHEMA = "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)"
_INCR = (
    "INSERT INTO counters (key, count, expires) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN counters.expires <= :now THEN excluded.count ELSE counters.count + excluded.count END, "
    "expires = CASE WHEN counters.expires <= :now THEN excluded.expires ELSE counters.expires END "
    "RETURNING count"
)
#: Expired rows are deleted once every this many increments of a process.
_PURGE_EVERY = 1000


class RouteLimiter(Limiter):
    """``Limiter`` without the check before every request while no limit applies everywhere."""

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and not self.limits_everywhere():
            return
        super()._check_request_limit(callable_name, in_middleware)

    def limits_everywhere(self) -> bool:
        """Whether any limit is checked before routing: default, application, blueprint or meta."""
        manager = self.limit_manager
        return bool(manager._default_limits or manager._application_limits or manager._blueprint_limits
                    or self._meta_limits)


def storage_path(uri: str) -> Path:
    """``sqlite:////abs/path.db`` → ``/abs/path.db``; ``sqlite:///relative.db`` → ``relative.db``."""
    path = urlparse(uri).path[1:]
    if not path or path == ":memory:":
        raise ValueError(f"a SQLite rate-limit storage needs a file (for one process use memory://): {uri!r}")
    return Path(path)


class SQLiteStorage(Storage):
    """A ``limits`` storage on a SQLite file (fixed-window strategy)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = storage_path(uri)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._increments = 0
        self._connection().execute(_SCHEMA)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection (a new one after a fork: connections are not shared)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            conn = sqlite3.connect(self.path, timeout=5, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")  # counters, not records: speed over durability
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        conn = self._connection()
        count = conn.execute(_INCR, {"key": key, "amount": amount, "expires": now + expiry, "now": now}).fetchone()[0]
        self._increments += 1
        if self._increments % _PURGE_EVERY == 0:
            conn.execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return int(count)

    def get(self, key: str) -> int:
        row = self._connection().execute(
            "SELECT count FROM counters WHERE key = ? AND expires > ?", (key, time.time())
        ).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute(
            "SELECT expires FROM counters WHERE key = ? AND expires > ?", (key, time.time())
        ).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
