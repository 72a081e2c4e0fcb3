"""The current version of a request and who presents a credential, from one read or from memory.

``VersionBook`` answers "which version and state is request R at, whose is it, and which
API key (or customer) is this?" with **one indexed statement** on an autocommit connection
of its own (no ``BEGIN``/``ROLLBACK``, no pre-ping). It reads facts only: whether the
caller may read the request is decided by the one visibility rule
(``customers.service.visible_to``), as for every other request. It also keeps the valid
API keys for ``auth.keys`` (with or without the poll front) and the signed-in staff users
for ``auth.sessions`` (the console loads its user on every page). On PostgreSQL it remembers the
answers and forgets each one the moment the database announces that its row changed
(``LISTEN cancelsvc_changes``, see ``models.notify``), so a repeated poll needs no round
trip at all:

- a background thread per process holds the listening connection; answers are kept only
  while it listens (when the connection drops, everything kept is forgotten and reads go
  to the database until it listens again);
- an answer read from the database is kept only if no change was announced while it was
  being read (a generation counter), so a late read never overwrites a newer change;
- every kept answer is also dropped after ``MAX_AGE`` seconds, whatever happens.

Notifications are sent when the changing transaction commits, before the writer hears
that it committed; every poll first applies the notifications that have arrived, and a
process also forgets at once the rows its own sessions commit. So a client that changed a
request and then polls sees the change.
"""

from __future__ import annotations

import json
import logging
import os
import select
import threading
import time
import weakref
from typing import Any, NamedTuple

import sqlalchemy as sa
from cachetools import LRUCache
from sqlalchemy.orm import Session

from cancelsvc.database import Compiled
from cancelsvc.pool import Deadlines, engine_options
from models import ApiKey, CancellationRequest, Customer
from models.base import install_sqlite_listeners
from models.notify import CHANNEL, WATCHED

log = logging.getLogger(__name__)

#: Seconds an answer is kept at most, even without a notification.
MAX_AGE = 300.0
#: Answers kept per process, per kind.
ENTRIES = 50_000
#: Seconds the listening connection waits to connect (then it retries).
CONNECT_TIMEOUT = 5
#: Never wait for a connection: with the pool busy the caller takes its usual path.
POOL = {"pool_size": 2, "max_overflow": 6, "pool_timeout": 0.05}


class Head(NamedTuple):
    """What a poll needs of a request (and the visibility rule of it)."""

    version: int
    state: str
    customer_id: int
    store_code: str | None


#: A valid API key: (key id, scopes).
KeyFacts = tuple[int, Any]


#: Every book of this process, told directly about rows this process commits.
_BOOKS: weakref.WeakSet[VersionBook] = weakref.WeakSet()
_CHANGED = "cancelsvc.changed_rows"


