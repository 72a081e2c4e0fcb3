"""Fixtures for the notification tests: the request tests' API driver and clock, a sink per test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from models import Message, db
from tests.notifications.smsc import LocalSmsc
from tests.requests.conftest import api, client, clock, keys, pytest_configure, pytest_runtest_setup  # noqa: F401


@pytest.fixture
def smsc() -> Iterator[LocalSmsc]:
    """An SMSC speaking SMPP 3.4 on a free local port."""
    server = LocalSmsc()
    yield server
    server.stop()


@pytest.fixture
def app(make_app: Callable[..., Flask], request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The test's app with a sink of its own; ``@pytest.mark.app_config(...)`` configures it."""
    marker = request.node.get_closest_marker("app_config")
    overrides = {"CANCELSVC_MESSAGES_SINK": str(tmp_path / "messages.txt"), "CANCELSVC_QUIET_HOURS": "",
                 **(marker.kwargs if marker else {})}
    app = make_app(**overrides)
    with app.app_context():
        yield app


def messages(request_id: str | None = None) -> list[Message]:
    db.session.rollback()
    query = sa.select(Message).order_by(Message.created_at, Message.moment)
    if request_id is not None:
        query = query.where(Message.request_id == request_id)
    return list(db.session.execute(query).scalars())


def by_moment(request_id: str) -> dict[str, Message]:
    return {f"{m.moment}:{m.audience}": m for m in messages(request_id)}


def sink_text(app: Any) -> str:
    from cancelsvc.services import services

    path = Path(services(app).settings.CANCELSVC_MESSAGES_SINK)
    return path.read_text(encoding="utf-8") if path.exists() else ""


def quiet_now() -> str:
    """Quiet hours that cover the present moment in Shanghai (two hours from the last full hour)."""
    local = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
    return f"{local.hour:02d}:00-{(local.hour + 2) % 24:02d}:00"
