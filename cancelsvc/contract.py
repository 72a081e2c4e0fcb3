"""The OpenAPI document is the contract: problems, statuses and operation ids in one place.

Every operation of ``/api/v1`` lists every status it can answer, each error as
``application/problem+json`` with the ``Problem`` schema:

- its success status (``@blp.response``), and ``304`` where it honours ``If-None-Match``;
- the statuses that follow from what the operation is, added here once
  (``ContractPlugin``): ``401``/``403`` when it needs credentials, ``400``/``413``/``415``/
  ``422`` when it takes a JSON body, ``422`` for query arguments, ``404`` when its path
  names a resource, ``503`` always (the database may be unreachable);
- its business answers, declared at the route with ``operation(...)`` (``404``, ``409``,
  ``412``, ``422``, ``428``, ``429`` …).

There is no ``default`` response: a status outside the document is a defect, and the
schemathesis run in the test suite (``tests/test_contract_live.py``) fails on it.
"""

from __future__ import annotations

import http
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from apispec import BasePlugin
from flask_smorest import Blueprint
from marshmallow import INCLUDE, fields

from cancelsvc.common.schemas import OutSchema
from cancelsvc.error_texts import code_for_status, problem_title
from cancelsvc.errors import PROBLEM_MIMETYPE

F = TypeVar("F", bound=Callable[..., Any])

#: The documented example's code where it is not the status' generic one; its title and
#: detail are the code's English title (``error_texts``).
EXAMPLE_CODES: dict[int, str] = {400: "request.malformed_json", 409: "request.open", 428: "precondition.required"}
#: Statuses whose problem carries ``Retry-After`` (409: only ``idempotency.in_progress``).
RETRY_AFTER = frozenset({409, 429, 503})
BODY_STATUSES = (400, 413, 415, 422)
CREDENTIAL_STATUSES = (401, 403)


