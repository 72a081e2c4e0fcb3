"""Behind reverse proxies: the real client and scheme (CANCELSVC_TRUSTED_PROXIES); Secure cookies."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, request

from cancelsvc.requests.codes import new_tracking_code
from tests.factories import StaffUserFactory

PER_CLIENT_LIMIT = 30


def _with_probe(app: Flask) -> Flask:
    app.add_url_rule("/_probe", "probe", lambda: f"{request.scheme} {request.remote_addr}")
    return app


def _guess(client: Any, forwarded_for: str) -> int:
    return int(client.get(f"/api/v1/track/{new_tracking_code()}", headers={"X-Verify-Code": "0000",
                                                             "X-Forwarded-For": forwarded_for}).status_code)


def test_without_trusted_proxies_forwarded_headers_are_ignored(make_app: Callable[..., Flask]) -> None:
    client = _with_probe(make_app()).test_client()
    seen = client.get("/_probe", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert seen.get_data(as_text=True) == "http 127.0.0.1"
    # Everyone behind the (untrusted) proxy is one client: forged addresses do not reset the limit.
    statuses = [_guess(client, f"198.51.100.{n}") for n in range(PER_CLIENT_LIMIT + 1)]
    assert statuses[-1] == 429


def test_one_trusted_proxy_gives_the_real_client_and_scheme(make_app: Callable[..., Flask]) -> None:
    client = _with_probe(make_app(CANCELSVC_TRUSTED_PROXIES="1")).test_client()
    seen = client.get("/_probe", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert seen.get_data(as_text=True) == "https 203.0.113.9"
    # Only the address the proxy itself added counts (the last one), not what the client wrote.
    seen = client.get("/_probe", headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.9"})
    assert seen.get_data(as_text=True) == "http 203.0.113.9"
    assert [_guess(client, "203.0.113.9") for _ in range(PER_CLIENT_LIMIT + 1)][-1] == 429
    assert _guess(client, "203.0.113.10") == 404  # another client behind the same proxy


@pytest.mark.parametrize(("overrides", "secure"), [
    ({}, True),
    ({"CANCELSVC_ENV": "development"}, False),
    ({"CANCELSVC_SECURE_COOKIES": "off"}, False),
    ({"CANCELSVC_ENV": "development", "CANCELSVC_SECURE_COOKIES": "on"}, True),
])
def test_console_cookies_are_secure_outside_development(make_app: Callable[..., Flask],
                                                        overrides: dict[str, str], secure: bool) -> None:
    app = make_app(**overrides)
    client = app.test_client()
    with app.app_context():
        StaffUserFactory(username="clerk1", password="correct horse battery")
    page = client.get("/console/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/console/login", data={"username": "clerk1", "password": "correct horse battery",
                                                   "csrf_token": csrf})
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all(("; Secure" in c) is secure for c in cookies), cookies
