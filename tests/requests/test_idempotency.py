"""`Idempotency-Key` on submission and withdrawal: one effect, the first answer again."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from models import AuditRecord, CancellationRequest, DomainEvent, IdempotencyRecord, db
from tests.requests.conftest import Api, customer_headers, fresh, make_line, new_key, race


def _count(model: Any) -> int:
    db.session.rollback()
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_same_key_same_body_answers_the_first_response(app: Any, api: Api) -> None:
    precheck = api.precheck(make_line())
    first = api.submit(precheck, key="submit-1", reason="moving")
    audits, events = _count(AuditRecord), _count(DomainEvent)
    again = api.submit(precheck, key="submit-1", reason="moving")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert _count(CancellationRequest) == 1
    assert (_count(AuditRecord), _count(DomainEvent)) == (audits, events)  # nothing done again


def test_same_key_different_body_is_a_mismatch(app: Any, api: Api) -> None:
    precheck = api.precheck(make_line())
    assert api.submit(precheck, key="submit-1", reason="moving").status_code == 201
    response = api.submit(precheck, key="submit-1", reason="coverage")
    assert response.status_code == 422
    assert response.get_json()["code"] == "idempotency.mismatch"
    assert "Idempotency-Key" in response.get_json()["errors"]
    assert _count(CancellationRequest) == 1
    assert fresh(db.session.execute(sa.select(CancellationRequest.id)).scalar_one()).reason == "moving"


def test_missing_key_is_refused(app: Any, api: Api) -> None:
    response = api.submit(api.precheck(make_line()), key=False)
    assert response.status_code == 422
    assert response.get_json()["code"] == "idempotency.key_required"
    assert _count(CancellationRequest) == 0


def test_invalid_key_is_refused(app: Any, api: Api) -> None:
    response = api.submit(api.precheck(make_line()), key="x" * 256)
    assert response.status_code == 422 and response.get_json()["code"] == "idempotency.key_invalid"


def test_keys_are_scoped_per_caller(app: Any, api: Api) -> None:
    line = make_line()
    precheck = api.precheck(line)
    assert api.submit(precheck, key="shared").status_code == 201
    # Another caller's identical key is a new request (here: refused, the line has one open).
    other = api.submit(precheck, key="shared", headers=customer_headers(line))
    assert other.status_code == 409 and "Idempotent-Replayed" not in other.headers


def test_an_error_is_not_remembered(app: Any, api: Api) -> None:
    line = make_line()
    first_check, second_check = api.precheck(line), api.precheck(line)
    first = api.submit(first_check, key="a").get_json()
    assert api.submit(second_check, key="b").status_code == 409
    assert api.withdraw(first["id"]).status_code == 200
    # The same key again runs the request again: the line has no open request any more.
    retried = api.submit(second_check, key="b")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert _count(IdempotencyRecord) == 3


def test_withdrawal_replays_too(app: Any, api: Api) -> None:
    rid = api.open_request(make_line())["id"]
    first = api.withdraw(rid, key="w-1")
    again = api.withdraw(rid, key="w-1")
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert fresh(rid).version == first.get_json()["version"]


def test_withdrawal_needs_a_key(app: Any, api: Api) -> None:
    rid = api.open_request(make_line())["id"]
    response = api.client.post(f"/api/v1/cancellations/{rid}/withdraw", headers=api.headers)
    assert response.status_code == 422 and response.get_json()["code"] == "idempotency.key_required"
    assert fresh(rid).state == "in_progress"


def test_simultaneous_retries_with_one_key_all_get_the_winners_response(app: Any, api: Api) -> None:
    precheck = api.precheck(make_line())
    key = new_key()

    def submit(i: int) -> tuple[int, bytes]:
        response = app.test_client().post("/api/v1/cancellations", json={"precheck_id": precheck},
                                          headers={**api.headers, "Idempotency-Key": key})
        return response.status_code, response.get_data()

    results = race(20, submit)
    assert {status for status, _ in results} == {201}, [body for _, body in results]
    assert len({body for _, body in results}) == 1  # every retry answers the winner's document
    assert db.session.execute(sa.select(sa.func.count()).select_from(CancellationRequest)).scalar_one() == 1
