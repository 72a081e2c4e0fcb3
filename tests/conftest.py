"""Shared fixtures: a fresh app per test on SQLite (default) or PostgreSQL.

Set ``TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``)
to run the whole suite against PostgreSQL. The schema is created once per session;
every table is emptied after each test, so tests may commit freely (and use threads).

Under pytest-xdist (``-n 2``) every worker has a database of its own: SQLite files live
in the worker's temporary directory, and on PostgreSQL worker ``gw0`` uses the database
``<name>_gw0`` next to the one named in ``TEST_DATABASE_URL`` (created when missing).
Redis (``TEST_REDIS_URL``) is shared with whoever else uses that db index, so every test
process writes only keys under its own prefix (``REDIS_PREFIX``) and deletes them at the end.

Every line the service logs during the suite (at INFO, access lines included) is scanned
for secrets after each test (``_no_secrets_in_logs``): a test whose logs show an API key,
a webhook secret, a bearer token, a link token, SQL parameters, a password, an identity
number or a full phone number fails. ``secrets_in(text)`` does the same for the logs of
the servers that tests start as subprocesses.
"""

from __future__ import annotations

import inspect
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings as hypothesis_settings

from cancelsvc import create_app
from cancelsvc import logs as service_logs
from cancelsvc.services import services
from models import db as _db

# "gw0", "gw1", ... in a pytest-xdist worker; empty in a plain run.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def worker_database_url(url: str, worker: str) -> str:
    """The database of one xdist worker: ``<name>_<worker>`` on the same server."""
    if not url or not worker or url.startswith("sqlite"):
        return url
    parsed = sa.make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


TEST_DATABASE_URL = worker_database_url(os.environ.get("TEST_DATABASE_URL", ""), WORKER)
JWT_SECRET = "test-jwt-secret-that-is-long-enough-for-hs256"
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

# Properties are judged by their examples, not by how fast a loaded machine runs them.
hypothesis_settings.register_profile("cancelsvc", deadline=None)
hypothesis_settings.load_profile("cancelsvc")
# Every Redis key or queue this test process makes starts with this (unique per process).
REDIS_PREFIX = f"cancelsvc_test_{WORKER or 'main'}_{uuid.uuid4().hex[:12]}"
_redis_used = False


#: What must never be in a log line (the service's own test secrets included).
SECRETS_IN_LOGS: dict[str, re.Pattern[str]] = {
    "API key": re.compile(r"csk_[A-Za-z0-9_\-]{20,}"),
    "webhook secret": re.compile(r"whsec_[A-Za-z0-9_\-]{20,}"),
    "bearer token (JWT)": re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\."),
    "link token": re.compile(r"[?&]k=[0-9A-Za-z]{6,}"),
    "SQL parameters": re.compile(r"\[parameters: |parameters: \{"),
    "password": re.compile(r"correct horse battery|test-secret-key|test-pii-key|" + re.escape(JWT_SECRET)),
    "identity number": re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])"),
    "full phone number": re.compile(r"(?<![0-9A-Za-z*])(?:\+?86[ -]?)?1[3-9][0-9]{9}(?![0-9A-Za-z])"),
}
#: The lines the service's log handler wrote in this test process (cleared after each test).
LOGGED: list[str] = []


def secrets_in(text: str) -> list[str]:
    """Which kinds of secret ``text`` shows, each with the offending line."""
    found = []
    for line in text.splitlines():
        found += [f"{kind}: {line[:300]}" for kind, pattern in SECRETS_IN_LOGS.items() if pattern.search(line)]
    return found


def _capture(handler: logging.Handler, record: logging.LogRecord) -> None:
    try:
        LOGGED.append(handler.format(record))
    except Exception:  # noqa: BLE001 - a record that cannot be formatted is not written either
        pass
    _write(handler, record)


