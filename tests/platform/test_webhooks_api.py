"""The webhook admin API: register, list without secrets, deactivate, deliveries; who may call."""

from __future__ import annotations

from typing import Any

import pytest

from cancelsvc.audit import verify
from cancelsvc.jobs import tick
from cancelsvc.outbox import CANCELLATION_CREATED, CANCELLATION_STATE_CHANGED
from models import AuditRecord, WebhookSubscription, db
from models.base import utcnow
from tests.conftest import bearer
from tests.factories import DomainEventFactory, StaffUserFactory
from tests.platform.conftest import login

URL = "/api/v1/webhooks"


@pytest.fixture
def admin(api_key: Any) -> dict[str, str]:
    return bearer(api_key("admin"))


def _register(client: Any, headers: dict[str, str], **body: Any) -> Any:
    payload = {"url": "https://crm.example.com/hooks", "event_types": [CANCELLATION_CREATED], **body}
    return client.post(URL, json=payload, headers=headers)


def test_register_generates_and_returns_the_secret_once(client: Any, admin: dict[str, str]) -> None:
    response = _register(client, admin, event_types=[CANCELLATION_STATE_CHANGED, CANCELLATION_CREATED])
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["secret"].startswith("whsec_") and len(created["secret"]) >= 16
    assert created["event_types"] == sorted([CANCELLATION_CREATED, CANCELLATION_STATE_CHANGED])
    assert created["active"] is True and created["url"] == "https://crm.example.com/hooks"
    assert db.session.get(WebhookSubscription, created["id"]).secret == created["secret"]

    listed = client.get(URL, headers=admin)
    assert listed.status_code == 200
    assert created["secret"] not in listed.get_data(as_text=True)
    (item,) = listed.get_json()["items"]
    assert "secret" not in item and item["id"] == created["id"]


def test_a_given_secret_is_not_echoed(client: Any, admin: dict[str, str]) -> None:
    secret = "my-own-secret-0123456789"
    response = _register(client, admin, secret=secret, url="http://127.0.0.1:9/hook")
    assert response.status_code == 201
    assert "secret" not in response.get_json() and secret not in response.get_data(as_text=True)
    assert db.session.get(WebhookSubscription, response.get_json()["id"]).secret == secret


def test_validation_lists_every_field(client: Any, admin: dict[str, str]) -> None:
    response = client.post(
        URL,
        json={"url": "ftp://files.example.com", "secret": "short", "event_types": [CANCELLATION_CREATED, "x"], "colour": 1},
        headers=admin,
    )
    assert response.status_code == 422
    problem = response.get_json()
    assert response.mimetype == "application/problem+json" and problem["code"] == "validation"
    assert set(problem["errors"]) == {"url", "secret", "event_types[1]", "colour"}

    empty = client.post(URL, json={}, headers=admin).get_json()
    assert set(empty["errors"]) == {"url", "event_types"}
    none = client.post(URL, json={"url": "https://x.example.com", "event_types": []}, headers=admin).get_json()
    assert set(none["errors"]) == {"event_types"}


def test_deactivate_stops_deliveries(client: Any, admin: dict[str, str]) -> None:
    created = _register(client, admin).get_json()
    response = client.delete(f"{URL}/{created['id']}", headers=admin)
    assert response.status_code == 204 and response.get_data() == b""
    assert client.delete(f"{URL}/{created['id']}", headers=admin).status_code == 204  # already inactive
    (item,) = client.get(URL, headers=admin).get_json()["items"]
    assert item["active"] is False

    DomainEventFactory(type=CANCELLATION_CREATED)
    tick(utcnow())
    assert client.get(f"{URL}/{created['id']}/deliveries", headers=admin).get_json()["items"] == []


def test_unknown_subscription_is_404(client: Any, admin: dict[str, str]) -> None:
    for response in (
        client.delete(f"{URL}/no-such-id", headers=admin),
        client.get(f"{URL}/no-such-id/deliveries", headers=admin),
    ):
        assert response.status_code == 404 and response.get_json()["code"] == "webhook.not_found"


def test_deliveries_are_listed_newest_first(client: Any, admin: dict[str, str], receiver: Any) -> None:
    receiver.statuses = [500]
    created = _register(client, admin, url=receiver.url).get_json()
    first = DomainEventFactory(type=CANCELLATION_CREATED).id
    tick(utcnow())
    second = DomainEventFactory(type=CANCELLATION_CREATED).id
    tick(utcnow())

    response = client.get(f"{URL}/{created['id']}/deliveries", headers=admin)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["event_id"] for i in items] == [second, first]
    assert items[0]["status"] == "delivered" and items[0]["attempts"] == 1 and items[0]["last_status_code"] == 200
    assert items[1]["status"] == "pending" and items[1]["last_error"] == "HTTP 500"
    assert items[1]["next_attempt_at"] is not None
    limited = client.get(f"{URL}/{created['id']}/deliveries?limit=1", headers=admin).get_json()["items"]
    assert len(limited) == 1
    bad = client.get(f"{URL}/{created['id']}/deliveries?limit=0", headers=admin)
    assert bad.status_code == 422 and "limit" in bad.get_json()["errors"]


def test_only_admins_may_call(client: Any, api_key: Any) -> None:
    assert client.get(URL).status_code == 401
    reader = bearer(api_key("cancellations:read", "cancellations:write", "events:write"))
    assert client.get(URL, headers=reader).status_code == 403
    assert _register(client, reader).status_code == 403
    assert client.get(URL, headers=bearer(api_key("admin"))).status_code == 200


@pytest.mark.parametrize(("role", "status"), [("clerk", 403), ("supervisor", 403), ("admin", 200)])
def test_staff_need_the_admin_role(client: Any, role: str, status: int) -> None:
    StaffUserFactory(username=f"u-{role}", role=role, store_code=None if role == "admin" else "HZ-001")
    login(client, f"u-{role}")
    assert client.get(URL).status_code == status


def test_admin_changes_are_audited(client: Any, admin: dict[str, str]) -> None:
    created = _register(client, admin).get_json()
    client.delete(f"{URL}/{created['id']}", headers=admin)
    records = db.session.query(AuditRecord).order_by(AuditRecord.seq).all()
    assert [(r.action, r.subject_id) for r in records] == [
        ("webhook.registered", created["id"]),
        ("webhook.deactivated", created["id"]),
    ]
    assert records[0].actor.startswith("api_key:") and "secret" not in records[0].data
    assert verify() is None


def test_openapi_documents_the_webhook_api(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/webhooks"])
    assert "delete" in paths["/api/v1/webhooks/{subscription_id}"]
    assert "get" in paths["/api/v1/webhooks/{subscription_id}/deliveries"]
