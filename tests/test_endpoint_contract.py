"""The endpoint contract: every API route authenticates and authorises before it reads the request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.routing import Rule

from cancelsvc.api import ApiBlueprint
from cancelsvc.auth import require
from cancelsvc.auth.principal import Policy
from cancelsvc.contract import operation
from models.auth import API_SCOPES
from tests.conftest import bearer

#: Routes anyone may call: public tracking, the OpenAPI document and the docs pages.
PUBLIC_BLUEPRINTS = {"tracking", "api-docs", "docs_assets"}
ANY_ID = "00000000-0000-4000-8000-000000000000"
MAX_BODY = 200

#: (description, request keyword arguments): bodies and queries that fail to parse.
BOGUS = [
    ("unknown fields", {"json": {"bogus": True}, "query_string": {"limit": "many"}}),
    ("malformed JSON", {"data": "{not json", "content_type": "application/json"}),
    ("not JSON", {"data": "a=b", "content_type": "application/x-www-form-urlencoded"}),
    ("too large", {"json": {"bogus": "x" * (2 * MAX_BODY)}}),
]


def _api_routes(app: Flask) -> Iterator[tuple[Rule, str]]:
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def _url(rule: Rule) -> str:
    return rule.build({name: ANY_ID for name in rule.arguments}, append_unknown=False)[1]


def _policy(app: Flask, rule: Rule, method: str) -> Policy:
    blueprint_name, _, endpoint = rule.endpoint.partition(".")
    blueprint = app.blueprints[blueprint_name]
    assert isinstance(blueprint, ApiBlueprint)
    return blueprint._policies[endpoint][method]


@pytest.fixture
def contract_app(make_app: Any) -> Iterator[Flask]:
    app = make_app(CANCELSVC_MAX_BODY=str(MAX_BODY))
    with app.app_context():
        yield app


def test_the_walk_covers_every_guarded_api(contract_app: Flask) -> None:
    walked = {(rule.rule, method) for rule, method in _api_routes(contract_app)}
    assert ("/api/v1/prechecks", "POST") in walked
    assert ("/api/v1/cancellations", "POST") in walked
    assert ("/api/v1/webhooks/<string:subscription_id>/deliveries", "GET") in walked
    assert len(walked) >= 14


@pytest.mark.parametrize(("case", "bogus"), BOGUS, ids=[case for case, _ in BOGUS])
def test_every_api_route_answers_401_before_reading_the_request(contract_app: Flask, case: str,
                                                               bogus: dict[str, Any]) -> None:
    client = contract_app.test_client()
    answers = {}
    for rule, method in _api_routes(contract_app):
        response = client.open(_url(rule), method=method, **bogus)
        answers[f"{method} {rule.rule}"] = (response.status_code, (response.get_json(silent=True) or {}).get("code"))
    assert set(answers.values()) == {(401, "auth.unauthenticated")}, answers


@pytest.mark.parametrize(("case", "bogus"), BOGUS, ids=[case for case, _ in BOGUS])
def test_every_api_route_answers_403_before_reading_the_request(contract_app: Flask, api_key: Any, case: str,
                                                               bogus: dict[str, Any]) -> None:
    client = contract_app.test_client()
    answers = {}
    for rule, method in _api_routes(contract_app):
        outside = sorted(set(API_SCOPES) - _policy(contract_app, rule, method).scopes - {"admin"})
        response = client.open(_url(rule), method=method, headers=bearer(api_key(*outside)), **bogus)
        answers[f"{method} {rule.rule}"] = (response.status_code, (response.get_json(silent=True) or {}).get("code"))
    assert set(answers.values()) == {(403, "auth.forbidden")}, answers


def test_a_bad_credential_is_401_before_the_body_is_read(client: Any) -> None:
    response = client.post("/api/v1/prechecks", json={"bogus": True}, headers=bearer("csk_unknown"))
    assert response.status_code == 401
    assert response.get_json()["code"] == "auth.invalid_key"


def test_with_credentials_the_body_is_checked_as_before(contract_app: Flask, api_key: Any) -> None:
    client = contract_app.test_client()
    headers = bearer(api_key("precheck"))
    expected = {"unknown fields": (422, "validation"), "malformed JSON": (400, "request.malformed_json"),
                "not JSON": (415, "request.unsupported_media_type"), "too large": (413, "request.too_large")}
    for case, bogus in BOGUS:
        response = client.post("/api/v1/prechecks", headers=headers, **bogus)
        assert (response.status_code, response.get_json()["code"]) == expected[case], case


def test_a_view_without_declared_callers_cannot_be_registered() -> None:
    blp = ApiBlueprint("forgotten", __name__, url_prefix="/forgotten")

    with pytest.raises(TypeError, match="@require"):
        @blp.route("")
        class Forgotten(MethodView):
            @require(["precheck"])
            def get(self) -> dict[str, Any]:
                return {}

            def post(self) -> dict[str, Any]:
                return {}


def test_the_api_accepts_only_contract_blueprints(app: Flask) -> None:
    with pytest.raises(TypeError, match="ApiBlueprint"):
        app.extensions["cancelsvc.api"].register_blueprint(Blueprint("plain", __name__, url_prefix="/plain"))


def test_decorator_order_does_not_matter(make_app: Any) -> None:
    app = make_app()
    blp = ApiBlueprint("ordered", __name__, url_prefix="/api/v1/ordered")
    from marshmallow import Schema, fields

    class Body(Schema):
        name = fields.String(required=True)

    @blp.route("")
    class Ordered(MethodView):
        @blp.arguments(Body)  # parsing written outside the declaration still comes after it
        @operation("orderedTest")
        @require(["precheck"])
        def post(self, body: dict[str, Any]) -> dict[str, Any]:
            return body

    app.extensions["cancelsvc.api"].register_blueprint(blp)
    response = app.test_client().post("/api/v1/ordered", json={})
    assert response.status_code == 401
