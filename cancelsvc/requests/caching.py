"""Conditional GETs of a request: ETag, Cache-Control, Vary and a cheap 304.

The 304 answer reads four columns of one row by primary key and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Response, request

from cancelsvc.auth import current_principal
from cancelsvc.common.responses import presented
from cancelsvc.errors import NotFound
from cancelsvc.i18n import current_locale
from cancelsvc.requests.presenter import POLL_SECONDS, etag
from cancelsvc.requests.service import can_see_request
from models import CancellationRequest, db

VARY = "Accept-Language, Authorization"
_PEEK = sa.select(
    CancellationRequest.id, CancellationRequest.customer_id, CancellationRequest.store_code,
    CancellationRequest.version, CancellationRequest.state,
)


def cache_headers(response: Response, version: int, state: str, locale: str) -> Response:
    response.headers["ETag"] = f'"v{version}.{locale}"'
    response.headers["Cache-Control"] = f"private, max-age={POLL_SECONDS[state]}"
    response.headers["Vary"] = VARY
    return response


def not_modified(version: int, state: str, locale: str) -> Response:
    return cache_headers(Response(status=304), version, state, locale)


def cached_view(request_id: str, build: Callable[[CancellationRequest], dict[str, Any]],
                dump: Callable[[Any], Any] | None = None) -> Response:
    """Serve ``build(request)`` with cache headers, or 304 when the client's copy is current."""
    principal = current_principal()
    head = db.session.execute(_PEEK.where(CancellationRequest.id == request_id)).first() \
        if len(request_id) <= 36 else None
    if head is None or not can_see_request(principal, head):
        raise NotFound(code="cancellation.not_found")
    locale = current_locale()
    tag = f'"v{head.version}.{locale}"'
    if tag in _tags(request.headers.get("If-None-Match", "")):
        return not_modified(head.version, head.state, locale)
    req = db.session.get(CancellationRequest, request_id)
    document = build(req)
    response = presented(dump(document) if dump else document)
    return cache_headers(response, req.version, req.state, locale)


def _tags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


__all__ = ["cache_headers", "cached_view", "etag", "not_modified"]
