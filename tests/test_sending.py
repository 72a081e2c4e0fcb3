"""A write sent now and awaited when the unit of work ends (cancelsvc.sending)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from cancelsvc.database import statements_on_their_own, transaction
from cancelsvc.sending import _PENDING, send
from models import db
from tests.conftest import TEST_DATABASE_URL

postgres_only = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"), reason="needs PostgreSQL (set TEST_DATABASE_URL)"
)

INSERT = sa.text("INSERT INTO sending_probe (id, note) VALUES (:id, :note)")


@pytest.fixture
def probe(app: Flask) -> Iterator[None]:
    with db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE sending_probe (id INTEGER PRIMARY KEY, note TEXT NOT NULL)"))
    yield
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE sending_probe"))


def _stored() -> list[tuple[int, str]]:
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text("SELECT id, note FROM sending_probe ORDER BY id"))]


def _pending() -> bool:
    return _PENDING in db.session.connection().info


@postgres_only
def test_a_sent_write_is_awaited_when_the_transaction_ends(probe: None) -> None:
    statements_on_their_own()
    with transaction():
        send(INSERT, {"id": 1, "note": "it's \\ quoted; -- 'fine'\n中文"})
        assert _pending()  # sent, not awaited: the block goes on meanwhile
    assert not _pending()
    assert _stored() == [(1, "it's \\ quoted; -- 'fine'\n中文")]


@postgres_only
def test_the_next_statement_awaits_a_sent_write_first(probe: None) -> None:
    statements_on_their_own()
    with transaction():
        send(INSERT, {"id": 1, "note": "a"})
        seen = db.session.execute(sa.text("SELECT note FROM sending_probe WHERE id = 1")).scalar()
        assert seen == "a" and not _pending()


@postgres_only
def test_a_failed_write_fails_the_transaction_and_the_connection_stays_usable(probe: None) -> None:
    statements_on_their_own()
    with transaction():
        send(INSERT, {"id": 1, "note": "a"})
    statements_on_their_own()
    with pytest.raises(sa.exc.IntegrityError), transaction():
        send(INSERT, {"id": 1, "note": "the same key again"})
    assert db.session.execute(sa.text("SELECT count(*) FROM sending_probe")).scalar() == 1


@postgres_only
def test_an_error_in_the_block_still_consumes_the_sent_write(probe: None) -> None:
    statements_on_their_own()
    with pytest.raises(ZeroDivisionError), transaction():
        send(INSERT, {"id": 1, "note": "a"})
        _ = 1 / 0
    # The write ran on its own, as any autocommit statement does; the connection is clean.
    assert _stored() == [(1, "a")]
    assert db.session.execute(sa.text("SELECT 1")).scalar() == 1


@postgres_only
def test_a_connection_given_back_with_a_write_pending_is_drained(probe: None) -> None:
    statements_on_their_own()
    send(INSERT, {"id": 1, "note": "a"})
    send_connection = db.session.connection().connection.dbapi_connection
    db.session.remove()  # back to the pool without awaiting
    for _ in range(3):
        with db.engine.connect() as conn:  # the same connection, reset and usable
            assert conn.execute(sa.text("SELECT count(*) FROM sending_probe")).scalar() == 1
    assert not send_connection.closed


@postgres_only
def test_a_sent_write_keeps_the_statement_deadline(make_app: Callable[..., Flask]) -> None:
    app = make_app(CANCELSVC_DB_TIMEOUT_SECONDS="1")
    with app.test_request_context("/", method="POST"):
        statements_on_their_own()
        started = time.monotonic()
        with pytest.raises(sa.exc.OperationalError) as raised, transaction():
            send(sa.text("SELECT pg_sleep(10)"), {})
        assert raised.value.connection_invalidated
        assert time.monotonic() - started < 4
        db.session.remove()
        assert db.session.execute(sa.text("SELECT 1")).scalar() == 1  # a fresh connection


def test_on_sqlite_or_in_a_transaction_it_runs_at_once(probe: None) -> None:
    with transaction():
        db.session.execute(sa.text("SELECT 1"))  # a transaction has begun
        send(INSERT, {"id": 1, "note": "a"})
        assert not _pending()
        assert db.session.execute(sa.text("SELECT note FROM sending_probe")).scalar() == "a"
    assert _stored() == [(1, "a")]
