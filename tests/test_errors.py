"""Every error is problem+json with a stable code, in zh-CN or en."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.views import MethodView
from marshmallow import fields, validate

from cancelsvc.api import ApiBlueprint
from cancelsvc.common.schemas import StrictSchema
from cancelsvc.contract import operation
from tests.conftest import bearer

PROBLEM = "application/problem+json"


class EchoSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=2))
    count = fields.Integer(required=True, validate=validate.Range(min=1))


def _add_test_routes(app: Flask) -> None:
    blp = ApiBlueprint("echo", __name__, url_prefix="/api/v1/test", public=True)

    @blp.route("/echo")
    class Echo(MethodView):
        @operation("echo")
        @blp.arguments(EchoSchema)
        @blp.response(200, EchoSchema)
        def post(self, body: dict[str, Any]) -> dict[str, Any]:
            return body

    @blp.route("/boom")
    class Boom(MethodView):
        def get(self) -> None:
            raise RuntimeError("secret database password is hunter2")

    app.extensions["cancelsvc.api"].register_blueprint(blp)


@pytest.fixture
def test_client(make_app: Any) -> Any:
    app = make_app(CANCELSVC_MAX_BODY="200")
    _add_test_routes(app)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app.test_client()


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:cancelsvc:problem:{code}"
    assert body["title"] and body["detail"]
    return body


def test_404_unknown_path(test_client: Any) -> None:
    assert_problem(test_client.get("/api/v1/nowhere"), 404, "not_found")


def test_405_method_not_allowed_names_allowed_methods(test_client: Any) -> None:
    response = test_client.delete("/api/v1/test/echo")
    assert_problem(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_400_malformed_json(test_client: Any) -> None:
    response = test_client.post("/api/v1/test/echo", data="{not json", content_type="application/json")
    assert_problem(response, 400, "request.malformed_json")


def test_413_body_over_the_configured_limit(test_client: Any) -> None:
    response = test_client.post("/api/v1/test/echo", json={"name": "x" * 500, "count": 1})
    assert_problem(response, 413, "request.too_large")


def test_415_body_that_is_not_json(test_client: Any) -> None:
    response = test_client.post("/api/v1/test/echo", data="name=x", content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415, "request.unsupported_media_type")


def test_422_lists_every_field_error(test_client: Any) -> None:
    response = test_client.post("/api/v1/test/echo", json={"name": "x", "count": 0, "extra": True})
    body = assert_problem(response, 422, "validation")
    assert set(body["errors"]) == {"name", "count", "extra"}
    assert body["errors"]["extra"] == ["请删除这个未定义的字段。"]  # zh-CN by default, like the title
    english = test_client.post("/api/v1/test/echo", json={"extra": True}, headers={"Accept-Language": "en"})
    assert english.get_json()["errors"]["extra"] == ["Unknown field."]


def test_500_hides_internals(test_client: Any) -> None:
    response = test_client.get("/api/v1/test/boom")
    body = assert_problem(response, 500, "internal")
    text = response.get_data(as_text=True)
    assert "hunter2" not in text and "RuntimeError" not in text
    assert body["request_id"] == response.headers["X-Request-ID"]


def test_401_without_credentials(client: Any) -> None:
    response = client.get("/api/v1/customers/me/accounts")
    assert_problem(response, 401, "auth.unauthenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_403_credentials_without_the_needed_permission(client: Any, api_key: Any) -> None:
    response = client.get("/api/v1/customers/me/accounts", headers=bearer(api_key("precheck")))
    assert_problem(response, 403, "auth.forbidden")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "未找到该资源"),
        ("zh-CN,zh;q=0.9", "未找到该资源"),
        ("en-US,en;q=0.9", "The resource was not found"),
        ("fr-FR, en;q=0.5", "The resource was not found"),
        ("de-DE", "未找到该资源"),
        ("en;q=0.3, zh;q=0.8", "未找到该资源"),
    ],
)
def test_titles_follow_accept_language(client: Any, header: str | None, expected: str) -> None:
    headers = {"Accept-Language": header} if header else {}
    response = client.get("/api/v1/nowhere", headers=headers)
    assert response.get_json(force=True)["title"] == expected
    assert response.headers["Content-Language"] in ("zh-CN", "en")


def test_429_login_guessing_is_rate_limited(client: Any) -> None:
    statuses = []
    for _ in range(12):
        statuses.append(client.post("/console/login", data={"username": "x", "password": "y"}).status_code)
    assert statuses[-1] == 429
    response = client.post("/console/login", data={"username": "x", "password": "y"})
    assert_problem(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0


def test_503_when_the_database_is_unreachable(make_app: Any) -> None:
    app = make_app(DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/none")
    response = app.test_client().get("/readyz")
    body = assert_problem(response, 503, "service.unavailable")
    assert response.headers["Retry-After"]
    assert body["checks"] == {"database": "down"}


def test_request_id_is_echoed(client: Any) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
