"""`PATCH /api/v1/cancellations/{id}/checklist/{code}`: clerks tick off, supervisors waive."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import bearer
from tests.factories import StaffUserFactory
from tests.requests.conftest import Api, console_login, customer_headers, fresh, full_line, item, make_line, node


@pytest.fixture
def counter_request(app: Any, api: Api) -> dict[str, Any]:
    """A request made at the counter: the clerk checks the ID documents."""
    line = make_line(contract=True, bill=True)
    return api.open_request(line, channel="counter")


def _staff(api: Api, role: str = "clerk", store: str = "HZ-001") -> dict[str, str]:
    user = StaffUserFactory(role=role, store_code=store)
    return console_login(api.client, user.username)


def _etag(api: Api, rid: str, lang: str | None = None) -> str:
    return api.get(rid, lang=lang).headers["ETag"]


def test_clerk_marks_an_item_done(app: Any, api: Api, counter_request: dict[str, Any]) -> None:
    rid = counter_request["id"]
    clerk = _staff(api)
    tag = _etag(api, rid)
    response = api.patch(rid, "identity.documents", {"status": "done", "note": "身份证原件已核验"}, tag, headers=clerk)
    assert response.status_code == 200, response.get_json()
    doc = response.get_json()
    assert response.headers["ETag"] == f'"v{doc["version"]}.zh-CN"' != tag
    assert doc["version"] == counter_request["version"] + 1
    done = item(doc, "identity.documents")
    assert done["status"] == "done" and done["note"] == "身份证原件已核验" and done["done_at"]
    assert node(doc, "identity_verified")["status"] == "done"
    assert node(doc, "identity_verified")["events"][-1]["actor"] == "clerk"
    assert "****" in counter_request["msisdn"] and "****" not in doc["msisdn"]  # staff see the number
    # The new ETag is the current one.
    assert _etag(api, rid) == response.headers["ETag"]


def test_an_etag_of_another_language_names_the_same_version(app: Any, api: Api,
                                                            counter_request: dict[str, Any]) -> None:
    rid = counter_request["id"]
    clerk = _staff(api)
    tag = _etag(api, rid, lang="en")
    assert tag.endswith('.en"')
    assert api.patch(rid, "identity.documents", {"status": "done"}, tag, headers=clerk).status_code == 200


def test_stale_if_match_is_refused(app: Any, api: Api, counter_request: dict[str, Any]) -> None:
    rid = counter_request["id"]
    clerk = _staff(api)
    stale = _etag(api, rid)
    api.applied(rid, "payment.received", {"amount": {"amount": "128.00", "currency": "CNY"}})
    response = api.patch(rid, "identity.documents", {"status": "done"}, stale, headers=clerk)
    assert response.status_code == 412
    assert response.get_json()["code"] == "precondition.failed"
    assert item(api.doc(rid), "identity.documents")["status"] == "todo"


@pytest.mark.parametrize("header", ["*", "garbage", '"vx.zh-CN"', '"v\u00b2.zh-CN"', 'W/"C", W/""', '"v1.en", "v2.en"'])
def test_unusable_if_match_is_refused(app: Any, api: Api, counter_request: dict[str, Any], header: str) -> None:
    clerk = _staff(api)
    response = api.patch(counter_request["id"], "identity.documents", {"status": "done"}, header, headers=clerk)
    assert response.status_code == 412


def test_missing_if_match_is_required(app: Any, api: Api, counter_request: dict[str, Any]) -> None:
    clerk = _staff(api)
    response = api.patch(counter_request["id"], "identity.documents", {"status": "done"}, None, headers=clerk)
    assert response.status_code == 428
    assert response.get_json()["code"] == "precondition.required"


def test_clerk_cannot_waive(app: Any, api: Api, counter_request: dict[str, Any]) -> None:
    rid = counter_request["id"]
    clerk = _staff(api)
    response = api.patch(rid, "contract.early_termination", {"status": "waived", "note": "好客户"},
                         _etag(api, rid), headers=clerk)
    assert response.status_code == 403
    assert response.get_json()["code"] == "cancellation.waiver_needs_supervisor"
    assert item(api.doc(rid), "contract.early_termination")["status"] == "todo"


@pytest.mark.parametrize("who", ["system-key", "admin-key"])
def test_keys_cannot_waive(app: Any, api: Api, api_key: Any, counter_request: dict[str, Any], who: str) -> None:
    rid = counter_request["id"]
    headers = api.headers if who == "system-key" else bearer(api_key("admin"))
    response = api.patch(rid, "contract.early_termination", {"status": "waived", "note": "app says so"},
                         _etag(api, rid), headers=headers)
    assert response.status_code == 403
    assert response.get_json()["code"] == "cancellation.waiver_needs_supervisor"
    assert item(api.doc(rid), "contract.early_termination")["status"] == "todo"


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_may_waive(app: Any, api: Api, counter_request: dict[str, Any], role: str) -> None:
    rid = counter_request["id"]
    staff = _staff(api, role=role, store="HZ-001" if role == "supervisor" else None)
    response = api.patch(rid, "balance.settle", {"status": "waived", "note": "账单有误"}, _etag(api, rid), headers=staff)
    assert response.status_code == 200, response.get_json()
    assert item(response.get_json(), "balance.settle")["status"] == "waived"


def test_supervisor_waives_with_a_note(app: Any, api: Api, counter_request: dict[str, Any]) -> None:
    rid = counter_request["id"]
    supervisor = _staff(api, role="supervisor")
    before = api.doc(rid)["quoted"]
    fee = Decimal(item(api.doc(rid), "contract.early_termination")["amount"]["amount"])
    assert fee > 0 and Decimal(before["outstanding"]["amount"]) == Decimal(before["total"]["amount"])
    response = api.patch(rid, "contract.early_termination", {"status": "waived", "note": "网络覆盖问题，免收违约金"},
                         _etag(api, rid), headers=supervisor)
    assert response.status_code == 200, response.get_json()
    doc = response.get_json()
    waived = item(doc, "contract.early_termination")
    assert waived["status"] == "waived" and waived["note"] == "网络覆盖问题，免收违约金"
    assert node(doc, "fees_settled")["events"][-1]["actor"] == "supervisor"
    # The quote stays binding; what is still to pay no longer holds the waived fee.
    assert doc["quoted"]["total"] == before["total"]
    assert Decimal(doc["quoted"]["outstanding"]["amount"]) == Decimal(before["total"]["amount"]) - fee
    # A waived fee takes no payment: the balance alone settles the fees now.
    api.applied(rid, "payment.received", {"amount": {"amount": "128.00", "currency": "CNY"}})
    assert node(api.doc(rid), "fees_settled")["status"] == "done"


@pytest.mark.parametrize("note", [None, "", "   "])
def test_waiver_needs_a_note(app: Any, api: Api, counter_request: dict[str, Any], note: str | None) -> None:
    rid = counter_request["id"]
    supervisor = _staff(api, role="supervisor")
    body: dict[str, Any] = {"status": "waived"}
    if note is not None:
        body["note"] = note
    response = api.patch(rid, "contract.early_termination", body, _etag(api, rid), headers=supervisor)
    assert response.status_code == 422
    assert "note" in response.get_json()["errors"]


@pytest.mark.parametrize("body", [{"status": "todo"}, {"status": "done", "extra": 1}, {}])
def test_bad_patch_bodies(app: Any, api: Api, counter_request: dict[str, Any], body: dict[str, Any]) -> None:
    rid = counter_request["id"]
    response = api.patch(rid, "identity.documents", body, _etag(api, rid), headers=_staff(api))
    assert response.status_code == 422


def test_unknown_item(app: Any, api: Api, counter_request: dict[str, Any]) -> None:
    rid = counter_request["id"]
    response = api.patch(rid, "device.return", {"status": "done"}, _etag(api, rid), headers=_staff(api))
    assert response.status_code == 404 and response.get_json()["code"] == "cancellation.item_not_found"


def test_items_by_key_and_ambiguous_codes(app: Any, api: Api) -> None:
    line = make_line()
    from tests.factories import DeviceFactory

    DeviceFactory(account=line, serial="ONT-A")
    DeviceFactory(account=line, serial="ONT-B")
    rid = api.open_request(line)["id"]
    clerk = _staff(api)
    ambiguous = api.patch(rid, "device.return", {"status": "done"}, _etag(api, rid), headers=clerk)
    assert ambiguous.status_code == 422 and ambiguous.get_json()["code"] == "cancellation.item_ambiguous"
    assert "device.return:ONT-A" in ambiguous.get_json()["errors"]["code"][0]
    response = api.patch(rid, "device.return:ONT-A", {"status": "done"}, _etag(api, rid), headers=clerk)
    assert response.status_code == 200
    statuses = {i["key"]: i["status"] for i in response.get_json()["checklist"]}
    assert statuses["device.return:ONT-A"] == "done" and statuses["device.return:ONT-B"] == "todo"


def test_last_required_item_makes_the_request_ready(app: Any, api: Api) -> None:
    rid = api.open_request(make_line(), channel="counter")["id"]
    response = api.patch(rid, "identity.documents", {"status": "done"}, _etag(api, rid), headers=_staff(api))
    assert response.get_json()["state"] == "ready"


def test_patching_a_closed_request_is_a_conflict(app: Any, api: Api, counter_request: dict[str, Any]) -> None:
    rid = counter_request["id"]
    api.withdraw(rid)
    response = api.patch(rid, "identity.documents", {"status": "done"}, _etag(api, rid), headers=_staff(api))
    assert response.status_code == 409 and response.get_json()["code"] == "cancellation.closed"


def test_clerk_of_another_store_gets_404(app: Any, api: Api, counter_request: dict[str, Any]) -> None:
    rid = counter_request["id"]
    tag = _etag(api, rid)
    other = _staff(api, store="SH-001")
    response = api.patch(rid, "identity.documents", {"status": "done"}, tag, headers=other)
    assert response.status_code == 404 and response.get_json()["code"] == "cancellation.not_found"


def test_customers_and_readers_cannot_patch(app: Any, api: Api, api_key: Any) -> None:
    line = full_line()
    rid = api.open_request(line)["id"]
    tag = _etag(api, rid)
    assert api.patch(rid, "identity.video", {"status": "done"}, tag, headers=customer_headers(line)).status_code == 403
    reader = bearer(api_key("cancellations:read"))
    assert api.patch(rid, "identity.video", {"status": "done"}, tag, headers=reader).status_code == 403
    # A system key with the write scope may tick items off.
    assert api.patch(rid, "identity.video", {"status": "done"}, tag).status_code == 200
    assert fresh(rid).version == 2
