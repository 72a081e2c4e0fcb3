"""Withdrawal gives the account back exactly as it was, whoever withdraws."""

from __future__ import annotations

from typing import Any

import pytest

from models import Account
from tests.factories import StaffUserFactory
from tests.requests.conftest import Api, account_row, console_login, customer_headers, fresh, full_line, node


def _cancel_some_things(api: Api, line: Account, rid: str) -> None:
    """Events that change the account: a subscription stopped, the family plan left."""
    api.applied(rid, "service.cancelled", {"code": f"VIP-{line.id}"})
    api.applied(rid, "service.cancelled", {"code": f"MUSIC-{line.id}"})
    api.applied(rid, "family.resolved")
    changed = account_row(line.id)
    assert changed["family_group_id"] is None and changed["family_role"] is None
    assert {status for _, status in changed["services"]} == {"cancelled"}


@pytest.fixture
def line(app: Any) -> Account:
    return full_line(third_party=True, prepaid_credit="35.50")


@pytest.mark.parametrize("who", ["customer", "clerk", "system"])
def test_withdrawal_restores_services_family_and_credit(app: Any, api: Api, line: Account, who: str) -> None:
    before = account_row(line.id)
    rid = api.open_request(line)["id"]
    _cancel_some_things(api, line, rid)
    if who == "customer":
        headers = customer_headers(line)
    elif who == "clerk":
        StaffUserFactory(username="li", role="clerk", store_code=line.store_code)
        headers = console_login(api.client, "li")
    else:
        headers = api.headers
    response = api.withdraw(rid, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "withdrawn"
    assert account_row(line.id) == before
    req = fresh(rid)
    assert req.closed_by == {"customer": "customer", "clerk": "clerk", "system": "operator"}[who]
    assert req.open_account_id is None and req.closed_at is not None


def test_public_withdrawal_during_cooling_off(app: Any, api: Api, line: Account) -> None:
    before = account_row(line.id)
    doc = api.open_request(line)
    _cancel_some_things(api, line, doc["id"])
    response = api.track_withdraw(doc["tracking_code"], line.msisdn[-4:])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["state"] == "withdrawn" and body["can_withdraw"] is False
    assert body["msisdn"] != line.msisdn and body["msisdn"].endswith(line.msisdn[-4:])
    assert node(body, "cooling_off")["events"][-1]["actor"] == "customer"
    assert account_row(line.id) == before
    assert fresh(doc["id"]).closed_by == "customer"
    # Withdrawing again through the link answers with the withdrawn request.
    again = api.track_withdraw(doc["tracking_code"], line.msisdn[-4:])
    assert again.status_code == 200 and again.get_json()["version"] == body["version"]


def test_public_withdrawal_needs_the_verify_code(app: Any, api: Api, line: Account) -> None:
    doc = api.open_request(line)
    wrong = api.track_withdraw(doc["tracking_code"], "0000" if line.msisdn[-4:] != "0000" else "1111")
    assert wrong.status_code == 404
    assert fresh(doc["id"]).state == "in_progress"


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0)
def test_public_withdrawal_after_cooling_off_is_a_conflict(app: Any, api: Api, line: Account) -> None:
    doc = api.open_request(line)
    response = api.track_withdraw(doc["tracking_code"], line.msisdn[-4:])
    assert response.status_code == 409
    assert response.get_json()["code"] == "cancellation.cooling_off_over"
    assert fresh(doc["id"]).state == "in_progress"
    public = api.track(doc["tracking_code"], line.msisdn[-4:]).get_json()
    assert public["can_withdraw"] is False
    # The customer signed in may still withdraw until the number is deactivated.
    assert api.withdraw(doc["id"], headers=customer_headers(line)).status_code == 200


def test_clerk_withdrawal_needs_csrf(app: Any, api: Api, line: Account) -> None:
    rid = api.open_request(line)["id"]
    StaffUserFactory(username="li", store_code=line.store_code)
    console_login(api.client, "li")
    response = api.withdraw(rid, headers={})
    assert response.status_code == 403 and response.get_json()["code"] == "auth.csrf"
    assert fresh(rid).state == "in_progress"


def test_withdrawal_needs_the_write_scope(app: Any, api: Api, api_key: Any, line: Account) -> None:
    from tests.conftest import bearer

    rid = api.open_request(line)["id"]
    response = api.withdraw(rid, headers=bearer(api_key("cancellations:read")))
    assert response.status_code == 403
    assert fresh(rid).state == "in_progress"


def test_another_customer_cannot_withdraw(app: Any, api: Api, line: Account) -> None:
    from tests.requests.conftest import make_line

    rid = api.open_request(line)["id"]
    stranger = make_line()
    response = api.withdraw(rid, headers=customer_headers(stranger))
    assert response.status_code == 404 and response.get_json()["code"] == "cancellation.not_found"
    assert fresh(rid).state == "in_progress"
