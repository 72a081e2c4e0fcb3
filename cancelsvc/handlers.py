"""Application-wide error handlers and request guards: everything becomes problem+json, except
an unknown address of a browser page (outside ``/api/``), which gets that area's HTML page."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from flask import Flask, Response, current_app, g, request
from flask.sansio.app import App
from flask.typing import ResponseReturnValue
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from cancelsvc.api import http_exception_to_problem
from cancelsvc.errors import AppError, from_app_error, problem_response

log = logging.getLogger(__name__)


def register(app: Flask) -> None:
    """Install the handlers; flask-smorest's Api already routes HTTPException here too."""
    app.register_error_handler(AppError, from_app_error)
    app.register_error_handler(RateLimitExceeded, _rate_limited)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(PoolTimeout, _database_unavailable)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(Exception, _unexpected)


def register_not_found_page(app: App, prefix: str, render: Callable[[], ResponseReturnValue]) -> None:
    """``render`` answers a browser that asks for an unknown address under ``prefix`` (say
    ``/console/``; the bare ``/console`` too) with a page of that area instead of problem+json."""
    app.extensions.setdefault("cancelsvc.not_found_pages", []).append((prefix, render))


def _wants_html() -> bool:
    if request.path.startswith("/api/"):
        return False
    offered = ("application/problem+json", "application/json", "text/html")
    return request.accept_mimetypes.best_match(offered) == "text/html"


def _http_error(error: HTTPException) -> ResponseReturnValue:
    if error.code == 404 and _wants_html():
        path = request.path
        for prefix, render in current_app.extensions.get("cancelsvc.not_found_pages", ()):
            if path.startswith(prefix) or path == prefix.rstrip("/"):
                return render()
    return http_exception_to_problem(error)


def forget_previous_caller() -> None:
    """Caller and language are per request, even when an app context is shared (tests, CLI)."""
    g.pop("principal", None)
    g.pop("locale", None)
    g.pop("_login_user", None)  # Flask-Login's cache of the console user


def _rate_limited(error: RateLimitExceeded) -> Response:
    """429 with the seconds until the exceeded window ends (the whole window when unknown)."""
    from cancelsvc.extensions import limiter

    retry_after = 60
    limit = getattr(error, "limit", None)
    if limit is not None:
        retry_after = int(limit.limit.get_expiry())
    current = limiter.current_limit
    if current is not None:
        retry_after = max(1, math.ceil(current.reset_at - time.time()))
    return problem_response(429, "rate_limited", headers={"Retry-After": str(retry_after)})


def _database_unavailable(error: DBAPIError | PoolTimeout) -> Response:
    """503: the database did not answer in time (connect, pool checkout, statement) or is down."""
    cause = getattr(error, "orig", None)
    log.error("database unavailable: %s", type(cause or error).__name__)
    return problem_response(503, "service.unavailable", headers={"Retry-After": "5"})


def _database_error(error: DBAPIError) -> Response:
    if error.connection_invalidated:
        return _database_unavailable(error)
    return _unexpected(error)


def _unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return http_exception_to_problem(error)
    log.exception("unhandled error")
    return problem_response(500, "internal")