class ProblemSchema(OutSchema):
    """An RFC 9457 problem: every error the API answers with (extension members allowed)."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, metadata={"description": "urn:cancelsvc:problem:<code>",
                                                  "example": "urn:cancelsvc:problem:validation"})
    title = fields.String(required=True, metadata={"description": "In the response's language (Content-Language)."})
    status = fields.Integer(required=True, metadata={"minimum": 400, "maximum": 599})
    detail = fields.String(required=True)
    code = fields.String(required=True, metadata={"description": "Stable machine code, e.g. request.open.",
                                                  "pattern": "^[a-z_]+(\\.[a-z_]+)*$"})
    errors = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()),
        metadata={"description": "Validation problems: field path (a.b[0].c) → messages, all of them at once."},
    )
    request_id = fields.String(metadata={"description": "Also in the X-Request-ID header; quote it to support."})
    id = fields.String(metadata={"description": "request.open: the open request's id."})
    tracking_code = fields.String(metadata={"description": "request.open: the open request's tracking code."})
    state = fields.String(metadata={"description": "cancellation.closed: the request's state."})
    version = fields.Integer(metadata={"description": "precondition.failed: the request's current version."})


def problem_response(status: int) -> dict[str, Any]:
    """The response component of one error status (``NOT_FOUND`` …)."""
    code = EXAMPLE_CODES.get(status) or code_for_status(status)
    detail = problem_title(code, status, "en")
    example: dict[str, Any] = {
        "type": f"urn:cancelsvc:problem:{code}", "title": detail, "status": status, "detail": detail,
        "code": code, "request_id": "0f9c2b7e5d1a4c3b8e6f7a9d0c1b2e3f",
    }
    if status == 422:
        example["errors"] = {"channel": ["Must be one of: app, web, counter, phone."]}
    response: dict[str, Any] = {
        "description": http.HTTPStatus(status).phrase,
        "content": {PROBLEM_MIMETYPE: {"schema": "Problem", "example": example}},
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"}},
    }
    if status in RETRY_AFTER:
        response["headers"]["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
    return response


def component_name(status: int) -> str:
    return http.HTTPStatus(status).name


def operation(operation_id: str, *answers: int, **doc: Any) -> Callable[[F], F]:
    """Document a view: its ``operationId`` and the business statuses it answers with.

    ``answers`` are the statuses beyond those ``ContractPlugin`` adds for every operation
    of its kind (e.g. 404 for a missing account in a body, 409, 412, 428, 429, 304).
    """
    responses: dict[str, Any] = {str(status): component_name(status) for status in answers}
    parameters = list(doc.pop("parameters", ()))

    def decorate(view: F) -> F:
        view = Blueprint.doc(operationId=operation_id, responses=responses, **doc)(view)
        if parameters:  # added to the view's other parameters (``doc`` would replace them)
            manual = view._apidoc["manual_doc"]  # type: ignore[attr-defined]
            manual["parameters"] = [*manual.get("parameters", ()), *parameters]
        return view

    return decorate


class ContractPlugin(BasePlugin):
    """Adds to every operation the statuses that follow from what it is (module docstring)."""

    def init_spec(self, spec: Any) -> None:
        self.spec = spec
        spec.components.schema("Problem", schema=ProblemSchema)
        spec.components.header("X-Request-ID", {
            "description": "The request's id (also in problem bodies); a sane X-Request-ID sent is kept.",
            "schema": {"type": "string"}})
        spec.components.header("Retry-After", {
            "description": "Seconds to wait before trying again (on 409 only with idempotency.in_progress).",
            "schema": {"type": "integer", "minimum": 0}})
        spec.components.response("NOT_MODIFIED", {
            "description": "Not Modified: the client's copy (If-None-Match) is current; no body.",
            "headers": {"ETag": {"schema": {"type": "string"}}, "Cache-Control": {"schema": {"type": "string"}}}},
            lazy=True)
        for status in http.HTTPStatus:
            if status >= 400:
                spec.components.response(component_name(status), problem_response(status), lazy=True)

    def schema_helper(self, name: str, definition: dict[str, Any], **kwargs: Any) -> dict[str, Any] | None:
        """A schema's ``openapi_rules(ref)`` adds the rules it checks across fields (oneOf …)."""
        schema = kwargs.get("schema")
        rules = getattr(schema, "openapi_rules", None)
        return rules(self._ref) if rules is not None else None

    def _ref(self, schema: type) -> dict[str, str]:
        """A reference to ``schema``'s component, registering it on first use."""
        name = schema.__name__.removesuffix("Schema")
        if name not in self.spec.components.schemas:
            self.spec.components.schema(name, schema=schema)
        return {"$ref": f"#/components/schemas/{name}"}

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **kwargs: Any) -> None:
        for method, op in (operations or {}).items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            if "operationId" not in op:
                raise ValueError(f"{method.upper()} {path}: document it with cancelsvc.contract.operation(...)")
            responses = op["responses"]
            responses.pop("default", None)
            for status in _statuses(path or "", method, op):
                responses.setdefault(str(status), component_name(status))


def _statuses(path: str, method: str, op: Mapping[str, Any]) -> Iterable[int]:
    if op.get("security"):
        yield from CREDENTIAL_STATUSES
    if "requestBody" in op or method in ("post", "put", "patch"):
        yield from BODY_STATUSES
    if any(p.get("in") == "query" for p in op.get("parameters", []) if isinstance(p, dict)):
        yield 422
    if "{" in path:
        yield 404
    yield 503


def field_property(converter: Any, field: fields.Field, ret: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """apispec attribute function: a field with an ``openapi_property()`` documents itself.

    Fields whose JSON form is not a plain marshmallow type (money, ``"asap"`` or a date)
    say what they accept next to the code that accepts it, so both stay one definition.
    """
    describe = getattr(field, "openapi_property", None)
    if describe is None:
        return {}
    for key in ("type", "format", "pattern", "items", "properties"):
        ret.pop(key, None)
    prop: dict[str, Any] = describe()
    return prop


def install(api: Any) -> None:
    """Hook the field descriptions into the application's spec (after ``Api(app)``)."""
    api.ma_plugin.converter.add_attribute_function(field_property)
