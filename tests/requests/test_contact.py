"""A contact for after the cancellation: optional on submission, stored, shown to who may see the request."""

from __future__ import annotations

from typing import Any

import pytest

from models import CancellationRequest, db
from tests.requests.conftest import Api, make_line


def test_contact_is_normalised_stored_and_returned(app: Any, api: Api) -> None:
    response = api.submit(api.precheck(make_line()), contact={"phone": "139 1234 5678", "email": "wei@example.com"})
    assert response.status_code == 201, response.get_json()
    doc = response.get_json()
    assert doc["contact"] == {"phone": "+8613912345678", "email": "wei@example.com"}
    assert db.session.get(CancellationRequest, doc["id"]).contact == {"phone": "+8613912345678",
                                                                       "email": "wei@example.com"}
    again = api.client.get(f"/api/v1/cancellations/{doc['id']}", headers=api.headers).get_json()
    assert again["contact"] == doc["contact"]


def test_contact_is_optional_and_either_part_is_enough(app: Any, api: Api) -> None:
    assert api.open_request(make_line())["contact"] is None
    only_mail = api.open_request(make_line(), contact={"email": "wei@example.com"})
    assert only_mail["contact"] == {"phone": None, "email": "wei@example.com"}
    assert db.session.get(CancellationRequest, only_mail["id"]).contact == {"email": "wei@example.com"}


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        ({}, "contact.phone"),
        ({"phone": None, "email": None}, "contact.phone"),
        ({"phone": "12345"}, "contact.phone"),
        ({"phone": "1" * 5000}, "contact.phone"),
        ({"email": "not-an-address"}, "contact.email"),
        ({"phone": "+8613912345678", "fax": "x"}, "contact.fax"),
        ("+8613912345678", "contact"),
    ],
)
def test_bad_contact_is_a_listed_validation_problem(app: Any, api: Api, contact: Any, field: str) -> None:
    response = api.submit(api.precheck(make_line()), contact=contact)
    assert response.status_code == 422, response.get_json()
    problem = response.get_json()
    assert problem["code"] == "validation"
    assert any(path.startswith(field) for path in problem["errors"]), problem["errors"]


def test_the_number_being_cancelled_is_not_a_contact(app: Any, api: Api) -> None:
    line = make_line()
    own = line.msisdn.removeprefix("+86")
    response = api.submit(api.precheck(line), contact={"phone": f"{own[:3]}-{own[3:7]}-{own[7:]}",
                                                       "email": "wei@example.com"}, lang="en")
    assert response.status_code == 422, response.get_json()
    problem = response.get_json()
    assert problem["code"] == "validation"
    assert problem["errors"] == {"contact.phone": [
        "This is the number being cancelled: it stops working. Give another mobile number or an e-mail address."]}
    assert db.session.query(CancellationRequest).count() == 0
