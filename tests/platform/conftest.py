"""Fixtures for the platform tests: a local webhook receiver, subscribers, Redis, staff logins.

Tests marked ``postgres_only`` (real row locks and concurrency) are skipped on SQLite.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cancelsvc.services import services
from tests.conftest import TEST_DATABASE_URL


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres_only") and not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")


class Receiver:
    """A webhook receiver on 127.0.0.1: answers with scripted statuses (then 200)."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.requests: list[tuple[Message, bytes]] = []
        self.received = threading.Event()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/cancelsvc"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.requests.append((self.headers, body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                receiver.received.set()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def subscribe(app: Any) -> Iterator[Callable[..., Callable[..., Any]]]:
    """``subscribe(handler, *types)``: a temporary outbox subscriber, removed after the test."""
    registry = services(app).jobs.subscribers
    added: list[Callable[..., Any]] = []

    def add(handler: Callable[..., Any], *types: str) -> Callable[..., Any]:
        added.append(registry.subscribe(handler, *types))
        return handler

    yield add
    for handler in added:
        registry.unsubscribe(handler)



def login(client: Any, username: str, password: str = "correct horse battery") -> None:
    """Sign a staff user in through the console (session cookie)."""
    page = client.get("/console/login")
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
    assert csrf is not None
    response = client.post(
        "/console/login", data={"username": username, "password": password, "csrf_token": csrf.group(1)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