class VersionBook:
    """See the module docstring. Thread-safe; one per application."""

    def __init__(self, url: sa.URL, deadlines: Deadlines | None = None) -> None:
        self._url = url
        self._deadlines = deadlines
        self._notified = url.get_backend_name() == "postgresql"
        self._engine: sa.Engine | None = None
        self._sql: dict[str, Compiled] = {}
        self._lock = threading.Lock()
        self._requests: LRUCache[str, tuple[Head, float]] = LRUCache(ENTRIES)
        self._keys: LRUCache[str, tuple[Any, float]] = LRUCache(ENTRIES)
        self._customers: LRUCache[str, tuple[int, float]] = LRUCache(ENTRIES)
        self._staff: LRUCache[str, tuple[Any, float]] = LRUCache(ENTRIES)
        #: Each cache by the kind of row that changes it (the prefix of ``models.notify.WATCHED``).
        self._by_kind: dict[str, LRUCache[str, Any]] = {
            "r": self._requests, "k": self._keys, "c": self._customers, "s": self._staff}
        self._generation = 0
        self._listening = False
        self._listener_pid: int | None = None
        self._channel: Any = None  # the listening connection's libpq handle
        self._stopping = threading.Event()
        _BOOKS.add(self)

    @property
    def shares_database(self) -> bool:
        """Whether a connection of its own sees the application's data (not an in-memory SQLite)."""
        return not (self._url.get_backend_name() == "sqlite" and self._url.database in (None, "", ":memory:"))

    # -- answers ---------------------------------------------------------------------------

    def for_key(self, request_id: str, key_hash: str) -> tuple[Head, KeyFacts | None] | None:
        """The request's head (None: no such request) and the key, if it exists and is not revoked."""
        return self._head_and(request_id, "key", self._keys, key_hash,
                              lambda row: (int(row[0]), _scopes(row[1])) if row[0] is not None else None)

    def for_customer(self, request_id: str, sub: str) -> tuple[Head, int | None] | None:
        """The request's head (None: no such request) and the id of customer ``sub``, if known."""
        return self._head_and(request_id, "customer", self._customers, sub,
                              lambda row: int(row[0]) if row[0] is not None else None)

    def _head_and(self, request_id: str, statement: str, cache: LRUCache[str, Any], ref: str,
                  who: Any) -> tuple[Head, Any] | None:
        self._drain()
        head, known = self._kept(self._requests, request_id), self._kept(cache, ref)
        if head is not None and known is not None:
            return head, known
        generation = self.reading()
        row = self._fetch(statement, {"request_id": request_id, "ref": ref})
        if row is None:
            return None
        head, known = Head(int(row[0]), str(row[1]), int(row[2]), row[3]), who(row[4:])
        kept = [(self._requests, request_id, head)] + ([(cache, ref, known)] if known is not None else [])
        self._keep(generation, *kept)
        return head, known

    def known_key(self, key_hash: str) -> tuple[int, Any] | None:
        """(key id, scopes) of a valid API key, from memory only (None: read it yourself)."""
        self._drain()
        return self._kept(self._keys, key_hash)

    def remember_key(self, generation: int, key_hash: str, key_id: int, scopes: Any) -> None:
        """Keep a valid key read elsewhere (dropped if a change was announced since ``reading``)."""
        self._keep(generation, (self._keys, key_hash, (key_id, _scopes(scopes))))

    def known_staff(self, user_id: int) -> Any:
        """What ``remember_staff`` kept of an active staff user, from memory only (None: read it yourself)."""
        self._drain()
        return self._kept(self._staff, str(user_id))

    def remember_staff(self, generation: int, user_id: int, user: Any) -> None:
        """Keep an active staff user read elsewhere (dropped if a change was announced since ``reading``)."""
        self._keep(generation, (self._staff, str(user_id), user))

    def dispose(self) -> None:
        """Stop listening and close the connections (the app is going away)."""
        self._stopping.set()
        if self._engine is not None:
            self._engine.dispose()

    # -- memory ----------------------------------------------------------------------------

    def _kept(self, cache: LRUCache[str, Any], key: str) -> Any:
        if not self._listening:
            return None
        with self._lock:
            entry = cache.get(key)
        if entry is None or time.monotonic() - entry[1] >= MAX_AGE:
            return None
        return entry[0]

    def reading(self) -> int:
        """Call before reading something to keep: notes what has been announced so far."""
        if self._notified and self._listener_pid != os.getpid():
            self._start_listener()
        return self._generation

    def _keep(self, generation: int, *entries: tuple[LRUCache[str, Any], str, Any]) -> None:
        now = time.monotonic()
        with self._lock:
            # A change announced while we read may be newer than what we read: keep nothing.
            if not self._listening or generation != self._generation:
                return
            for cache, key, value in entries:
                cache[key] = (value, now)

    def forget(self, payload: str) -> None:
        """Drop what is kept about a changed row (``r:<id>``, ``k:<key hash>``, ``c:<sub>``,
        ``s:<staff user id>``; ``*``: all of a kind)."""
        with self._lock:
            self._forget_locked(payload)

    def _forget_locked(self, payload: str) -> None:
        kind, _, key = payload.partition(":")
        cache = self._by_kind.get(kind)
        self._generation += 1
        if cache is not None:
            if key == "*":
                cache.clear()
            else:
                cache.pop(key, None)

    def _forget_all(self, listening: bool) -> None:
        with self._lock:
            self._forget_all_locked(listening)

    def _forget_all_locked(self, listening: bool) -> None:
        self._generation += 1
        self._listening = listening
        for cache in self._by_kind.values():
            cache.clear()

    # -- PostgreSQL notifications ----------------------------------------------------------

    def _start_listener(self) -> None:
        with self._lock:
            if self._listener_pid == os.getpid() or self._stopping.is_set():
                return
            self._listener_pid = os.getpid()  # a forked worker starts its own
        thread = threading.Thread(target=self._listen, name="cancelsvc-version-book", daemon=True)
        thread.start()

    def _listen(self) -> None:
        import psycopg

        dsn = self._url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stopping.is_set():
            connection = None
            try:
                connection = psycopg.connect(dsn, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
                if not _announced(connection):
                    log.warning("version book: change triggers missing (run `db upgrade`); reading every time")
                    return
                connection.execute(f"LISTEN {CHANNEL}")
                with self._lock:
                    self._channel = connection.pgconn
                self._forget_all(listening=True)
                while not self._stopping.is_set():
                    readable, _, _ = select.select([connection.fileno()], [], [], 1.0)
                    if readable and not self._drain():
                        break
            except Exception:  # noqa: BLE001 - reconnect; meanwhile every read goes to the database
                log.warning("version book: not listening for changes, retrying", exc_info=True)
            finally:
                with self._lock:
                    self._channel = None
                self._forget_all(listening=False)
                if connection is not None:
                    connection.close()
            self._stopping.wait(1.0)

    def _drain(self) -> bool:
        """Apply the notifications that have arrived (never waits); False when the channel broke."""
        with self._lock:
            channel = self._channel
            if channel is None:
                return False
            try:
                channel.consume_input()
                while (note := channel.notifies()) is not None:
                    self._forget_locked(note.extra.decode())
            except Exception:  # noqa: BLE001 - the listener thread reconnects
                self._channel = None
                self._forget_all_locked(listening=False)
                return False
        return True

    # -- the one read ----------------------------------------------------------------------

    def _fetch(self, name: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
        try:
            engine = self._engine or self._start_engine()
            connection = engine.raw_connection()
        except Exception:  # noqa: BLE001 - no connection now: the caller takes its usual path
            log.debug("version book: no connection", exc_info=True)
            return None
        compiled = self._sql[name]
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(compiled.sql, compiled.parameters(params))
                return cursor.fetchone()
            finally:
                cursor.close()
        except Exception:  # noqa: BLE001 - a broken connection is dropped; the caller falls back
            log.debug("version book: read failed", exc_info=True)
            connection.invalidate()
            return None
        finally:
            connection.close()

    def _start_engine(self) -> sa.Engine:
        with self._lock:
            if self._engine is None:
                timeouts = engine_options(str(self._url), self._deadlines.web_seconds if self._deadlines else None)
                timeouts.pop("pool_timeout", None)  # the book never waits for a connection (POOL)
                engine = sa.create_engine(self._url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                                          **{**timeouts, **POOL})
                install_sqlite_listeners(engine)
                if self._deadlines is not None:
                    self._deadlines.install(engine, always_web=True)
                self._sql = {name: Compiled.of(statement, engine.dialect) for name, statement in _statements().items()}
                self._engine = engine
        return self._engine


def _announced(connection: Any) -> bool:
    """Whether every watched table has its change trigger (``models.notify``)."""
    names = [f"{table}_notify_change" for table in WATCHED]
    row = connection.execute("SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s)", (names,)).fetchone()
    return row is not None and row[0] == len(names)


def _scopes(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value  # SQLite returns JSON as text


def _statements() -> dict[str, sa.Select]:
    """The request and the credential's owner in one statement each (facts, no rule)."""
    requests, keys, customers = CancellationRequest.__table__, ApiKey.__table__, Customer.__table__
    r, k, c = requests.c, keys.c, customers.c
    request_id: sa.BindParameter[str] = sa.bindparam("request_id")
    ref: sa.BindParameter[str] = sa.bindparam("ref")
    head = (r.version, r.state, r.customer_id, r.store_code)
    return {
        # A revoked or unknown key joins nothing: the key columns are NULL.
        "key": sa.select(*head, k.id, k.scopes)
        .select_from(requests.outerjoin(keys, sa.and_(k.key_hash == ref, k.revoked_at.is_(None))))
        .where(r.id == request_id),
        "customer": sa.select(*head, c.id)
        .select_from(requests.outerjoin(customers, c.external_id == ref))
        .where(r.id == request_id),
    }


def watch_sessions(sessions: Any) -> None:
    """Tell the books of this process about the rows ``sessions`` commit (the application
    factory calls it with ``db.session``; installing twice is harmless)."""
    for name, listener in (("after_flush", _note_changed_rows), ("do_orm_execute", _note_bulk_changes),
                           ("after_commit", _forget_committed_rows), ("after_rollback", _drop_noted_rows)):
        if not sa.event.contains(sessions, name, listener):
            sa.event.listen(sessions, name, listener)


def _payload(instance: object) -> str | None:
    """What the database's trigger announces for this row (``models.notify.WATCHED``)."""
    watched = WATCHED.get(getattr(type(instance), "__tablename__", ""))
    if watched is None:
        return None
    prefix, column = watched
    return f"{prefix}{getattr(instance, column)}"


def _note_changed_rows(session: Session, _context: Any) -> None:
    """Rows this session changed (the same rows the database announces on commit)."""
    for instance in (*session.dirty, *session.deleted):
        payload = _payload(instance)
        if payload is not None:
            session.info.setdefault(_CHANGED, set()).add(payload)


def _note_bulk_changes(state: Any) -> None:
    """An UPDATE or DELETE statement names no rows here: forget the whole kind on commit."""
    if state.is_update or state.is_delete:
        mapper = state.bind_mapper
        watched = WATCHED.get(mapper.local_table.name) if mapper is not None else None
        if watched is not None:
            state.session.info.setdefault(_CHANGED, set()).add(f"{watched[0]}*")


def _forget_committed_rows(session: Session) -> None:
    # This process learns at once; the others when the notification arrives.
    for payload in session.info.pop(_CHANGED, ()):
        for book in list(_BOOKS):
            book.forget(payload)


def _drop_noted_rows(session: Session) -> None:
    session.info.pop(_CHANGED, None)
