"""Fixtures for the cancellation-request tests: lines to cancel, an API driver, a clock.

``api`` drives the HTTP API with one system key per role (``precheck`` +
``cancellations:*``, ``events:write``): ``api.open_request(account)`` runs a pre-check and
submits it, ``api.event(request_id, type, data)`` posts a back-office event. Time moves
with ``tick(now)`` (``cancelsvc.jobs.tick``): requests are submitted at the real current
time, and the jobs are run at a later ``now``. Tests marked ``postgres_only`` (real row
locks and concurrency) are skipped on SQLite.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient

from cancelsvc.jobs import TickReport, tick
from cancelsvc.services import services
from models import Account, CancellationRequest, db
from models.base import utcnow
from tests.conftest import TEST_DATABASE_URL, bearer
from tests.factories import (
    AccountFactory,
    BillFactory,
    ContractFactory,
    DeviceFactory,
    FamilyGroupFactory,
    ServiceFactory,
)

APP_SCOPES = ("precheck", "cancellations:read", "cancellations:write")
FAR_FUTURE = date(2099, 12, 31)
_keys = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "app_config(**overrides): configuration overrides for the test's app")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres_only") and not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")


def forget_staff_login() -> None:
    """The shared app context keeps ``g`` between requests: forget the last console user."""
    g.pop("_login_user", None)


@pytest.fixture
def app(make_app: Callable[..., Flask], request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The test's app; ``@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=1)`` configures it."""
    marker = request.node.get_closest_marker("app_config")
    app = make_app(**(marker.kwargs if marker else {}))
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.before_request(forget_staff_login)
    return app.test_client()


# --- Lines to cancel -------------------------------------------------------------------

def make_line(
    *,
    msisdn: str | None = None,
    contract: bool = False,
    bill: bool = False,
    device: bool = False,
    service: bool = False,
    third_party: bool = False,
    family: bool = False,
    installment: bool = False,
    prepaid_credit: str = "0.00",
    store_code: str = "HZ-001",
    **account: Any,
) -> Account:
    """An account with the holdings asked for; amounts are fixed so quotes are exact:
    contract fee 200.00 (fixed term), bill 128.00, installment 800.00, router 300.00."""
    fields: dict[str, Any] = {"prepaid_credit": Decimal(prepaid_credit), "store_code": store_code, **account}
    if msisdn:
        fields["msisdn"] = msisdn
    if family:
        group = FamilyGroupFactory()
        fields.update(family_group=group, family_role="primary")
    line = AccountFactory(**fields)
    if family:
        AccountFactory(family_group=line.family_group, family_role="member", store_code=store_code)
    if contract:
        ContractFactory(account=line, external_id=f"K-{line.id}", kind="fixed_term", start_date=date(2025, 1, 1),
                        end_date=FAR_FUTURE, monthly_commitment=Decimal("0.00"), fixed_penalty=Decimal("200.00"))
    if bill:
        BillFactory(account=line, period="2026-10", amount_due=Decimal("128.00"), amount_paid=Decimal("0.00"))
    if device:
        DeviceFactory(account=line, serial=f"ONT-{line.id}", replacement_value=Decimal("300.00"))
    if installment:
        DeviceFactory(account=line, serial=f"86000000000{line.id:04d}", kind="handset", ownership="installment",
                      replacement_value=Decimal("0.00"), installment_remaining=Decimal("800.00"))
    if service:
        ServiceFactory(account=line, code=f"VIP-{line.id}", provider="operator", monthly_fee=Decimal("9.90"),
                       auto_renew=False, renews_on=None)
    if third_party:
        ServiceFactory(account=line, code=f"MUSIC-{line.id}", name="音乐包", provider="third_party",
                       monthly_fee=Decimal("15.00"), auto_renew=False, renews_on=None)
    return line


def full_line(**overrides: Any) -> Account:
    """A line with one of everything: fee, bill, router, operator service, family primary."""
    options: dict[str, Any] = {"contract": True, "bill": True, "device": True, "service": True, "family": True}
    options.update(overrides)
    return make_line(**options)


@pytest.fixture
def line(app: Flask) -> Account:
    """A clean line: only the identity check stands between it and deactivation."""
    return make_line(msisdn="+8613800138000")


@pytest.fixture
def rich_line(app: Flask) -> Account:
    return full_line(msisdn="+8613800138000")


