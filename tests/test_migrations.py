"""Migrations build the full schema from empty, on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from models import db
from models.notify import WATCHED
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A brand-new empty database of the kind under test."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    name = f"cancelsvc_migrate_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(TEST_DATABASE_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_from_empty_gives_the_full_schema(make_app: Any, empty_database_url: str) -> None:
    app = make_app(DATABASE_URL=empty_database_url)
    with app.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
            )
        assert diff == [], f"models and migrations differ: {diff}"
        if db.engine.dialect.name == "postgresql":  # every watched table announces its changes
            with db.engine.connect() as conn:
                triggers = set(conn.execute(sa.text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
            assert {f"{table}_notify_change" for table in WATCHED} <= triggers
        db.engine.dispose()
