"""The one error contract: domain exceptions and RFC 9457 problem+json responses."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Response, current_app, g, json

from cancelsvc.error_texts import problem_title
from cancelsvc.i18n import current_locale
from cancelsvc.texts.validation import localise_errors

log = logging.getLogger(__name__)

PROBLEM_MIMETYPE = "application/problem+json"


class AppError(Exception):
    """A failure with a stable machine ``code`` that becomes a problem response."""

    status: int = 500
    code: str = "internal"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        errors: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or code or self.code)
        self.detail = detail
        if code:
            self.code = code
        if status:
            self.status = status
        self.errors = dict(errors) if errors else None
        self.headers = dict(headers or {})
        self.extra = extra


class BadRequest(AppError):
    status, code = 400, "request.malformed"


class Unauthorized(AppError):
    status, code = 401, "auth.unauthenticated"


class Forbidden(AppError):
    status, code = 403, "auth.forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class PreconditionFailed(AppError):
    status, code = 412, "precondition.failed"


class Unprocessable(AppError):
    status, code = 422, "validation"


class TooManyRequests(AppError):
    status, code = 429, "rate_limited"


class Unavailable(AppError):
    status, code = 503, "service.unavailable"


def problem_response(
    status: int,
    code: str,
    detail: str | None = None,
    *,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Build an ``application/problem+json`` response in the request's language
    (the title, and every field message of ``errors``)."""
    locale = current_locale()
    body: dict[str, Any] = {
        "type": f"urn:cancelsvc:problem:{code}",
        "title": problem_title(code, status, locale),
        "status": status,
        "detail": detail or problem_title(code, status, locale),
        "code": code,
    }
    if errors:
        body["errors"] = localise_errors(errors, locale)
    body.update(extra)
    request_id = g.get("request_id") if g else None
    if request_id:
        body["request_id"] = request_id
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MIMETYPE
    )
    response.headers["Content-Language"] = locale
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_app_error(error: AppError) -> Response:
    return problem_response(
        error.status,
        error.code,
        error.detail,
        errors=error.errors,
        headers=error.headers,
        **error.extra,
    )


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error dict into ``{"a.b[0].c": [messages]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix or "$"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten_messages(value, path))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out.setdefault(prefix or "$", []).extend(messages)
    elif isinstance(messages, list):
        for item in messages:
            out.update(flatten_messages(item, prefix))
    else:
        out.setdefault(prefix or "$", []).append(str(messages))
    return out
