"""Staff lists: ``GET /cancellations`` (the queue's derived columns, filters, pagination),
``POST /customers/search`` and ``GET /customers/me/cancellations`` pages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import bearer
from tests.factories import StaffUserFactory
from tests.requests.conftest import Api, console_login, customer_headers, fresh, make_line


def _list(api: Api, headers: dict[str, str] | None = None, **query: Any) -> Any:
    return api.client.get("/api/v1/cancellations", query_string=query,
                          headers=api.headers if headers is None else headers)


def test_derived_queue_columns_follow_every_change(app: Any, api: Api) -> None:
    doc = api.open_request(make_line(contract=True, device=True))
    req = fresh(doc["id"])
    assert req.next_item == "identity.video" and req.waiting_on == "customer" and req.breached is False
    identity = next(n for n in doc["progress"]["nodes"] if n["code"] == "identity_verified")
    assert req.due_at.isoformat() == identity["due_at"]
    api.applied(doc["id"], "identity.verified", {"method": "video"})
    req = fresh(doc["id"])
    assert req.next_item.startswith("contract.early_termination") and req.waiting_on == "customer"
    api.applied(doc["id"], "payment.received", {"amount": {"amount": "200.00", "currency": "CNY"}})
    api.applied(doc["id"], "device.returned", {"serial": f"ONT-{req.account_id}"})
    req = fresh(doc["id"])
    assert req.state == "ready" and req.next_item is None and req.waiting_on == "operator"
    assert req.due_at is not None
    api.withdraw(doc["id"])
    req = fresh(doc["id"])
    assert req.state == "withdrawn" and req.due_at is None and req.next_item is None


def test_queue_is_sorted_by_due_date_paginated_and_filtered(app: Any, api: Api) -> None:
    ids = [api.open_request(make_line())["id"] for _ in range(3)]
    late = fresh(ids[1])
    late.breached = True
    from models import db

    db.session.commit()
    response = _list(api, open="true", page_size=2)
    assert response.status_code == 200
    assert json.loads(response.headers["X-Pagination"])["total"] == 3
    first = response.get_json()["items"]
    assert len(first) == 2
    due = [row["due_at"] for row in first]
    assert due == sorted(due)
    second = _list(api, open="true", page_size=2, page=2).get_json()["items"]
    assert {r["id"] for r in first + second} == set(ids)
    breached = _list(api, breached="true").get_json()["items"]
    assert [r["id"] for r in breached] == [ids[1]]
    row = breached[0]
    assert row["msisdn"].startswith("+86") and row["customer_name"] and row["next_item"] == "identity.video"
    assert row["waiting_on"] == "customer" and row["state"] == "in_progress"
    assert _list(api, waiting_on="operator").get_json()["items"] == []
    assert len(_list(api, state="in_progress").get_json()["items"]) == 3
    assert _list(api, state="completed").get_json()["items"] == []


def test_created_range_filters_and_must_be_in_order(app: Any, api: Api) -> None:
    doc = api.open_request(make_line())
    submitted = doc["submitted_at"]
    assert [r["id"] for r in _list(api, created_from=submitted).get_json()["items"]] == [doc["id"]]
    assert _list(api, created_to=submitted).get_json()["items"] == []
    bad = _list(api, created_from=submitted, created_to=submitted)
    assert bad.status_code == 422 and "created_to" in bad.get_json()["errors"]


@pytest.mark.parametrize(("query", "field"), [
    ({"state": "lost"}, "state"), ({"breached": "perhaps"}, "breached"), ({"waiting_on": "nobody"}, "waiting_on"),
    ({"created_from": "yesterday"}, "created_from"), ({"created_from": "2026-12-01T10:00:00"}, "created_from"),
    ({"page": "0"}, "page"), ({"page_size": "1000"}, "page_size"),
])
def test_bad_filters_are_listed_validation_problems(app: Any, api: Api, query: dict[str, str], field: str) -> None:
    response = _list(api, **query)
    assert response.status_code == 422
    assert field in response.get_json()["errors"], response.get_json()


def test_clerks_see_their_store_only_and_other_callers_are_refused(app: Any, api: Api, api_key: Any) -> None:
    line = make_line(store_code="HZ-001")
    mine = api.open_request(line)["id"]
    theirs = api.open_request(make_line(store_code="SH-001"))["id"]
    StaffUserFactory(username="hz", store_code="HZ-001")
    console_login(api.client, "hz")
    as_clerk = api.client.get("/api/v1/cancellations").get_json()["items"]
    assert [r["id"] for r in as_clerk] == [mine]
    assert api.client.get("/api/v1/cancellations?store=SH-001").get_json()["items"] == []
    # Bearer callers are judged by their credential alone (the cookie is ignored).
    assert [r["id"] for r in _list(api, store="SH-001").get_json()["items"]] == [theirs]
    assert _list(api, headers=bearer(api_key("precheck"))).status_code == 403
    assert _list(api, headers=customer_headers(line)).status_code == 403


def test_unauthenticated_list_is_401(client: Any, app: Any) -> None:
    assert client.get("/api/v1/cancellations?state=lost").status_code == 401


# --- Search ---------------------------------------------------------------------------------

def _search(api: Api, q: Any, headers: dict[str, str] | None = None) -> Any:
    return api.client.post("/api/v1/customers/search", json={"q": q}, headers=headers or api.admin)


@pytest.fixture
def admin_api(api: Api, api_key: Any) -> Api:
    api.admin = bearer(api_key("admin"))  # type: ignore[attr-defined]
    return api


def test_search_by_number_code_name_and_identity_document(app: Any, admin_api: Api) -> None:
    from tests.factories import CustomerFactory

    customer = CustomerFactory(name="张伟", id_number="110101199003071234")
    line = make_line(msisdn="+8613800138000", customer=customer)
    doc = admin_api.open_request(line)
    by_number = _search(admin_api, "138 0013 8000").get_json()["items"]
    assert by_number[0]["account_id"] == line.id and by_number[0]["matched"] == "msisdn"
    assert by_number[0]["tracking_code"] == doc["tracking_code"] and by_number[0]["request_id"] == doc["id"]
    by_code = _search(admin_api, doc["tracking_code"].lower()).get_json()["items"]
    assert by_code[0]["kind"] == "request" and by_code[0]["request_id"] == doc["id"]
    by_name = _search(admin_api, "张").get_json()["items"]
    assert line.id in {r["account_id"] for r in by_name}
    by_document = _search(admin_api, "110101199003071234").get_json()["items"]
    assert [r["account_id"] for r in by_document] == [line.id]
    assert "110101199003071234" not in json.dumps(by_document)
    assert _search(admin_api, "nobody-like-this").get_json()["items"] == []
    assert _search(admin_api, "%").get_json()["items"] == []


def test_search_is_for_staff_and_admin_keys_and_clerks_find_their_store(app: Any, admin_api: Api,
                                                                       api_key: Any) -> None:
    make_line(msisdn="+8613800138000", store_code="SH-001")
    mine = make_line(msisdn="+8613800138001", store_code="HZ-001")
    assert _search(admin_api, "x", headers=admin_api.headers).status_code == 403  # app key, no admin scope
    for bad in ("", "x" * 101, 5):
        response = _search(admin_api, bad)
        assert response.status_code == 422 and "q" in response.get_json()["errors"]
    StaffUserFactory(username="hz", store_code="HZ-001")
    csrf = console_login(admin_api.client, "hz")
    found = admin_api.client.post("/api/v1/customers/search", json={"q": "13800138000"}, headers=csrf)
    assert found.get_json()["items"] == []
    found = admin_api.client.post("/api/v1/customers/search", json={"q": "13800138001"}, headers=csrf)
    assert [r["account_id"] for r in found.get_json()["items"]] == [mine.id]
    no_csrf = admin_api.client.post("/api/v1/customers/search", json={"q": "13800138001"})
    assert no_csrf.status_code == 403 and no_csrf.get_json()["code"] == "auth.csrf"


# --- The customer's own list ------------------------------------------------------------------

def test_my_cancellations_paginate(app: Any, api: Api) -> None:
    line = make_line()
    first = api.open_request(line)["id"]
    api.withdraw(first)
    second = api.open_request(line)["id"]
    headers = customer_headers(line)
    page1 = api.client.get("/api/v1/customers/me/cancellations?page_size=1", headers=headers)
    assert page1.status_code == 200
    assert json.loads(page1.headers["X-Pagination"]) == {"total": 2, "total_pages": 2, "first_page": 1,
                                                         "last_page": 2, "page": 1, "next_page": 2}
    assert [r["id"] for r in page1.get_json()["items"]] == [second]
    page2 = api.client.get("/api/v1/customers/me/cancellations?page_size=1&page=2", headers=headers)
    assert [r["id"] for r in page2.get_json()["items"]] == [first]
    assert api.client.get("/api/v1/customers/me/cancellations?page=x", headers=headers).status_code == 422


def test_a_page_far_past_the_end_is_empty_not_an_error(app: Any, api: Api) -> None:
    line = make_line()
    api.open_request(line)
    huge = {"page": str(10**21), "page_size": "51"}
    for path, headers in (("/api/v1/cancellations", api.headers), ("/api/v1/calls", api.headers),
                          ("/api/v1/customers/me/cancellations", customer_headers(line))):
        response = api.client.get(path, query_string=huge, headers=headers)
        assert response.status_code == 200, (path, response.get_json())
        assert response.get_json()["items"] == []
        assert json.loads(response.headers["X-Pagination"])["total"] >= 0


def test_a_page_just_past_the_end_still_counts_the_list(app: Any, api: Api) -> None:
    for _ in range(2):
        api.open_request(make_line())
    for page, ids in (("2", 1), ("3", 0)):  # the total comes with the rows, or is counted when there are none
        response = api.client.get("/api/v1/cancellations", query_string={"page": page, "page_size": "1"},
                                  headers=api.headers)
        assert len(response.get_json()["items"]) == ids
        assert json.loads(response.headers["X-Pagination"])["total"] == 2
