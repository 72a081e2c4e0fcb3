"""One transaction per request: a failure after a savepoint leaves nothing behind (both databases)."""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from cancelsvc.database import transaction, writer
from models import Store
from tests.factories import StoreFactory


def test_released_savepoint_is_rolled_back_with_its_transaction(app: Any, db: Any) -> None:
    with pytest.raises(RuntimeError), transaction():
        with db.session.begin_nested():
            db.session.add(StoreFactory.build(code="SP-1"))
            db.session.flush()
        raise RuntimeError("fails after the savepoint was released")
    db.session.expire_all()
    assert db.session.query(Store).filter_by(code="SP-1").count() == 0


def test_committed_transaction_keeps_its_savepoint_work(app: Any, db: Any) -> None:
    with transaction():
        with db.session.begin_nested():
            db.session.add(StoreFactory.build(code="SP-2"))
    db.session.expire_all()
    assert db.session.query(Store).filter_by(code="SP-2").count() == 1


#: The transaction boundaries: the only modules that may commit or roll back the session.
BOUNDARIES = {
    "cancelsvc/database.py",  # transaction()
    "cancelsvc/idempotency.py",  # @idempotent, the boundary of idempotent POSTs
    "cancelsvc/jobs/registry.py",  # run_sweeper ends whatever a sweeper left open
    "cancelsvc/ops/routes.py",  # /readyz ends its failed probe
}


def test_only_the_boundaries_commit_or_roll_back() -> None:
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = []
    for path in sorted((root / "cancelsvc").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("commit", "rollback") and name not in BOUNDARIES):
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == [], "services run in the caller's transaction; use a SAVEPOINT for races"


def _write_elsewhere(path: str) -> None:
    """Commit a row through a connection of its own that does not wait for the lock."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("INSERT INTO stores (code, name) VALUES (?, ?)", (f"EL-{uuid.uuid4().hex[:6]}", "elsewhere"))
    finally:
        other.close()


@pytest.mark.parametrize("unit", ["deferred read", "job unit", "POST request", "GET request"])
def test_a_unit_that_reads_then_writes_never_meets_a_locked_database(app: Any, db: Any, unit: str) -> None:
    """SQLite: a deferred transaction that read, then meets another writer's commit, cannot
    upgrade ("database is locked" at once); a job unit (``writer``) and a request whose method
    writes begin IMMEDIATE and hold the lock from their first statement, so the other writer
    waits for them instead. A GET stays deferred: readers never wait."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's locking")
    path = db.engine.url.database
    db.session.commit()
    context = {"deferred read": contextlib.nullcontext(), "job unit": writer(),
               "POST request": app.test_request_context("/", method="POST"),
               "GET request": app.test_request_context("/", method="GET")}[unit]
    immediate = unit in ("job unit", "POST request")
    with context:
        db.session.query(Store).count()  # the unit reads first
        if immediate:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                _write_elsewhere(path)  # the unit holds the write lock: the other writer would wait
        else:
            _write_elsewhere(path)
        db.session.add(StoreFactory.build(code="RW-1"))
        if immediate:
            db.session.commit()
        else:
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                db.session.commit()
            db.session.rollback()
