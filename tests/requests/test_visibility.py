"""Who sees which request: a request the caller may not see is a 404 like a missing one."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import bearer
from tests.factories import StaffUserFactory
from tests.requests.conftest import Api, console_login, customer_headers, make_line

MISSING = "00000000-0000-0000-0000-000000000000"


def _problem(response: Any) -> dict[str, Any]:
    body = response.get_json()
    body.pop("request_id", None)
    return body


@pytest.fixture
def mine(app: Any, api: Api) -> tuple[Any, dict[str, Any]]:
    line = make_line(store_code="HZ-001")
    return line, api.open_request(line, headers=customer_headers(line))


@pytest.mark.parametrize("path", ["", "/progress"], ids=["request", "progress"])
def test_another_customers_request_is_404_like_a_missing_one(app: Any, api: Api, mine: Any, path: str) -> None:
    _, doc = mine
    stranger = customer_headers(make_line())
    theirs = api.client.get(f"/api/v1/cancellations/{doc['id']}{path}", headers=stranger)
    missing = api.client.get(f"/api/v1/cancellations/{MISSING}{path}", headers=stranger)
    assert theirs.status_code == missing.status_code == 404
    assert _problem(theirs) == _problem(missing)
    assert _problem(theirs)["code"] == "cancellation.not_found"
    too_long = api.client.get(f"/api/v1/cancellations/{'x' * 200}{path}", headers=stranger)
    assert too_long.status_code == 404 and _problem(too_long) == _problem(missing)


def test_the_owner_and_system_keys_see_it(app: Any, api: Api, mine: Any) -> None:
    line, doc = mine
    own = api.get(doc["id"], headers=customer_headers(line))
    assert own.status_code == 200 and own.get_json()["msisdn"] == line.msisdn
    assert api.get(doc["id"]).status_code == 200


def test_reader_key_sees_but_cannot_write(app: Any, api: Api, api_key: Any, mine: Any) -> None:
    _, doc = mine
    reader = bearer(api_key("cancellations:read"))
    assert api.get(doc["id"], headers=reader).status_code == 200
    assert api.withdraw(doc["id"], headers=reader).status_code == 403
    assert api.get(doc["id"], headers=bearer(api_key("precheck"))).status_code == 403


@pytest.mark.parametrize(("role", "store", "status"), [
    ("clerk", "HZ-001", 200), ("supervisor", "HZ-001", 200), ("clerk", "SH-001", 404),
    ("supervisor", "SH-001", 404), ("admin", None, 200),
])
def test_staff_see_their_store(app: Any, api: Api, mine: Any, role: str, store: str | None, status: int) -> None:
    _, doc = mine
    user = StaffUserFactory(role=role, store_code=store)
    console_login(api.client, user.username)
    for path in ("", "/progress"):
        response = api.client.get(f"/api/v1/cancellations/{doc['id']}{path}")
        assert response.status_code == status
    if status == 404:
        missing = api.client.get(f"/api/v1/cancellations/{MISSING}")
        assert _problem(api.client.get(f"/api/v1/cancellations/{doc['id']}")) == _problem(missing)


def test_my_cancellations_lists_only_my_own(app: Any, api: Api) -> None:
    me, other = make_line(), make_line()
    second_line = make_line(customer=me.customer)
    first = api.open_request(me)
    api.withdraw(first["id"])
    again = api.open_request(me)
    on_second_line = api.open_request(second_line)
    theirs = api.open_request(other)
    response = api.client.get("/api/v1/customers/me/cancellations", headers=customer_headers(me))
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert {i["id"] for i in items} == {first["id"], again["id"], on_second_line["id"]}
    assert theirs["id"] not in {i["id"] for i in items}
    assert {i["state"] for i in items} == {"withdrawn", "in_progress"}
    assert all(i["msisdn"] in (me.msisdn, second_line.msisdn) for i in items)  # their own: unmasked
    listed = [i["submitted_at"] for i in items]
    assert listed == sorted(listed, reverse=True)  # newest first
    empty = api.client.get("/api/v1/customers/me/cancellations", headers=customer_headers(make_line()))
    assert empty.get_json() == {"items": []}


def test_my_cancellations_is_for_customers_only(app: Any, api: Api) -> None:
    assert api.client.get("/api/v1/customers/me/cancellations", headers=api.headers).status_code == 403
    assert api.client.get("/api/v1/customers/me/cancellations").status_code == 401
