"""`POST /api/v1/cancellations`: from a fresh pre-check to a tracked request."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from cancelsvc.requests import codes
from cancelsvc.requests.progress import NODES
from models import CancellationRequest, ChecklistEntry, Contract, Precheck, db
from models.base import utcnow
from tests.conftest import bearer
from tests.requests.conftest import Api, customer_headers, fresh, full_line, item, make_line, node


def _count() -> int:
    db.session.rollback()
    return db.session.execute(sa.select(sa.func.count()).select_from(CancellationRequest)).scalar_one()


def test_created_with_tracking_code_checklist_and_progress(app: Any, api: Api) -> None:
    line = make_line()
    precheck = api.precheck(line)
    response = api.submit(precheck, reason="moving", comment="新工作在上海")
    assert response.status_code == 201, response.get_json()
    doc = response.get_json()
    assert response.headers["Location"] == f"/api/v1/cancellations/{doc['id']}"
    assert response.headers["ETag"] == f'"v{doc["version"]}.zh-CN"'
    code = doc["tracking_code"]
    assert len(code) == 12 and codes.normalise(code) == code
    assert codes.normalise(code.lower()) == code
    assert doc["state"] == "in_progress" and doc["version"] == 1
    assert doc["precheck_id"] == precheck and doc["account_id"] == line.id
    assert (doc["reason"], doc["comment"]) == ("moving", "新工作在上海")
    assert doc["msisdn"] == line.msisdn[:3] + " " + line.msisdn[3:6] + "****" + line.msisdn[-4:]  # a key: masked
    assert [i["code"] for i in doc["checklist"]] == ["identity.video", "number.bindings"]
    progress = doc["progress"]
    assert [n["code"] for n in progress["nodes"]] == list(NODES)
    assert [n["seq"] for n in progress["nodes"]] == list(range(1, 11))
    statuses = {n["code"]: n["status"] for n in progress["nodes"]}
    assert statuses == {
        "submitted": "done", "identity_verified": "in_progress", "fees_settled": "skipped",
        "services_cancelled": "skipped", "devices_returned": "skipped", "family_resolved": "skipped",
        "cooling_off": "in_progress", "deactivated": "pending", "refund_issued": "skipped", "follow_up": "pending",
    }
    assert progress["tracking_code"] == code and progress["version"] == 1
    assert progress["withdraw_until"] == doc["withdraw_until"] and progress["can_withdraw"] is True
    assert all(progress["eta"][k] for k in ("expected", "earliest", "latest"))
    assert progress["eta"]["revised_reason"] is None
    identity = node(doc, "identity_verified")
    assert identity["waiting_on"] == "customer"
    assert identity["required_action"]["checklist"] == ["identity.video"]
    assert node(doc, "submitted")["events"][0]["message"]


def test_withdraw_until_is_the_configured_cooling_off(app: Any, api: Api) -> None:
    import datetime as dt

    doc = api.open_request(make_line())
    submitted = dt.datetime.fromisoformat(doc["submitted_at"])
    assert dt.datetime.fromisoformat(doc["withdraw_until"]) - submitted == timedelta(hours=72)


def test_quoted_amounts_and_checklist_of_a_full_line(app: Any, api: Api) -> None:
    line = full_line(installment=True, third_party=True)
    doc = api.open_request(line)
    quoted = doc["quoted"]
    # fee 200 + bill 128 + installment 800; the router's replacement value is owed only if it is kept.
    assert quoted["total"] == {"amount": "1128.00", "currency": "CNY"}
    assert quoted["paid"]["amount"] == "0.00" and quoted["outstanding"]["amount"] == "1128.00"
    codes_ = [i["code"] for i in doc["checklist"]]
    assert codes_[0] == "identity.video" and codes_[-1] == "number.bindings"
    assert {"contract.early_termination", "balance.settle", "device.return", "device.installment",
            "service.cancel", "service.cancel_third_party", "family.reassign"} <= set(codes_)
    assert item(doc, "device.return")["refs"] == [f"ONT-{line.id}"]
    assert all(node(doc, c)["status"] == "in_progress" for c in NODES[1:6])
    assert node(doc, "services_cancelled")["waiting_on"] == "customer"  # the third-party one


def test_stale_precheck_is_refused(app: Any, api: Api) -> None:
    precheck = api.precheck(make_line())
    db.session.execute(sa.update(Precheck).where(Precheck.id == precheck)
                       .values(created_at=utcnow() - timedelta(hours=24, minutes=1)))
    db.session.commit()
    response = api.submit(precheck)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "cancellation.precheck_stale" and "precheck_id" in problem["errors"]
    assert response.headers["Content-Type"] == "application/problem+json"
    assert _count() == 0


def test_precheck_just_under_a_day_old_is_accepted(app: Any, api: Api) -> None:
    precheck = api.precheck(make_line())
    db.session.execute(sa.update(Precheck).where(Precheck.id == precheck)
                       .values(created_at=utcnow() - timedelta(hours=23, minutes=59)))
    db.session.commit()
    assert api.submit(precheck).status_code == 201


@pytest.mark.parametrize("blocker", [{"holds": ["legal_hold"]}, {"status": "suspended"},
                                     {"holds": ["porting_in_progress"]}])
def test_red_precheck_is_refused(app: Any, api: Api, blocker: dict[str, Any]) -> None:
    line = make_line(**blocker)
    precheck = api.precheck(line)
    response = api.submit(precheck)
    assert response.status_code == 422
    assert response.get_json()["code"] == "cancellation.precheck_blocked"
    assert _count() == 0


@pytest.mark.parametrize("precheck_id", ["00000000-0000-0000-0000-000000000000", "nope"])
def test_unknown_precheck_is_refused(app: Any, api: Api, precheck_id: str) -> None:
    response = api.submit(precheck_id)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "cancellation.precheck_unknown" and "precheck_id" in problem["errors"]


def test_customer_cannot_submit_someone_elses_precheck(app: Any, api: Api) -> None:
    mine, theirs = make_line(), make_line()
    their_precheck = api.precheck(theirs)
    response = api.submit(their_precheck, headers=customer_headers(mine))
    assert response.status_code == 422 and response.get_json()["code"] == "cancellation.precheck_unknown"
    assert _count() == 0


def test_customer_submits_their_own(app: Any, api: Api) -> None:
    line = make_line()
    me = customer_headers(line)
    doc = api.open_request(line, headers=me)
    assert doc["msisdn"] == line.msisdn  # the customer sees their own number
    assert fresh(doc["id"]).created_by.startswith("customer:")


def test_second_request_while_one_is_open_names_the_open_one(app: Any, api: Api) -> None:
    line = make_line()
    first_check, second_check = api.precheck(line), api.precheck(line)
    first = api.submit(first_check).get_json()
    response = api.submit(second_check)
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["code"] == "request.open"
    assert (problem["id"], problem["tracking_code"]) == (first["id"], first["tracking_code"])
    assert _count() == 1


def test_a_new_precheck_shows_the_open_request(app: Any, api: Api) -> None:
    line = make_line()
    first = api.open_request(line)
    doc = api.client.post("/api/v1/prechecks", json={"account": line.msisdn, "channel": "app"},
                          headers=api.headers).get_json()
    assert doc["result"] == "red" and doc["can_submit"] is False
    blocker = next(f for f in doc["findings"] if f["code"] == "request.open")
    assert blocker["severity"] == "blocker" and first["id"] in blocker["refs"]
    assert first["tracking_code"] in blocker["detail"]
    refused = api.submit(doc["id"])
    assert refused.status_code == 422 and refused.get_json()["code"] == "cancellation.precheck_blocked"


def test_quoted_fees_stay_binding(app: Any, api: Api) -> None:
    line = full_line()
    doc = api.open_request(line)
    contract = db.session.execute(sa.select(Contract).where(Contract.account_id == line.id)).scalar_one()
    contract.fixed_penalty = Decimal("900.00")
    db.session.commit()
    again = api.doc(doc["id"])
    assert again["quoted"] == doc["quoted"]
    assert item(again, "contract.early_termination")["amount"] == {"amount": "200.00", "currency": "CNY"}
    stored = db.session.execute(sa.select(ChecklistEntry.amount).where(
        ChecklistEntry.request_id == doc["id"], ChecklistEntry.code == "contract.early_termination")).scalar_one()
    assert stored == Decimal("200.00")
    # Paying the quoted amounts settles the fees, whatever the contract says now.
    api.applied(doc["id"], "payment.received", {"amount": {"amount": "328.00", "currency": "CNY"}})
    assert node(api.doc(doc["id"]), "fees_settled")["status"] == "done"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"reason": "bored"}, {"reason"}),
        ({"comment": "x" * 1001}, {"comment"}),
        ({"colour": "red"}, {"colour"}),
    ],
    ids=["unknown-reason", "long-comment", "unknown-field"],
)
def test_bad_bodies(app: Any, api: Api, body: dict[str, Any], fields: set[str]) -> None:
    response = api.submit(api.precheck(make_line()), **body)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == fields
    assert _count() == 0


def test_missing_precheck_id(app: Any, api: Api) -> None:
    response = api.client.post("/api/v1/cancellations", json={}, headers={**api.headers, "Idempotency-Key": "k"})
    assert response.status_code == 422 and "precheck_id" in response.get_json()["errors"]


@pytest.mark.parametrize("scopes", [("precheck",), ("cancellations:read",), ("events:write",)])
def test_submission_needs_the_write_scope(app: Any, api: Api, api_key: Any, scopes: tuple[str, ...]) -> None:
    precheck = api.precheck(make_line())
    response = api.submit(precheck, headers=bearer(api_key(*scopes)))
    assert response.status_code == 403
    assert _count() == 0


def test_unauthenticated_submission(app: Any, api: Api) -> None:
    response = api.submit(api.precheck(make_line()), headers={})
    assert response.status_code == 401
