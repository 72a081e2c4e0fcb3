"""Pooled connections are checked on checkout without a ping per request (cancelsvc.pool)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from cancelsvc import pool
from models import db
from tests.conftest import TEST_DATABASE_URL, bearer
from tests.factories import AccountFactory

postgres_only = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"), reason="needs PostgreSQL (set TEST_DATABASE_URL)"
)


class FakeConnection:
    """What ``_readable`` looks at: ``closed`` and ``fileno()``."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.closed = False

    def fileno(self) -> int:
        if self.sock.fileno() < 0:
            raise OSError("the connection is closed")
        return self.sock.fileno()


@pytest.fixture
def sockets() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, server = socket.socketpair()
    yield ours, server
    ours.close()
    server.close()


def test_a_quiet_socket_is_not_readable(sockets: tuple[socket.socket, socket.socket]) -> None:
    ours, _ = sockets
    assert not pool._readable(FakeConnection(ours))


def test_data_or_a_close_from_the_server_makes_it_readable(sockets: tuple[socket.socket, socket.socket]) -> None:
    ours, server = sockets
    server.sendall(b"E")  # an error message, say
    assert pool._readable(FakeConnection(ours))
    ours.recv(1)
    server.close()  # the server went away
    assert pool._readable(FakeConnection(ours))


def test_a_closed_connection_is_readable(sockets: tuple[socket.socket, socket.socket]) -> None:
    ours, _ = sockets
    connection = FakeConnection(ours)
    connection.closed = True
    assert pool._readable(connection)
    connection.closed = False
    ours.close()
    assert pool._readable(connection)


class CountingCondition:
    """A ``threading.Condition`` that counts ``notify`` calls (the watchdog's wake-ups)."""

    def __init__(self, condition: Any) -> None:
        self.condition = condition
        self.notified = 0

    def notify(self) -> None:
        self.notified += 1
        self.condition.notify()

    def wait(self, timeout: float | None = None) -> bool:
        return bool(self.condition.wait(timeout))


def _settle(check: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the watchdog did not act in time"
        time.sleep(0.01)


def test_the_watchdog_is_not_woken_for_each_statement(sockets: tuple[socket.socket, socket.socket]) -> None:
    watchdog = pool._Watchdog()
    wake = CountingCondition(watchdog._wake)
    watchdog._wake = wake  # type: ignore[assignment]
    connection = FakeConnection(sockets[0])
    for _ in range(200):  # one connection's statements, one after the other
        watchdog.start(connection, 1.5)
        watchdog.end(connection)
    # At most once: when the thread, just started, had already dropped the first statement.
    assert wake.notified <= 1
    # It wakes by the first deadline and drops every statement that ended.
    _settle(lambda: not watchdog._queue)
    assert sockets[1].send(b"x") == 1 and sockets[0].recv(1) == b"x"  # nothing was shut down


def test_the_watchdog_ends_an_overdue_statement_after_ended_ones(sockets: tuple[socket.socket, socket.socket]) -> None:
    watchdog = pool._Watchdog()
    ended, ended_peer = socket.socketpair()
    try:
        quick = FakeConnection(ended)
        for _ in range(50):  # ended statements ahead of it in the queue
            watchdog.start(quick, 0.05)
            watchdog.end(quick)
        watchdog.start(FakeConnection(sockets[0]), 0.2)
        started = time.monotonic()
        sockets[0].settimeout(5)
        assert sockets[0].recv(1) == b""  # the blocked read ends: the socket was shut down
        assert 0.15 < time.monotonic() - started < 2
        assert ended.send(b"x") == 1 and ended_peer.recv(1) == b"x"  # the ended ones were left alone
    finally:
        ended.close()
        ended_peer.close()


def test_an_earlier_deadline_wakes_the_watchdog(sockets: tuple[socket.socket, socket.socket]) -> None:
    watchdog = pool._Watchdog()
    other, peer = socket.socketpair()
    try:
        watchdog.start(FakeConnection(other), 60)  # the thread sleeps for a minute
        watchdog.start(FakeConnection(sockets[0]), 0.1)
        sockets[0].settimeout(5)
        assert sockets[0].recv(1) == b""
        assert peer.send(b"x") == 1 and other.recv(1) == b"x"  # the one with a minute left runs on
    finally:
        other.close()
        peer.close()


def test_engine_options() -> None:
    assert pool.engine_options("sqlite:///x.db") == {"hide_parameters": True}
    assert pool.engine_options("postgresql+psycopg://u@h/db") == {"pool_recycle": pool.RECYCLE_SECONDS,
                                                                  "hide_parameters": True}
    limited = pool.engine_options("postgresql+psycopg://u@h/db", 5)
    assert limited["pool_timeout"] == 5 and limited["connect_args"] == {"connect_timeout": 5}


def test_no_pre_ping(app: Any) -> None:
    assert not db.engine.pool._pre_ping


# --- PostgreSQL ---------------------------------------------------------------------------

@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    seen: list[bool] = []
    ping = pool._ping

    def counted(dialect: Any, dbapi_connection: Any) -> bool:
        seen.append(alive := ping(dialect, dbapi_connection))
        return alive

    monkeypatch.setattr(pool, "_ping", counted)
    return seen


def _precheck(client: Any, key: str, msisdn: str) -> int:
    response = client.post("/api/v1/prechecks", json={"account": msisdn, "channel": "app"}, headers=bearer(key))
    return response.status_code


def _backend_pid() -> int:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


@postgres_only
def test_busy_connections_are_not_pinged(client: Any, api_key: Any, pings: list[bool]) -> None:
    key, line = api_key("precheck"), AccountFactory()
    for _ in range(3):
        assert _precheck(client, key, line.msisdn) == 201
    assert pings == []


@postgres_only
def test_idle_connections_are_pinged(client: Any, api_key: Any, pings: list[bool],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    key, line = api_key("precheck"), AccountFactory()
    assert _precheck(client, key, line.msisdn) == 201
    monkeypatch.setattr(pool, "IDLE_PING_SECONDS", 0.0)
    time.sleep(0.01)
    assert _precheck(client, key, line.msisdn) == 201
    assert pings and all(pings)


@postgres_only
def test_a_connection_killed_by_the_server_is_replaced(client: Any, api_key: Any, pings: list[bool]) -> None:
    key, line = api_key("precheck"), AccountFactory()
    msisdn = line.msisdn
    db.session.remove()
    db.engine.dispose()  # one pooled connection from here on
    assert _precheck(client, key, msisdn) == 201
    victim = _backend_pid()
    killer = sa.create_engine(TEST_DATABASE_URL, poolclass=sa.pool.NullPool)
    try:
        with killer.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": victim}).scalar_one()
            deadline = time.monotonic() + 10
            while conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                               {"pid": victim}).scalar_one():
                assert time.monotonic() < deadline, "the backend did not exit"
                time.sleep(0.01)
    finally:
        killer.dispose()
    assert _precheck(client, key, msisdn) == 201  # no error: the dead connection was replaced on checkout
    assert pings == [False]
    assert _backend_pid() != victim
