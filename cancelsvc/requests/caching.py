"""Conditional requests on a request: ETag, Cache-Control, Vary, a cheap 304 and If-Match.

The ETag names the version and the language (``"v3.zh-CN"``). ``If-None-Match`` and
``If-Match`` are parsed here only, by Werkzeug (``parse_etags``), for Flask and for the
poll front alike.

The 304 answer reads five columns of one row by primary key (a plain Core statement,
compiled once, no ORM objects) and writes nothing. A GET without ``If-None-Match``
skips that peek and loads the request once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Response, request
from werkzeug.datastructures import ETags
from werkzeug.http import parse_etags

from cancelsvc.auth import current_principal
from cancelsvc.common.responses import presented
from cancelsvc.errors import NotFound, PreconditionFailed
from cancelsvc.i18n import current_locale
from cancelsvc.requests.presenter import POLL_SECONDS
from cancelsvc.requests.service import can_see_request
from models import CancellationRequest, db

VARY = "Accept-Language, Authorization"
_REQUESTS = CancellationRequest.__table__
# Table columns rather than ORM attributes: the statement skips the ORM execution path.
_PEEK = sa.select(
    _REQUESTS.c.id, _REQUESTS.c.customer_id, _REQUESTS.c.store_code, _REQUESTS.c.version, _REQUESTS.c.state,
).where(_REQUESTS.c.id == sa.bindparam("request_id"))


#: OpenAPI description of the header a conditional write needs.
IF_MATCH = {"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
            "description": "The ETag of the copy being changed (428 without it, 412 when stale)"}


def etag(version: int, locale: str) -> str:
    """Changes exactly when the version or the language changes."""
    return f'"v{version}.{locale}"'


def is_current(if_none_match: ETags, version: int, locale: str) -> bool:
    """Whether ``If-None-Match`` names the current ETag (weak or strong comparison)."""
    tag = f"v{version}.{locale}"
    return if_none_match.is_strong(tag) or if_none_match.is_weak(tag)


@functools.lru_cache(maxsize=1024)
def if_none_match(value: str | None) -> ETags:
    """A raw ``If-None-Match`` header (the poll front has no Flask request); a poller sends
    the same value again and again, so parsed values are kept."""
    return parse_etags(value)


def if_match_version() -> int:
    """The version the request's ``If-Match`` names: 428 without the header, 412 unless it
    names exactly one version of ours."""
    if not request.headers.get("If-Match"):
        raise PreconditionFailed(code="precondition.required", status=428)
    versions = {version for tag in request.if_match.as_set(include_weak=True)
                if (version := _version(tag)) is not None}
    if len(versions) != 1:
        raise PreconditionFailed(code="precondition.failed")
    return versions.pop()


def _version(tag: str | None) -> int | None:
    number = tag[1:].split(".", 1)[0] if tag and tag.startswith("v") else ""  # Werkzeug gives None for W/""
    return int(number) if number.isascii() and number.isdigit() else None


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
    conditional = request.if_none_match
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