def race(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``n`` threads released together; their results (or exceptions)."""
    db.session.rollback()  # the test's own session holds nothing while the threads run
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(10)
            results[i] = work(i)
        except BaseException as error:  # reported by the assertion below
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return results


# --- The API driver ---------------------------------------------------------------------

def new_key() -> str:
    return f"key-{next(_keys)}-{uuid.uuid4().hex[:8]}"


class Api:
    """Short calls to the cancellation API with system keys (or other headers)."""

    def __init__(self, client: FlaskClient, app_key: str, events_key: str) -> None:
        self.client = client
        self.headers = bearer(app_key)
        self.events_headers = bearer(events_key)

    def _h(self, headers: dict[str, str] | None, lang: str | None = None) -> dict[str, str]:
        out = dict(self.headers if headers is None else headers)
        if lang:
            out["Accept-Language"] = lang
        return out

    def precheck(self, account: Account | str, channel: str = "app", effective_date: str = "asap",
                 headers: dict[str, str] | None = None) -> str:
        """Run a pre-check for the account and return its id."""
        ref = account if isinstance(account, str) else account.msisdn
        response = self.client.post("/api/v1/prechecks", json={"account": ref, "channel": channel,
                                                                "effective_date": effective_date},
                                    headers=self._h(headers))
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def submit(self, precheck_id: str, key: str | bool | None = None, headers: dict[str, str] | None = None,
               lang: str | None = None, **body: Any) -> Any:
        """``POST /cancellations``; a fresh Idempotency-Key unless one is given (``key=False``: none)."""
        hdrs = self._h(headers, lang)
        if key is not False:
            hdrs["Idempotency-Key"] = key or new_key()
        return self.client.post("/api/v1/cancellations", json={"precheck_id": precheck_id, **body}, headers=hdrs)

    def open_request(self, account: Account, channel: str = "app", headers: dict[str, str] | None = None,
                     **body: Any) -> dict[str, Any]:
        """Pre-check and submit; the 201 document."""
        response = self.submit(self.precheck(account, channel, headers=headers), headers=headers, **body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def event(self, request_id: str | None, type: str, data: dict[str, Any] | None = None,
              event_id: str | None = None, headers: dict[str, str] | None = None,
              occurred_at: dt.datetime | None = None, **target: Any) -> Any:
        body: dict[str, Any] = {
            "event_id": event_id or f"evt-{uuid.uuid4().hex}",
            "type": type,
            "occurred_at": (occurred_at or utcnow()).isoformat(),
            "data": data if data is not None else {},
        }
        if request_id is not None:
            body["cancellation_id"] = request_id
        body.update(target)
        return self.client.post("/api/v1/events", json=body,
                                headers=self.events_headers if headers is None else headers)

    def applied(self, request_id: str, type: str, data: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """Post an event that must be accepted; the 202 body."""
        response = self.event(request_id, type, data, **kw)
        assert response.status_code == 202, response.get_json()
        return response.get_json()

    def get(self, request_id: str, headers: dict[str, str] | None = None, lang: str | None = None,
            **extra: str) -> Any:
        return self.client.get(f"/api/v1/cancellations/{request_id}", headers={**self._h(headers, lang), **extra})

    def doc(self, request_id: str, lang: str | None = None) -> dict[str, Any]:
        response = self.get(request_id, lang=lang)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def progress(self, request_id: str, headers: dict[str, str] | None = None, lang: str | None = None,
                 **extra: str) -> Any:
        return self.client.get(f"/api/v1/cancellations/{request_id}/progress",
                               headers={**self._h(headers, lang), **extra})

    def withdraw(self, request_id: str, key: str | None = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(f"/api/v1/cancellations/{request_id}/withdraw",
                                headers={**self._h(headers), "Idempotency-Key": key or new_key()})

    def patch(self, request_id: str, item: str, body: dict[str, Any], if_match: str | None,
              headers: dict[str, str] | None = None) -> Any:
        hdrs = self._h(headers)
        if if_match is not None:
            hdrs["If-Match"] = if_match
        return self.client.patch(f"/api/v1/cancellations/{request_id}/checklist/{item}", json=body, headers=hdrs)

    def track(self, code: str, verify: str | None, lang: str | None = None, **extra: str) -> Any:
        headers = {**({"X-Verify-Code": verify} if verify is not None else {}), **extra}
        if lang:
            headers["Accept-Language"] = lang
        return self.client.get(f"/api/v1/track/{code}", headers=headers)

    def track_withdraw(self, code: str, verify: str) -> Any:
        return self.client.post(f"/api/v1/track/{code}/withdraw", headers={"X-Verify-Code": verify})


@pytest.fixture
def keys(api_key: Callable[..., str]) -> dict[str, str]:
    return {"app": api_key(*APP_SCOPES), "events": api_key("events:write")}


@pytest.fixture
def api(client: FlaskClient, keys: dict[str, str]) -> Api:
    return Api(client, keys["app"], keys["events"])


# --- Staff and customers ---------------------------------------------------------------

def console_login(client: FlaskClient, username: str, password: str = "correct horse battery") -> dict[str, str]:
    """Sign a staff user into the console; the headers for cookie-authenticated API writes."""
    page = client.get("/console/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/console/login", data={"username": username, "password": password, "csrf_token": csrf})
    assert response.status_code == 302, response.get_data(as_text=True)
    home = client.get("/console/").get_data(as_text=True)
    return {"X-CSRFToken": re.search(r'name="csrf-token" content="([^"]+)"', home).group(1)}


def console_csrf(client: FlaskClient) -> str:
    """The form token of the signed-in console user (from the page's meta tag)."""
    html = client.get("/console/").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def clerk(client: FlaskClient, app: Flask) -> dict[str, str]:
    """A clerk of HZ-001 signed in; the form token to post with."""
    from tests.factories import StaffUserFactory

    StaffUserFactory(username="hz", store_code="HZ-001")
    console_login(client, "hz")
    return {"csrf_token": console_csrf(client)}


def customer_headers(account: Account) -> dict[str, str]:
    from tests.test_auth import token

    return bearer(token(account.customer.external_id))


# --- Reading rows and moving time ----------------------------------------------------------

def fresh(request_id: str) -> CancellationRequest:
    """The request as committed (the test shares its session with the requests it makes)."""
    db.session.rollback()
    return db.session.execute(
        sa.select(CancellationRequest).where(CancellationRequest.id == request_id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def account_row(account_id: int) -> dict[str, Any]:
    """Everything withdrawal must give back: the account's columns, services and family."""
    from models import ValueAddedService

    db.session.rollback()
    row = db.session.execute(sa.select(Account.__table__).where(Account.id == account_id)).mappings().one()
    services = db.session.execute(
        sa.select(ValueAddedService.code, ValueAddedService.status).where(ValueAddedService.account_id == account_id)
        .order_by(ValueAddedService.code)
    ).all()
    return {**{k: v for k, v in row.items() if k != "updated_at"}, "services": [tuple(s) for s in services]}


def run_jobs(now: dt.datetime) -> TickReport:
    """One pass of every scheduled job at ``now``."""
    db.session.rollback()
    report = tick(now)
    assert report.ok, report.errors
    db.session.expire_all()
    return report


class Clock:
    """Jobs run at a chosen ``now``, and reads (progress derived at read time) see the same moment."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
        self.now: dt.datetime | None = None

    def at(self, now: dt.datetime) -> dt.datetime:
        from cancelsvc.requests import presenter

        self.now = now
        self._monkeypatch.setattr(presenter, "utcnow", lambda: now)
        return now

    def tick(self, now: dt.datetime) -> TickReport:
        """Move to ``now`` and run the jobs there."""
        return run_jobs(self.at(now))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def later(**delta: float) -> dt.datetime:
    return utcnow() + timedelta(**delta)


def node(doc: dict[str, Any], code: str) -> dict[str, Any]:
    """One node of a progress document (or of a request document's progress)."""
    progress = doc.get("progress", doc)
    return next(n for n in progress["nodes"] if n["code"] == code)


def item(doc: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in doc["checklist"] if i["code"] == code)


@contextmanager
def statements() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block (the engine's and the poll front's)."""
    from flask import current_app

    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    book = services(current_app).versions
    fetch = book._fetch

    def front_fetch(name: str, params: dict[str, Any]) -> Any:
        seen.append(book._sql[name].sql if book._sql else name)
        return fetch(name, params)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    book._fetch = front_fetch
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
        del book._fetch

