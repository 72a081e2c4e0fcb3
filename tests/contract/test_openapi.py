"""The OpenAPI document is the contract: it validates and says everything the code enforces."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from openapi_spec_validator import validate

from cancelsvc.errors import PROBLEM_MIMETYPE

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def document(app: Flask) -> dict[str, Any]:
    return app.extensions["cancelsvc.api"].spec.to_dict()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, item in document["paths"].items()
            for method, op in item.items() if method in METHODS]


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        _, _, kind, name = node["$ref"].split("/")
        node = document["components"][kind][name]
    return node


def test_the_document_validates(document: dict[str, Any]) -> None:
    validate(document)


def test_the_served_document_is_the_generated_one(client: Any, document: dict[str, Any]) -> None:
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.get_json()["paths"].keys() == document["paths"].keys()


def test_every_operation_has_an_id_a_summary_and_examples(document: dict[str, Any]) -> None:
    ids = []
    for method, path, op in operations(document):
        assert op.get("operationId"), (method, path)
        assert op.get("summary"), (method, path)
        ids.append(op["operationId"])
        examples = [media.get("example") for media in op.get("requestBody", {}).get("content", {}).values()]
        examples += [resolve(document, r).get("content", {}).get(PROBLEM_MIMETYPE, {}).get("example")
                     for r in op["responses"].values()]
        assert any(examples), (method, path)
    assert len(ids) == len(set(ids)) == 21  # listCancellationMessages joined the 20


def test_every_error_is_a_problem_and_every_status_is_listed(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]
    assert {"code", "errors", "request_id"} <= problem["properties"].keys()
    for method, path, op in operations(document):
        responses = op["responses"]
        assert "default" not in responses, (method, path)
        statuses = {int(s) for s in responses}
        assert 503 in statuses
        if op.get("security"):
            assert {401, 403} <= statuses, (method, path)
        if method in ("POST", "PATCH"):
            assert {400, 413, 415, 422} <= statuses, (method, path)
        if "{" in path:
            assert 404 in statuses, (method, path)
        for status, response in responses.items():
            content = resolve(document, response).get("content", {})
            if int(status) >= 400:
                assert list(content) == [PROBLEM_MIMETYPE], (method, path, status)
                assert content[PROBLEM_MIMETYPE]["schema"] == {"$ref": "#/components/schemas/Problem"}


@pytest.mark.parametrize(("operation_id", "statuses"), [
    ("createPrecheck", {201, 404, 422}),
    ("createCancellation", {201, 409, 422}),
    ("getCancellation", {200, 304, 404}),
    ("getCancellationProgress", {200, 304, 404}),
    ("withdrawCancellation", {200, 404, 409, 422}),
    ("updateChecklistItem", {200, 403, 404, 409, 412, 422, 428}),
    ("postEvent", {202, 422}),
    ("trackCancellation", {200, 304, 404, 429}),
    ("withdrawTrackedCancellation", {200, 404, 409, 429}),
    ("deleteWebhook", {204, 404}),
    ("listWebhookDeliveries", {200, 404, 422}),
])
def test_business_answers_are_documented_per_operation(document: dict[str, Any], operation_id: str,
                                                       statuses: set[int]) -> None:
    op = next(op for _, _, op in operations(document) if op["operationId"] == operation_id)
    assert statuses <= {int(s) for s in op["responses"]}


def schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    return document["components"]["schemas"][name]


def test_money_instants_and_enums_are_typed(document: dict[str, Any]) -> None:
    money = schema(document, "Quoted")["properties"]["total"]
    assert money["type"] == "object" and money["required"] == ["amount", "currency"]
    assert money["properties"]["currency"]["enum"] == ["CNY"]
    payment = schema(document, "PaymentData")["properties"]["amount"]["properties"]["amount"]
    assert re.fullmatch(payment["pattern"], "12.34") and not re.fullmatch(payment["pattern"], "-1")
    request = schema(document, "Request")["properties"]
    for name in ("submitted_at", "withdraw_until", "deactivated_at"):
        assert request[name]["format"] == "date-time", name
    assert request["effective_date"]["format"] == "date"
    node = schema(document, "Node")["properties"]
    for name in ("started_at", "completed_at", "expected_at", "due_at"):
        assert node[name]["format"] == "date-time", name
    assert "deactivated" in node["code"]["enum"] and "skipped" in node["status"]["enum"]
    assert "withdrawn" in schema(document, "Progress")["properties"]["state"]["enum"]
    assert schema(document, "Precheck")["properties"]["created_at"]["format"] == "date-time"
    assert schema(document, "EventLine")["properties"]["at"]["format"] == "date-time"


def test_enforced_rules_are_in_the_document(document: dict[str, Any]) -> None:
    effective = schema(document, "PrecheckCreate")["properties"]["effective_date"]
    assert {"type": "string", "enum": ["asap"]} in effective["oneOf"]
    account = schema(document, "PrecheckCreate")["properties"]["account"]["pattern"]
    assert re.search(account, "+86 138-0013-8000") and not re.search(account, "abc")
    by_name = {(p.get("name"), path): p for _, path, op in operations(document) for p in op.get("parameters", [])}
    key = by_name[("Idempotency-Key", "/api/v1/cancellations")]
    assert key["required"] and re.fullmatch(key["schema"]["pattern"], "abc-1") and not re.search(
        key["schema"]["pattern"], "a b")
    assert by_name[("If-Match", "/api/v1/cancellations/{request_id}/checklist/{key}")]["required"]
    assert by_name[("X-Verify-Code", "/api/v1/track/{code}")]["schema"]["pattern"] == "^[0-9]{4}$"
    event = schema(document, "Event")
    targets = event["allOf"][0]["oneOf"]
    assert [t["required"] for t in targets] == [["cancellation_id"], ["msisdn"]]
    kinds = {branch["properties"]["type"]["enum"][0] for branch in event["allOf"][1]["oneOf"]}
    assert kinds == set(event["properties"]["type"]["enum"])
    waiver = schema(document, "ChecklistPatch")["anyOf"][1]
    assert waiver["required"] == ["note"]
    assert schema(document, "WebhookIn")["properties"]["url"]["format"] == "uri"
