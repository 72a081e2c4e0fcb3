"""flask-smorest ``Api`` whose every HTTP error is problem+json."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Api as SmorestApi
from werkzeug.exceptions import HTTPException

from cancelsvc.error_texts import code_for_status
from cancelsvc.errors import flatten_messages, problem_response


class Api(SmorestApi):
    """The service's API object: documents problem+json and emits it for HTTP errors.

    Error responses are documented by ``cancelsvc.contract`` (``ContractPlugin``): one
    problem+json component per status and no catch-all ``default``.
    """

    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_responses(self) -> None:
        """The problem responses are registered by ``cancelsvc.contract.ContractPlugin``."""

    def handle_http_exception(self, error: HTTPException) -> Response:
        return http_exception_to_problem(error)


def http_exception_to_problem(error: HTTPException) -> Response:
    """Map a Werkzeug/webargs HTTP exception to a problem response."""
    status = error.code or 500
    data: dict[str, Any] = getattr(error, "data", None) or {}
    code = data.get("code") or code_for_status(status)
    errors = None
    detail = None
    messages = data.get("errors") or data.get("messages")
    if status == 400 and messages:
        # webargs reports an unparsable JSON body as a 400 with a message
        code = "request.malformed_json"
    elif messages:
        # webargs nests messages under the location ("json", "query", ...)
        if isinstance(messages, dict) and len(messages) == 1 and next(iter(messages)) in (
            "json", "query", "headers", "form", "files", "view_args", "path", "cookies"
        ):
            messages = next(iter(messages.values()))
        errors = flatten_messages(messages)
    if status == 500:
        detail = None  # never leak internals
    elif status == 405:
        detail = None
    headers = dict(data.get("headers") or {})
    valid_methods = getattr(error, "valid_methods", None)  # set by MethodNotAllowed
    if status == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return problem_response(status, code, detail, errors=errors, headers=headers)
