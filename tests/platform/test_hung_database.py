"""A hung database (reachable, not answering) gives 503 within the limit, /healthz stays
fast, and the service recovers by itself once the database answers again.

A TCP proxy in this test stands between the service and PostgreSQL and stops forwarding
(connections stay open, nothing gets through), as a hung server or a black-holed network
does; the shared PostgreSQL server itself is never touched.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import TEST_DATABASE_URL, bearer

pytestmark = pytest.mark.postgres_only


class StallingProxy:
    """Forwards TCP to ``target`` until ``stall()``; ``resume()`` lets the held bytes through."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.forwarding = threading.Event()
        self.forwarding.set()
        self.closed = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def stall(self) -> None:
        self.forwarding.clear()

    def resume(self) -> None:
        self.forwarding.set()

    def close(self) -> None:
        self.closed.set()
        self.listener.close()
        for sock in self.sockets:
            try:
                sock.close()
            except OSError:
                pass

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        while not self.closed.is_set():
            if not self.forwarding.wait(0.05):
                continue  # stalled: nothing is read, nothing is passed on
            try:
                if not select.select([source], [], [], 0.05)[0]:
                    continue
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
            except OSError:
                break
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.fixture
def proxy() -> Iterator[StallingProxy]:
    url = sa.make_url(TEST_DATABASE_URL)
    running = StallingProxy((url.host or "127.0.0.1", url.port or 5432))
    yield running
    running.close()


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def test_a_hung_database_is_503_in_time_and_recovers(make_app: Callable[..., Flask],
                                                      proxy: StallingProxy) -> None:
    make_app()  # the test database's own app: empties the tables afterwards
    url = sa.make_url(TEST_DATABASE_URL).set(host="127.0.0.1", port=proxy.port)
    app = make_app(DATABASE_URL=url.render_as_string(hide_password=False), CANCELSVC_POLL_FRONT="off")
    limit = app.extensions["cancelsvc"].settings.CANCELSVC_DB_TIMEOUT_SECONDS
    assert limit == 5  # the default is what is measured
    with app.app_context():
        from tests.factories import ApiKeyFactory

        key = ApiKeyFactory(scopes=["admin"]).clear
        from models import db

        db.session.commit()
    client = app.test_client()
    listing = "/api/v1/cancellations"
    assert client.get(listing, headers=bearer(key)).status_code == 200

    proxy.stall()
    answered, elapsed = _timed(lambda: client.get(listing, headers=bearer(key)))
    assert answered.status_code == 503, answered.get_data(as_text=True)
    assert answered.get_json()["code"] == "service.unavailable"
    assert int(answered.headers["Retry-After"]) > 0
    assert elapsed < limit + 2
    print(f"\nhung database: 503 after {elapsed:.2f} s (CANCELSVC_DB_TIMEOUT_SECONDS={limit})")
    health, health_elapsed = _timed(lambda: client.get("/healthz"))
    assert health.status_code == 200 and health_elapsed < 0.5
    ready, ready_elapsed = _timed(lambda: client.get("/readyz"))
    assert ready.status_code == 503 and ready_elapsed < limit + 2
    # New connections wait for the connect limit, not for ever.
    with app.app_context():
        from models import db

        db.engine.dispose()
    answered, elapsed = _timed(lambda: client.get(listing, headers=bearer(key)))
    assert answered.status_code == 503 and elapsed < limit + 2

    proxy.resume()
    recovered = [client.get(listing, headers=bearer(key)).status_code for _ in range(3)]
    assert recovered == [200, 200, 200]
