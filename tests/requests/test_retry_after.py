"""``Retry-After`` only where waiting helps: 429, 503 and 409 ``idempotency.in_progress``."""

from __future__ import annotations

from typing import Any

from models import Account
from tests.requests.conftest import Api


def test_a_tracking_answer_carries_no_retry_after(api: Api, line: Account) -> None:
    code = api.open_request(line)["tracking_code"]
    found = api.track(code, line.msisdn[-4:])
    assert found.status_code == 200 and "Retry-After" not in found.headers
    wrong = api.track(code, "0000")
    assert wrong.status_code == 404 and "Retry-After" not in wrong.headers


def test_a_rate_limited_answer_says_how_long_the_window_still_runs(api: Api, line: Account) -> None:
    code = api.open_request(line)["tracking_code"]
    for _ in range(5):
        api.track(code, "0000")
    limited = api.track(code, "0000")
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 15 * 60 + 1
    assert limited.headers.getlist("Retry-After") == [limited.headers["Retry-After"]]


def test_other_answers_carry_no_retry_after(api: Api, line: Account, client: Any) -> None:
    doc = api.open_request(line)
    for response in (api.get(doc["id"]), api.progress(doc["id"]), client.get("/healthz"),
                     client.get("/api/v1/cancellations/nope", headers=api.headers)):
        assert "Retry-After" not in response.headers, response.status_code
