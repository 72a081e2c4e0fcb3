"""Visible wiring: the factory builds the services; importing the code does nothing."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from cancelsvc.config import Settings
from cancelsvc.jobs.registry import JobRegistry
from cancelsvc.precheck.loading import SnapshotLoader
from cancelsvc.risk.serving import RiskAssessor
from cancelsvc.services import Services, services, settings
from cancelsvc.workdays import WorkCalendar
from models import db
from models.base import _sqlite_pragmas

ROOT = Path(__file__).resolve().parents[1]


def test_the_services_object_holds_what_the_factory_built(app: Flask) -> None:
    built = services(app)
    assert isinstance(built, Services) and services() is built
    assert isinstance(built.settings, Settings) and settings() is built.settings
    assert isinstance(built.calendar, WorkCalendar)
    assert isinstance(built.snapshots, SnapshotLoader)
    assert isinstance(built.risk, RiskAssessor)
    assert isinstance(built.jobs, JobRegistry)
    assert [s.name for s in built.jobs.sweepers()] == [
        "cancellations.advance", "outbox.dispatch", "webhooks.deliver", "messages.inbound", "messages.sla", "messages.send",
        "idempotency.expire"]
    assert built.jobs.subscribers.handlers_for("cancellation.created")


def test_settings_come_from_the_services_object_not_app_config(make_app: Any) -> None:
    app = make_app(CANCELSVC_COOLING_OFF_HOURS="5", CANCELSVC_SLA_WORKING_DAYS="fees_settled=3")
    assert services(app).settings.CANCELSVC_COOLING_OFF_HOURS == 5
    assert services(app).sla_working_days == {"fees_settled": 3}
    assert not [key for key in app.config if key.startswith("CANCELSVC_")]


def test_no_code_reads_settings_from_app_config() -> None:
    pattern = re.compile(r"""config(\.get\(|\[)["']CANCELSVC_""")
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "cancelsvc").rglob("*.py")
                 if pattern.search(path.read_text())]
    assert offenders == []


def test_each_application_has_its_own_services(make_app: Any) -> None:
    first, second = make_app(), make_app(CANCELSVC_EXTRA_HOLIDAYS="2026-10-08")
    assert services(first) is not services(second)
    assert services(first).jobs is not services(second).jobs
    services(first).jobs.add(lambda now: 0, "test.only_first")
    assert "test.only_first" not in {s.name for s in services(second).jobs.sweepers()}


def test_listeners_are_per_engine_not_global(app: Flask) -> None:
    assert not sa.event.contains(sa.engine.Engine, "connect", _sqlite_pragmas)
    assert not sa.create_engine("sqlite://").dispatch.begin  # a new engine has no BEGIN listener
    if db.engine.dialect.name == "sqlite":
        assert sa.event.contains(db.engine, "connect", _sqlite_pragmas)
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    from cancelsvc.requests.versions import _forget_committed_rows

    assert not sa.event.contains(Session, "after_commit", _forget_committed_rows)
    assert sa.event.contains(db.session, "after_commit", _forget_committed_rows)


def test_importing_the_service_does_nothing() -> None:
    """Every module imported, no application: no listeners, no registrations, no hashing."""
    script = """
import importlib, pkgutil, sqlalchemy as sa
from sqlalchemy.orm import Session
import cancelsvc, models
for module in pkgutil.walk_packages(cancelsvc.__path__, "cancelsvc."):
    importlib.import_module(module.name)
from cancelsvc.auth.passwords import dummy_hash
from models.base import _sqlite_pragmas
from cancelsvc.requests.versions import _note_changed_rows
print(dummy_hash.cache_info().currsize,
      sa.event.contains(sa.engine.Engine, "connect", _sqlite_pragmas),
      sa.event.contains(Session, "after_flush", _note_changed_rows))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "False", "False"]
