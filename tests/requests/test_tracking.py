"""`GET /api/v1/track/{code}`: public progress with the number's last 4 digits, rate-limited."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from cancelsvc.requests.codes import new_tracking_code
from cancelsvc.requests.progress import NODES
from cancelsvc.requests.schemas import PublicProgressSchema
from cancelsvc.texts import render
from cancelsvc.tracking.service import PER_CLIENT, PER_CODE
from models import Account
from tests.conftest import bearer
from tests.requests.conftest import Api, full_line, make_line

MONEY = re.compile(r"¥|CN¥|CNY|(?<![\d:.])\d+\.\d\d(?!\d)")  # not the seconds of a timestamp
PER_CODE_LIMIT = int(PER_CODE.split()[0])
PER_CLIENT_LIMIT = int(PER_CLIENT.split()[0])


def _wrong(line: Account) -> str:
    return "0000" if line.msisdn[-4:] != "0000" else "1111"


def _problem(response: Any) -> dict[str, Any]:
    body = response.get_json()
    body.pop("request_id", None)  # differs by nature
    return body


@pytest.fixture
def tracked(app: Any, api: Api) -> tuple[Account, dict[str, Any]]:
    """A request with money on its timeline (payments, a fee) to make sure none of it shows."""
    line = full_line(third_party=True)
    doc = api.open_request(line)
    api.applied(doc["id"], "payment.received", {"amount": {"amount": "128.00", "currency": "CNY"}})
    api.applied(doc["id"], "identity.verified", {"method": "video"})
    return line, doc


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_public_progress(app: Any, api: Api, tracked: tuple[Account, dict[str, Any]], lang: str) -> None:
    line, doc = tracked
    response = api.track(doc["tracking_code"], line.msisdn[-4:], lang=lang)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["msisdn"] == f"+86 {line.msisdn[3:6]}****{line.msisdn[-4:]}"
    assert [n["code"] for n in body["nodes"]] == list(NODES)
    assert body["tracking_code"] == doc["tracking_code"] and body["state"] == "in_progress"
    assert body["eta"]["expected"] and body["can_withdraw"] is True
    text = response.get_data(as_text=True)
    assert '"amount"' not in text and "quoted" not in text and "refund_due" not in text
    assert not MONEY.search(text), MONEY.search(text)
    # The word may appear in an instruction ("Pay the amounts on your checklist"), never as money.
    instruction = render("node.fees_settled.action", lang)
    assert "amount" not in text.replace(instruction, "")
    customer = line.customer
    for secret in (customer.name, customer.email, customer.external_id, line.msisdn, line.msisdn[3:]):
        assert secret not in text
    payment = [e["message"] for n in body["nodes"] for e in n["events"]
               if e["message"] == render("timeline.payment_received.public", lang)]
    assert payment, "the payment line is shown without its amount"
    assert "—" not in text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["ETag"] == f'"v{body["version"]}.{lang}"'
    assert {"Accept-Language", "Authorization"} <= {v.strip() for v in response.headers["Vary"].split(",")}
    assert PublicProgressSchema().dump(body) == body


def test_codes_are_read_like_people_type_them(app: Any, api: Api, tracked: tuple[Account, dict[str, Any]]) -> None:
    line, doc = tracked
    code = doc["tracking_code"]
    messy = f"{code[:4]}-{code[4:8]} {code[8:]}".lower().replace("0", "o").replace("1", "l")
    assert api.track(messy, line.msisdn[-4:]).status_code == 200


def test_wrong_verify_code_and_unknown_code_look_alike(app: Any, api: Api,
                                                       tracked: tuple[Account, dict[str, Any]]) -> None:
    line, doc = tracked
    code = doc["tracking_code"]
    wrong = api.track(code, _wrong(line))
    unknown = api.track(new_tracking_code(), line.msisdn[-4:])
    mistyped = api.track(code[:-1] + ("0" if code[-1] != "0" else "1"), line.msisdn[-4:])
    missing = api.track(code, None)
    responses = [wrong, unknown, mistyped, missing]
    assert {r.status_code for r in responses} == {404}
    assert all(_problem(r) == _problem(wrong) for r in responses)
    assert _problem(wrong)["code"] == "tracking.not_found"
    assert {r.headers["Content-Type"] for r in responses} == {"application/problem+json"}


def test_not_modified_for_the_public_page(app: Any, api: Api, tracked: tuple[Account, dict[str, Any]]) -> None:
    line, doc = tracked
    first = api.track(doc["tracking_code"], line.msisdn[-4:])
    again = api.track(doc["tracking_code"], line.msisdn[-4:], **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    other_language = api.track(doc["tracking_code"], line.msisdn[-4:], lang="en",
                               **{"If-None-Match": first.headers["ETag"]})
    assert other_language.status_code == 200


def test_failed_verifications_are_limited_per_code(app: Any, api: Api,
                                                   tracked: tuple[Account, dict[str, Any]]) -> None:
    line, doc = tracked
    code = doc["tracking_code"]
    for _ in range(PER_CODE_LIMIT):
        assert api.track(code, _wrong(line)).status_code == 404
    limited = api.track(code, _wrong(line))
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.get_json()["code"] == "rate_limited"
    # The code is locked for everyone for a while, the right digits included …
    assert api.track(code, line.msisdn[-4:]).status_code == 429
    assert api.track_withdraw(code, line.msisdn[-4:]).status_code == 429
    # Guessing through the withdrawal link costs the same: the counters are shared.
    second = make_line()
    second_doc = api.open_request(second)
    for n in range(PER_CODE_LIMIT):
        guess = api.track_withdraw if n % 2 else api.track
        assert guess(second_doc["tracking_code"], _wrong(second)).status_code == 404
    assert api.track_withdraw(second_doc["tracking_code"], second.msisdn[-4:]).status_code == 429
    assert api.track(second_doc["tracking_code"], second.msisdn[-4:]).status_code == 429
    # … while other codes are not.
    other = make_line()
    other_doc = api.open_request(other)
    assert api.track(other_doc["tracking_code"], other.msisdn[-4:]).status_code == 200


def test_successful_verifications_are_not_limited(app: Any, api: Api,
                                                  tracked: tuple[Account, dict[str, Any]]) -> None:
    line, doc = tracked
    for _ in range(PER_CODE_LIMIT * 3):
        assert api.track(doc["tracking_code"], line.msisdn[-4:]).status_code == 200


def test_failed_verifications_are_limited_per_client(app: Any, api: Api,
                                                     tracked: tuple[Account, dict[str, Any]]) -> None:
    line, doc = tracked
    for _ in range(PER_CLIENT_LIMIT):
        assert api.track(new_tracking_code(), "1234").status_code == 404
    limited = api.track(new_tracking_code(), "1234")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    # Another client is not affected.
    elsewhere = api.client.get(f"/api/v1/track/{doc['tracking_code']}",
                               headers={"X-Verify-Code": line.msisdn[-4:]},
                               environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert elsewhere.status_code == 200


def test_rate_limits_on_redis(make_app: Callable[..., Flask], redis_url: str) -> None:
    """Several processes share the limits through Redis (unique codes and client address)."""
    app = make_app(CANCELSVC_RATELIMIT_STORAGE=redis_url)
    client = app.test_client()
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    environ = {"REMOTE_ADDR": address}
    code = new_tracking_code()
    statuses = [client.get(f"/api/v1/track/{code}", headers={"X-Verify-Code": "1234"}, environ_base=environ)
                .status_code for _ in range(PER_CODE_LIMIT + 1)]
    assert statuses == [404] * PER_CODE_LIMIT + [429]
    # A second app (another process) sees the same counters.
    other = make_app(CANCELSVC_RATELIMIT_STORAGE=redis_url).test_client()
    again = other.get(f"/api/v1/track/{code}", headers={"X-Verify-Code": "1234"}, environ_base=environ)
    assert again.status_code == 429 and int(again.headers["Retry-After"]) > 0
    import redis

    keys = redis.Redis.from_url(redis_url).keys(f"*{code}*")
    assert keys, "the per-code counter lives in Redis"


def test_tracking_is_public(app: Any, api: Api, tracked: tuple[Account, dict[str, Any]], api_key: Any) -> None:
    line, doc = tracked
    # Credentials change nothing: the page is the same for everyone.
    with_key = api.track(doc["tracking_code"], line.msisdn[-4:], **bearer(api_key("admin")))
    assert with_key.status_code == 200 and "****" in with_key.get_json()["msisdn"]
