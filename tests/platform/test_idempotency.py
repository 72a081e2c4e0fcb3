"""Idempotency-Key on POSTs, exercised through a test-only blueprint whose effect is a domain event."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.views import MethodView
from marshmallow import fields

from cancelsvc import idempotency
from cancelsvc.api import ApiBlueprint
from cancelsvc.auth import require
from cancelsvc.common.schemas import OutSchema, StrictSchema
from cancelsvc.contract import operation
from cancelsvc.database import transaction
from cancelsvc.errors import Conflict
from cancelsvc.idempotency import idempotent, request_fingerprint
from cancelsvc.jobs import tick
from cancelsvc.outbox import publish
from models import DomainEvent, IdempotencyRecord, db
from models.base import utcnow
from tests.conftest import bearer
from tests.factories import IdempotencyRecordFactory

URL = "/api/v1/test-things"
PAUSE: dict[str, Any] = {"seconds": 0.0, "started": None}
RUNS: list[str] = []


class ThingIn(StrictSchema):
    name = fields.String(required=True)
    size = fields.Integer(load_default=1)


class ThingOut(OutSchema):
    id = fields.String()
    name = fields.String()
    size = fields.Integer()


def _add_test_routes(app: Flask) -> None:
    blp = ApiBlueprint("idempotency_test", __name__, url_prefix=URL)

    @blp.route("")
    class Things(MethodView):
        @require(["cancellations:write"], customer=True)
        @idempotent
        @operation("createThing", 409)
        @blp.arguments(ThingIn)
        @blp.response(201, ThingOut)
        def post(self, body: dict[str, Any]) -> dict[str, Any]:
            if body["name"] == "taken":
                raise Conflict(code="conflict")
            event = publish("thing.created", body["name"], body)
            RUNS.append(event.id)
            if PAUSE["started"] is not None and len(RUNS) == 1:
                PAUSE["started"].set()
            time.sleep(PAUSE["seconds"] if len(RUNS) == 1 else 0)  # the first request is slow
            if body["name"] == "fails-late" and len(RUNS) == 1:
                raise Conflict(code="conflict")
            return {"id": event.id, **body}

    app.extensions["cancelsvc.api"].register_blueprint(blp)


@pytest.fixture
def things(app: Flask, api_key: Any) -> dict[str, str]:
    _add_test_routes(app)
    return bearer(api_key("cancellations:write"))


def _effects() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).where(DomainEvent.type == "thing.created")) or 0


def _post(client: Any, headers: dict[str, str], key: str | None, **body: Any) -> Any:
    extra = {} if key is None else {"Idempotency-Key": key}
    return client.post(URL, json=body or {"name": "router"}, headers={**headers, **extra})


def test_same_key_and_body_replays_the_first_response(client: Any, things: dict[str, str]) -> None:
    first = _post(client, things, "k-1", name="router", size=2)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = client.post(
        URL, data='{ "size": 2,   "name": "router" }', content_type="application/json",
        headers={**things, "Idempotency-Key": "k-1"},
    )
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_data() == first.get_data()
    assert again.mimetype == "application/json"
    assert _effects() == 1


def test_same_key_with_a_different_body_is_a_mismatch(client: Any, things: dict[str, str]) -> None:
    assert _post(client, things, "k-1", name="router").status_code == 201
    response = _post(client, things, "k-1", name="modem")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "idempotency.mismatch"
    assert _effects() == 1


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (None, "idempotency.key_required"),
        ("", "idempotency.key_invalid"),
        ("has space", "idempotency.key_invalid"),
        ("tab\tkey", "idempotency.key_invalid"),
        ("x" * 256, "idempotency.key_invalid"),
    ],
)
def test_missing_or_invalid_key_is_422(client: Any, things: dict[str, str], key: str | None, code: str) -> None:
    response = _post(client, things, key)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == code and "Idempotency-Key" in problem["errors"]
    assert problem["title"] and problem["title"] != problem["code"]
    assert _effects() == 0


@pytest.mark.parametrize("key", ["x" * 255, "!", "550e8400-e29b-41d4-a716-446655440000", "~{}|"])
def test_visible_ascii_keys_up_to_255_are_accepted(client: Any, things: dict[str, str], key: str) -> None:
    assert _post(client, things, key).status_code == 201


def test_titles_are_localised(client: Any, things: dict[str, str]) -> None:
    zh = _post(client, {**things, "Accept-Language": "zh-CN"}, None).get_json()["title"]
    en = _post(client, {**things, "Accept-Language": "en"}, None).get_json()["title"]
    assert "Idempotency-Key" in zh and "Idempotency-Key" in en and zh != en


def test_keys_are_scoped_per_caller(client: Any, things: dict[str, str], api_key: Any) -> None:
    other = bearer(api_key("cancellations:write"))
    mine = _post(client, things, "shared-key", name="router")
    theirs = _post(client, other, "shared-key", name="router")
    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["id"] != theirs.get_json()["id"]
    assert _effects() == 2
    assert _post(client, other, "shared-key", name="router").get_json()["id"] == theirs.get_json()["id"]


def test_errors_are_not_stored(client: Any, things: dict[str, str]) -> None:
    assert _post(client, things, "k-err", name="taken").status_code == 409
    assert _post(client, things, "k-err", name="taken").status_code == 409
    assert db.session.query(IdempotencyRecord).count() == 0
    assert _post(client, things, "k-bad", name=123).status_code == 422  # validation error, nothing stored
    assert db.session.query(IdempotencyRecord).count() == 0


def test_records_expire_after_24_hours(client: Any, things: dict[str, str]) -> None:
    first = _post(client, things, "k-old", name="router")
    with transaction():
        db.session.execute(
            sa.update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=24, minutes=1))
        )
    again = _post(client, things, "k-old", name="modem")  # an expired key is free again
    assert again.status_code == 201 and again.get_json()["id"] != first.get_json()["id"]
    assert _effects() == 2
    assert db.session.query(IdempotencyRecord).count() == 1


def test_the_expiry_sweeper_deletes_old_records(app: Any) -> None:
    now = utcnow()
    IdempotencyRecordFactory(created_at=now - timedelta(hours=25))
    IdempotencyRecordFactory(created_at=now - timedelta(hours=23))
    assert tick(now)["idempotency.expire"] == 1
    assert db.session.query(IdempotencyRecord).count() == 1
    assert tick(now + timedelta(hours=2))["idempotency.expire"] == 1


def test_fingerprint_covers_method_path_and_canonical_body() -> None:
    base = request_fingerprint("POST", "/a", b'{"x": 1, "y": [1, 2]}')
    assert base == request_fingerprint("POST", "/a", b'{"y":[1,2],"x":1}')
    assert base != request_fingerprint("POST", "/b", b'{"x": 1, "y": [1, 2]}')
    assert base != request_fingerprint("PUT", "/a", b'{"x": 1, "y": [1, 2]}')
    assert base != request_fingerprint("POST", "/a", b'{"x": 2, "y": [1, 2]}')
    assert request_fingerprint("POST", "/a", b"not json") != request_fingerprint("POST", "/a", b"")


def test_openapi_documents_the_header(client: Any, things: dict[str, str]) -> None:
    operation = client.get("/api/v1/openapi.json").get_json()["paths"][URL]["post"]
    (header,) = [p for p in operation["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key" and header["required"] is True
    assert "requestBody" in operation


@pytest.mark.postgres_only
def test_concurrent_requests_with_one_key_have_one_effect(app: Flask, things: dict[str, str]) -> None:
    threads = 20
    barrier = threading.Barrier(threads)
    responses: list[tuple[int, bytes]] = []
    lock = threading.Lock()
    PAUSE["seconds"] = 0.3
    RUNS.clear()

    def call() -> None:
        client = app.test_client()
        barrier.wait()
        response = _post(client, things, "race-key", name="router", size=3)
        with lock:
            responses.append((response.status_code, response.get_data()))

    try:
        pool = [threading.Thread(target=call) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join(30)
    finally:
        PAUSE["seconds"] = 0.0
    assert len(responses) == threads
    assert {status for status, _ in responses} == {201}
    assert len({body for _, body in responses}) == 1
    assert _effects() == 1
    assert db.session.query(IdempotencyRecord).count() == 1
    assert len(RUNS) == 1  # the others waited for the first and never ran the view


def test_a_retry_waits_for_the_first_request_then_answers_its_response(app: Flask, things: dict[str, str]) -> None:
    first, second = _two_at_once(app, things, pause=1.0, name="router")
    assert first.status_code == second.status_code == 201
    assert first.get_data() == second.get_data()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert _effects() == 1


def test_a_retry_after_a_failed_first_request_runs_itself(app: Flask, things: dict[str, str]) -> None:
    first, second = _two_at_once(app, things, pause=0.5, name="fails-late")
    assert first.status_code == 409 and first.get_json()["code"] == "conflict"
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    assert _effects() == 1


@pytest.mark.postgres_only
def test_waiting_past_the_bound_is_409_in_progress(
    app: Flask, things: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 1)
    first, second = _two_at_once(app, things, pause=2.5, name="router")
    assert first.status_code == 201
    assert second.status_code == 409 and second.mimetype == "application/problem+json"
    problem = second.get_json()
    assert problem["code"] == "idempotency.in_progress" and "Idempotency-Key" in problem["errors"]
    assert second.headers["Retry-After"] == "1"
    assert problem["title"] != problem["code"]
    retry = _post(app.test_client(), things, "slow-key", name="router")
    assert retry.status_code == 201 and retry.get_data() == first.get_data()
    assert _effects() == 1


def _two_at_once(app: Flask, things: dict[str, str], *, pause: float, name: str) -> tuple[Any, Any]:
    """The first request runs a slow view; the second, with the same key, starts while it runs."""
    RUNS.clear()
    started = threading.Event()
    answers: dict[str, Any] = {}

    def call(which: str) -> None:
        answers[which] = _post(app.test_client(), things, "slow-key", name=name)

    PAUSE["seconds"], PAUSE["started"] = pause, started
    db.session.rollback()
    try:
        first = threading.Thread(target=call, args=("first",))
        first.start()
        assert started.wait(10)
        call("second")
        first.join(30)
    finally:
        PAUSE["seconds"], PAUSE["started"] = 0.0, None
    return answers["first"], answers["second"]
