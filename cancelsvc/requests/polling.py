"""Progress polls answered in front of Flask when the answer is certain.

Customers' apps poll ``GET /api/v1/cancellations/{id}/progress`` for days, and almost
every poll finds nothing new. ``PollFront`` is a WSGI middleware that answers such a poll
knowing only the request's current version and that the caller may read it — the
credential read by ``auth.bearer.read_bearer``, its owner and the request's head from
``VersionBook`` (memory on PostgreSQL, or one indexed read), then the view's own
``@require`` policy and the one visibility rule (``customers.service.visible_to``) — when
it can be certain of the answer:

- the client's copy is current (``If-None-Match`` names the ETag) → ``304``;
- the document for this version and language was built in this process less than
  ``BODY_SECONDS`` ago → ``200`` with that document, byte for byte.

Everything else goes to Flask unchanged: staff sessions, unknown or revoked credentials,
requests the caller may not see, a first poll, a database error, a full pool. So every
error response (401, 403, 404, 503…) still comes from the one place that makes them, and
the front can only ever be a shortcut to what Flask would have answered. A document
Flask builds for a caller the front recognised is kept for the next polls of the same
version and language (the document does not depend on who asks, only on whether they may).

Node statuses and SLA flags are derived at read time, so a kept document may be up to
``BODY_SECONDS`` behind the clock; the version check makes every change visible at once.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from cachetools import LRUCache
from flask import Flask

from cancelsvc.auth.bearer import read_bearer
from cancelsvc.auth.keys import key_principal
from cancelsvc.auth.principal import Policy, Principal, policy_of
from cancelsvc.auth.tokens import customer_principal, public_key
from cancelsvc.customers.service import visible_to
from cancelsvc.errors import Unauthorized
from cancelsvc.logs import log_access, request_id_from
from cancelsvc.requests import presenter
from cancelsvc.requests.caching import cache_header_items, etag, if_none_match, is_current
from cancelsvc.requests.versions import Head, VersionBook
from cancelsvc.services import services
from cancelsvc.texts import negotiate

log = logging.getLogger(__name__)

PATH = re.compile(r"/api/v1/cancellations/([0-9A-Fa-f-]{36})/progress")
#: How long a built document is served again for the same version and language.
BODY_SECONDS = 15
#: Documents kept per process (each ~5 KB).
BODY_ENTRIES = 2048

StartResponse = Callable[..., Any]
Headers = list[tuple[str, str]]


class PollFront:
    """WSGI middleware for ``GET …/cancellations/{id}/progress`` (see the module docstring)."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]], policy: Policy) -> None:
        self.wsgi_app = wsgi_app
        wired = services(app)
        self._secret = wired.settings.CANCELSVC_JWT_SECRET
        self._public_key_setting = wired.settings.CANCELSVC_JWT_PUBLIC_KEY
        self._policy = policy
        self.book: VersionBook = wired.versions
        # A second connection cannot see an in-memory SQLite database: then Flask serves.
        self.enabled = self.book.shares_database
        self._lock = threading.Lock()
        self._bodies: LRUCache[tuple[str, str], tuple[bytes, Headers, Any]] = LRUCache(BODY_ENTRIES)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.enabled and environ.get("REQUEST_METHOD") == "GET":
            match = PATH.fullmatch(environ.get("PATH_INFO", ""))
            if match:
                return self._poll(environ, start_response, match.group(1))
        return self.wsgi_app(environ, start_response)

    # -- one poll --------------------------------------------------------------------------

    def _poll(self, environ: dict[str, Any], start_response: StartResponse, request_id: str) -> Iterable[bytes]:
        started = time.perf_counter()
        head = self._peek(environ, request_id)
        if head is None:
            return self.wsgi_app(environ, start_response)
        version, state = head
        locale = negotiate(environ.get("HTTP_ACCEPT_LANGUAGE"))
        conditional = environ.get("HTTP_IF_NONE_MATCH")
        if conditional and is_current(if_none_match(conditional), version, locale):
            headers = cache_header_items(version, state, locale)
            return self._answer(environ, start_response, "304 NOT MODIFIED", headers, b"", started)
        kept = self._kept(request_id, etag(version, locale))
        if kept is not None:
            body, headers = kept
            return self._answer(environ, start_response, "200 OK", list(headers), body, started)
        return self._build(environ, start_response, request_id)

    def _answer(self, environ: dict[str, Any], start_response: StartResponse, status: str, headers: Headers,
                body: bytes, started: float) -> list[bytes]:
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        headers.append(("X-Request-ID", request_id))
        start_response(status, headers)
        log_access("GET", environ.get("PATH_INFO", ""), int(status[:3]), started, request_id)
        return [body]

    def _build(self, environ: dict[str, Any], start_response: StartResponse, request_id: str) -> list[bytes]:
        """Let Flask build the document, and keep it for the next polls of this version."""
        answered: dict[str, Any] = {}

        def remember(status: str, headers: Headers, exc_info: Any = None) -> Any:
            answered.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, remember)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        headers = answered.get("headers") or []
        names = {name.lower(): value for name, value in headers}
        if str(answered.get("status", "")).startswith("200") and "etag" in names and "set-cookie" not in names:
            kept = [(name, value) for name, value in headers if name.lower() != "x-request-id"]
            with self._lock:
                self._bodies[(request_id, names["etag"])] = (body, kept, presenter.utcnow())
        return [body]

    def _kept(self, request_id: str, tag: str) -> tuple[bytes, Headers] | None:
        with self._lock:
            entry = self._bodies.get((request_id, tag))
        if entry is None:
            return None
        body, headers, built_at = entry
        # The document's own clock (tests move it): fresh for BODY_SECONDS after it was built.
        age = (presenter.utcnow() - built_at).total_seconds()
        return (body, headers) if 0 <= age < BODY_SECONDS else None

    # -- the one read ----------------------------------------------------------------------

    def _peek(self, environ: dict[str, Any], request_id: str) -> tuple[int, str] | None:
        """(version, state) when the bearer credential may read the request; None otherwise."""
        header = environ.get("HTTP_AUTHORIZATION")
        if not header:
            return None  # a staff session or no credential: Flask answers
        try:
            bearer = read_bearer(header, self._secret, public_key(self._public_key_setting))
        except Unauthorized:
            return None
        principal: Principal | None = None
        head: Head | None = None
        if bearer.kind == "api_key":
            keyed = self.book.for_key(request_id, bearer.ref)
            if keyed is not None:
                head, key = keyed
                principal = key_principal(*key) if key is not None else None
        else:
            owned = self.book.for_customer(request_id, bearer.ref)
            if owned is not None:
                head, customer_id = owned
                principal = customer_principal(bearer.ref, customer_id) if customer_id is not None else None
        if head is None or principal is None:
            return None
        if not (self._policy.allows(principal) and visible_to(principal, head.customer_id, head.store_code)):
            return None
        return head.version, head.state


def install(app: Flask) -> None:
    """Put the front before the application (``app.wsgi_app``), with the progress view's policy."""
    from cancelsvc.requests.routes import CancellationProgress

    policy = policy_of(CancellationProgress.get)
    assert policy is not None, "the progress view declares its callers"
    front = PollFront(app, app.wsgi_app, policy)
    app.wsgi_app = front  # type: ignore[method-assign]  # Flask's documented way to add a middleware
    app.extensions["cancelsvc.poll_front"] = front
