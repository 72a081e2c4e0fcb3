"""Logging configured once: JSON lines (or text) with the request id on every record."""

from __future__ import annotations

import logging
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

ACCESS = logging.getLogger("cancelsvc.access")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record emitted while serving a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_request_context() else None
        return True


def configure_logging(app: Flask) -> None:
    """Install one handler on the root logger, in the configured format and level."""
    handler = logging.StreamHandler(sys.stderr)
    if app.config["CANCELSVC_LOG_FORMAT"] == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_cancelsvc", False)]:
        root.removeHandler(old)
    handler._cancelsvc = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(app.config["CANCELSVC_LOG_LEVEL"])
    # The app logs its own access lines; werkzeug's duplicate them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)

    app.before_request(_start_request)
    app.after_request(_finish_request)


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    if ACCESS.isEnabledFor(logging.INFO):
        ACCESS.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
            },
        )
    return response
