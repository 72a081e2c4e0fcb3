"""Conditional GETs of a request: ETag, Cache-Control, Vary and a cheap 304.

The 304 answer reads five columns of one row by primary key (a plain Core statement,
compiled once, no ORM objects) and writes nothing. A GET without ``If-None-Match``
skips that peek and loads the request once.
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
_REQUESTS = CancellationRequest.__table__
# Table columns rather than ORM attributes: the statement skips the ORM execution path.
_PEEK = sa.select(
    _REQUESTS.c.id, _REQUESTS.c.customer_id, _REQUESTS.c.store_code, _REQUESTS.c.version, _REQUESTS.c.state,
).where(_REQUESTS.c.id == sa.bindparam("request_id"))


def cache_header_items(version: int, state: str, locale: str) -> list[tuple[str, str]]:
    """``ETag``, ``Cache-Control`` and ``Vary`` of a request's documents (also the poll front's)."""
    return [("ETag", etag(version, locale)), ("Cache-Control", f"private, max-age={POLL_SECONDS[state]}"),
            ("Vary", VARY)]


def cache_headers(response: Response, version: int, state: str, locale: str) -> Response:
    for name, value in cache_header_items(version, state, locale):
        response.headers[name] = value
    return response


def not_modified(version: int, state: str, locale: str) -> Response:
    return cache_headers(Response(status=304), version, state, locale)


def cached_view(request_id: str, build: Callable[[CancellationRequest], dict[str, Any]]) -> Response:
    """Serve ``build(request)`` with cache headers, or 304 when the client's copy is current."""
    principal = current_principal()
    if len(request_id) > 36:
        raise NotFound(code="cancellation.not_found")
    locale = current_locale()
    conditional = request.headers.get("If-None-Match", "")
    if conditional:
        session = db.session()
        if session.autoflush:
            session.flush()  # what the ORM does before a query; a Core statement does not
        head = session.execute(_PEEK, {"request_id": request_id}).first()
        if head is None or not can_see_request(principal, head):
            raise NotFound(code="cancellation.not_found")
        if is_current(conditional, head.version, locale):
            return not_modified(head.version, head.state, locale)
    # No (matching) If-None-Match: the document needs the whole request anyway.
    req = db.session.get(CancellationRequest, request_id)
    if req is None or not can_see_request(principal, req):
        raise NotFound(code="cancellation.not_found")
    document = build(req)
    response = presented(document)
    return cache_headers(response, req.version, req.state, locale)


def is_current(if_none_match: str, version: int, locale: str) -> bool:
    """Whether an ``If-None-Match`` value names the current ETag (weak or strong)."""
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",") if t.strip()}
    return etag(version, locale) in tags