_write = service_logs._AppHandler.emit
service_logs._AppHandler.emit = _capture  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _no_secrets_in_logs() -> Iterator[None]:
    LOGGED.clear()
    yield
    found = secrets_in("\n".join(LOGGED))
    LOGGED.clear()
    if found:
        pytest.fail("secrets in the service's log lines:\n" + "\n".join(found[:10]), pytrace=False)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the gettext catalogs when a .po changed (``make test`` does it too)."""
    from cancelsvc.texts.catalogs import compile_stale

    compile_stale()


def pytest_report_header() -> str:
    return f"database: {os.environ.get('TEST_DATABASE_URL') or 'sqlite (temporary file)'}"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the test database (make test's second, PostgreSQL pass: "
        "the others ran in the SQLite pass and would not differ)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _browser_tests(config, items)
    if not config.getoption("--database-tests-only"):
        return
    # A test uses the database when "database_url" is among its fixtures (directly or through
    # app, client, db, make_app, ...), when it is marked postgres_only, or (to be safe) when it
    # picks fixtures at run time through "request". Deselection happens after collection, so
    # every xdist worker still collects the same tests.
    def uses_database(item: pytest.Item) -> bool:
        if item.get_closest_marker("postgres_only") or "database_url" in getattr(item, "fixturenames", ()):
            return True
        function = getattr(item, "function", None)
        return function is None or "request" in inspect.signature(function).parameters

    keep = [item for item in items if uses_database(item)]
    dropped = [item for item in items if not uses_database(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def _browser_tests(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests under ``tests/browser`` are marked ``browser``; ``CANCELSVC_TEST_BROWSER=0`` leaves
    them out (``make test`` runs them once, in the PostgreSQL pass when there is one)."""
    browser_dir = Path(__file__).parent / "browser"
    for item in items:
        if browser_dir in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
    if os.environ.get("CANCELSVC_TEST_BROWSER") != "0":
        return
    kept = [i for i in items if not i.get_closest_marker("browser")]
    dropped = [i for i in items if i.get_closest_marker("browser")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _create_database_if_missing(url: str) -> None:
    """Create the worker's PostgreSQL database, connecting to the base one to do it."""
    parsed = sa.make_url(url)
    base = sa.make_url(os.environ["TEST_DATABASE_URL"])
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On CI (``CI=true``) a skipped browser test is a failure: they must really run there."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and os.environ.get("CI") == "true" and item.get_closest_marker("browser"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"browser tests must run on CI, but this one was skipped: {reason}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        if WORKER and TEST_DATABASE_URL.startswith("postgresql"):
            _create_database_if_missing(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def base_config(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "CANCELSVC_PII_KEY": "test-pii-key",
        "CANCELSVC_JWT_SECRET": JWT_SECRET,
        "CANCELSVC_JWT_PUBLIC_KEY": None,
        "CANCELSVC_MODEL_DIR": str(tmp_path_factory.mktemp("model") / "none"),
        "CANCELSVC_QUEUE_URL": None,
        "CANCELSVC_RATELIMIT_STORAGE": "memory://",
        "CANCELSVC_LOG_FORMAT": "text",
        "CANCELSVC_LOG_LEVEL": "INFO",  # every line is scanned for secrets (_no_secrets_in_logs)
        "CANCELSVC_EXTRA_HOLIDAYS": "",
        "RATELIMIT_KEY_PREFIX": REDIS_PREFIX,
    }


@pytest.fixture(scope="session")
def _schema(base_config: dict[str, Any]) -> Iterator[None]:
    app = create_app(base_config)
    with app.app_context():
        _db.drop_all()
        with _db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        _db.create_all()
        _db.engine.dispose()
    yield
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


def _empty_tables() -> None:
    tables = [t for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def make_app(base_config: dict[str, Any], _schema: None, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build extra apps with config overrides (all share the test database)."""
    apps: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        app = create_app({**base_config, **overrides})
        apps.append(app)
        return app

    yield factory
    emptied = False
    for app in apps:
        with app.app_context():
            _db.session.remove()
            if not emptied and services(app).settings.DATABASE_URL == base_config["DATABASE_URL"]:
                _empty_tables()
                emptied = True
            _db.engine.dispose()
        services(app).versions.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask) -> Any:
    """The Flask-SQLAlchemy object, bound to the test app."""
    return _db


@pytest.fixture
def api_key(app: Flask) -> Callable[..., str]:
    """Create an API key with the given scopes and return it in clear."""
    from tests.factories import ApiKeyFactory

    def make(*scopes: str) -> str:
        return ApiKeyFactory(scopes=list(scopes) or ["admin"]).clear

    return make


def bearer(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


@pytest.fixture
def redis_url() -> str:
    """The test Redis; unreachable Redis skips, except on CI where it fails."""
    import redis

    global _redis_used
    _redis_used = True
    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {TEST_REDIS_URL} is unreachable: {error}")
        pytest.skip(f"Redis at {TEST_REDIS_URL} is unreachable")
    return TEST_REDIS_URL


@pytest.fixture(scope="session", autouse=True)
def _redis_keys_removed() -> Iterator[None]:
    """Delete this process's Redis keys (only those under ``REDIS_PREFIX``) at the end."""
    yield
    if not _redis_used:
        return
    import redis

    try:
        client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1)
        for key in client.scan_iter(match=f"*{REDIS_PREFIX}*", count=500):
            client.delete(key)
    except redis.RedisError:
        pass  # unreachable Redis: the tests that needed it were skipped or failed
