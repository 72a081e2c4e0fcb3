"""Inputs that must never give a 500: each row is answered where every request passes
(the endpoint contract, the base schema, the URL converter, the shared fields)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient

from models import Account
from tests.conftest import bearer
from tests.requests.conftest import Api, fresh, new_key

DEEP = "[" * 1000 + "]" * 1000
NUL = "a\x00b"


def problem(response: Any) -> dict[str, Any]:
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


# --- JSON nested ~1000 deep ---------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/prechecks", "/api/v1/events", "/api/v1/cancellations",
                                  "/api/v1/webhooks"])
def test_deep_json_is_401_without_credentials(client: FlaskClient, path: str) -> None:
    response = client.post(path, data=DEEP, content_type="application/json")
    assert (response.status_code, problem(response)["code"]) == (401, "auth.unauthenticated")


@pytest.mark.parametrize("path", ["/api/v1/prechecks", "/api/v1/cancellations"])
def test_deep_json_is_malformed_with_credentials(api: Api, path: str) -> None:
    response = api.client.post(path, data=DEEP, content_type="application/json",
                               headers={**api.headers, "Idempotency-Key": new_key()})
    assert (response.status_code, problem(response)["code"]) == (400, "request.malformed_json")


def test_deep_json_in_an_event_is_malformed(api: Api) -> None:
    body = '{"event_id": "e", "type": "device.returned", "data": ' + "{\"a\": " * 40 + "1" + "}" * 40 + "}"
    response = api.client.post("/api/v1/events", data=body, content_type="application/json",
                               headers=api.events_headers)
    assert (response.status_code, problem(response)["code"]) == (400, "request.malformed_json")


# --- NUL characters -------------------------------------------------------------------------

def test_nul_in_a_path_id_is_404(api: Api, line: Account) -> None:
    request_id = api.open_request(line)["id"]
    for path in (f"/api/v1/cancellations/{request_id}{NUL}", f"/api/v1/cancellations/{NUL}/progress"):
        response = api.client.get(path, headers=api.headers)
        assert response.status_code == 404, path
    assert api.track(f"ABC{NUL}", "8000").status_code == 404
    assert api.client.delete(f"/api/v1/webhooks/{NUL}", headers=api.headers).status_code in (401, 403, 404)


def test_nul_in_submission_fields_names_them(api: Api, line: Account) -> None:
    response = api.submit(NUL, comment=f"moving {NUL}", contact={"email": None, "phone": NUL})
    body = problem(response)
    assert response.status_code == 422
    assert {"precheck_id", "comment", "contact.phone"} <= set(body["errors"]), body
    assert "NUL" in " ".join(body["errors"]["comment"]) or "\\u0000" in " ".join(body["errors"]["comment"])


@pytest.mark.parametrize(("overrides", "field"), [
    ({"event_id": NUL}, "event_id"),
    ({"cancellation_id": NUL}, "cancellation_id"),
    ({"type": "device.returned", "data": {"serial": NUL}}, "data.serial"),
    ({"type": "service.cancelled", "data": {"code": NUL}}, "data.code"),
    ({"type": "payment.received", "data": {"amount": {"amount": "1.00", "currency": "CNY"}, "reference": NUL}},
     "data.reference"),
])
def test_nul_in_an_event_names_the_field(api: Api, line: Account, overrides: dict[str, Any], field: str) -> None:
    request_id = api.open_request(line)["id"]
    body = {"event_id": "evt-nul", "type": "identity.verified", "occurred_at": "2026-11-23T10:00:00+08:00",
            "cancellation_id": request_id, "data": {"method": "id_card"}, **overrides}
    response = api.client.post("/api/v1/events", json=body, headers=api.events_headers)
    assert response.status_code == 422
    assert field in problem(response)["errors"]


def test_nul_in_a_webhook_names_the_field(client: FlaskClient, api_key: Any) -> None:
    response = client.post("/api/v1/webhooks", headers=bearer(api_key("admin")),
                           json={"url": f"https://crm.example.com/{NUL}", "secret": f"0123456789abcdef{NUL}",
                                 "event_types": ["cancellation.submitted"]})
    assert response.status_code == 422
    assert {"url", "secret"} <= set(problem(response)["errors"])


def test_nul_in_a_query_string_names_the_field(api: Api, api_key: Any) -> None:
    response = api.client.get("/api/v1/cancellations", query_string={"store": NUL},
                              headers=bearer(api_key("cancellations:read")))
    assert response.status_code == 422
    assert "store" in problem(response)["errors"]


def test_nul_in_a_precheck_account_names_it(api: Api) -> None:
    response = api.client.post("/api/v1/prechecks", json={"account": f"+86138{NUL}", "channel": "app"},
                               headers=api.headers)
    assert response.status_code == 422 and "account" in problem(response)["errors"]


# --- Money beyond the columns --------------------------------------------------------------

@pytest.mark.parametrize("amount", ["999999999999.99", "10000000000.00", "99999999999"])
def test_money_past_the_column_is_refused(api: Api, line: Account, amount: str) -> None:
    request_id = api.open_request(line)["id"]
    response = api.event(request_id, "payment.received", {"amount": {"amount": amount, "currency": "CNY"}})
    assert response.status_code == 422
    assert "data.amount" in problem(response)["errors"]


def test_payments_adding_up_past_the_column_are_refused(api: Api, line: Account) -> None:
    request_id = api.open_request(line)["id"]
    api.applied(request_id, "payment.received", {"amount": {"amount": "9999999999.99", "currency": "CNY"}})
    response = api.event(request_id, "payment.received", {"amount": {"amount": "0.01", "currency": "CNY"}})
    assert response.status_code == 422 and "data.amount" in problem(response)["errors"]
    assert str(fresh(request_id).paid_total) == "9999999999.99"


def test_refunds_adding_up_past_the_column_are_refused(api: Api, line: Account) -> None:
    request_id = api.open_request(line)["id"]
    api.applied(request_id, "refund.issued", {"amount": {"amount": "9999999999.99", "currency": "CNY"}})
    response = api.event(request_id, "refund.issued", {"amount": {"amount": "1.00", "currency": "CNY"}})
    assert response.status_code == 422 and "data.amount" in problem(response)["errors"]


def test_the_documented_amount_pattern_is_the_column() -> None:
    from cancelsvc.common.fields import Money

    pattern = Money().openapi_property()["properties"]["amount"]["pattern"]
    assert "{1,10}" in pattern and "{1,2}" in pattern


# --- Dates and instants outside a sane range ------------------------------------------------

@pytest.mark.parametrize("occurred_at", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                                         "1999-12-31T23:59:59+00:00", "2100-01-01T00:00:00+00:00"])
def test_instants_out_of_range_are_refused(api: Api, line: Account, occurred_at: str) -> None:
    request_id = api.open_request(line)["id"]
    body = {"event_id": "evt-range", "type": "identity.verified", "occurred_at": occurred_at,
            "cancellation_id": request_id, "data": {"method": "id_card"}}
    response = api.client.post("/api/v1/events", json=body, headers=api.events_headers)
    assert response.status_code == 422 and "occurred_at" in problem(response)["errors"]


def test_query_instants_out_of_range_are_refused(api: Api, api_key: Any) -> None:
    response = api.client.get("/api/v1/cancellations", query_string={"created_from": "0001-01-01T00:00:00+14:00"},
                              headers=bearer(api_key("cancellations:read")))
    assert response.status_code == 422 and "created_from" in problem(response)["errors"]


@pytest.mark.parametrize("effective_date", ["9999-12-31", "2100-01-01"])
def test_effective_dates_out_of_range_are_refused(api: Api, line: Account, effective_date: str) -> None:
    response = api.client.post("/api/v1/prechecks", headers=api.headers,
                               json={"account": line.msisdn, "channel": "app", "effective_date": effective_date})
    assert response.status_code == 422 and "effective_date" in problem(response)["errors"]


def test_a_far_effective_date_from_the_console_is_refused(app: Any, line: Account) -> None:
    from cancelsvc.auth.principal import Principal
    from cancelsvc.errors import Unprocessable
    from cancelsvc.precheck.service import run_precheck

    principal = Principal(kind="api_key", ref="1", scopes=frozenset({"admin"}))
    with pytest.raises(Unprocessable) as raised:
        run_precheck(principal, line.msisdn, "counter", __import__("datetime").date(9999, 12, 31))
    assert raised.value.errors and "effective_date" in raised.value.errors


def test_a_past_effective_date_is_reported_with_the_other_problems(api: Api, line: Account) -> None:
    response = api.client.post("/api/v1/prechecks", headers=api.headers,
                               json={"account": line.msisdn, "channel": "fax", "effective_date": "2001-01-01"})
    assert response.status_code == 422
    assert {"channel", "effective_date"} == set(problem(response)["errors"])


# --- Verify codes that are not ASCII digits ----------------------------------------------------

@pytest.mark.parametrize("verify", ["é", "８０００", "8000é", "\u0660\u0661\u0662\u0663"])
def test_odd_verify_codes_are_a_wrong_code_and_counted(api: Api, line: Account, verify: str) -> None:
    code = api.open_request(line)["tracking_code"]
    for _ in range(5):
        response = api.track(code, verify)
        assert (response.status_code, problem(response)["code"]) == (404, "tracking.not_found")
    assert api.track(code, "8000").status_code == 429  # the five odd codes counted


# --- Bodies: chunked past the limit, malformed on a body-less operation --------------------------

@pytest.mark.app_config(CANCELSVC_MAX_BODY="1024")
def test_a_chunked_body_past_the_limit_is_413(api: Api, line: Account) -> None:
    body = b'{"account": "' + b"1" * 4096 + b'", "channel": "app"}'
    response = api.client.post("/api/v1/prechecks", input_stream=io.BytesIO(body),
                               headers={**api.headers, "Content-Type": "application/json",
                                        "Transfer-Encoding": "chunked"},
                               environ_overrides={"wsgi.input_terminated": True})
    assert (response.status_code, problem(response)["code"]) == (413, "request.too_large")


@pytest.mark.app_config(CANCELSVC_MAX_BODY="1024")
def test_a_chunked_body_within_the_limit_is_read(api: Api, line: Account) -> None:
    body = b'{"account": "' + line.msisdn.encode() + b'", "channel": "app"}'
    response = api.client.post("/api/v1/prechecks", input_stream=io.BytesIO(body),
                               headers={**api.headers, "Content-Type": "application/json",
                                        "Transfer-Encoding": "chunked"},
                               environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("data", ["{bad", '{"a": ' * 40 + "1" + "}" * 40])
def test_a_malformed_body_does_not_withdraw(api: Api, line: Account, data: str) -> None:
    request_id = api.open_request(line)["id"]
    response = api.client.post(f"/api/v1/cancellations/{request_id}/withdraw", data=data,
                               content_type="application/json", headers={**api.headers, "Idempotency-Key": new_key()})
    assert (response.status_code, problem(response)["code"]) == (400, "request.malformed_json")
    assert fresh(request_id).state != "withdrawn"


def test_nul_in_a_console_form_is_an_error_of_the_field(client: FlaskClient) -> None:
    import re

    page = client.get("/console/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/console/login", data={"username": NUL, "password": "x", "csrf_token": csrf})
    assert response.status_code in (200, 422)
    assert "\\u0000" in response.get_data(as_text=True)


def test_nul_in_a_console_filter_is_422(client: FlaskClient) -> None:
    from tests.factories import StaffUserFactory
    from tests.requests.conftest import console_login

    StaffUserFactory(username="boss", role="admin", store_code=None)
    console_login(client, "boss")
    assert client.get("/console/", query_string={"store": "HZ-001"}).status_code == 200
    assert client.get("/console/", query_string={"store": NUL}).status_code == 422
