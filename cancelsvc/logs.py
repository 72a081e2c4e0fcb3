"""Logging configured once: JSON lines (or text) with the request id on every record.

Nothing secret reaches a log line. SQL parameters are never put into errors
(``hide_parameters`` on every engine, ``cancelsvc.pool.engine_options``), access lines carry
the path without the query string, and every line the handler writes — tracebacks of
unexpected errors included (a database error quotes the row it refused) — passes
``redact``: API keys, webhook secrets, bearer tokens (JWT), link tokens (``?k=``), phone
numbers (all but the last 4 digits) and identity numbers are replaced.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import TextIO

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from cancelsvc.config import Settings

ACCESS = logging.getLogger("cancelsvc.access")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record emitted while serving a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id")
        elif not hasattr(record, "request_id"):
            record.request_id = None
        return True


#: (pattern, replacement) applied to every formatted line, in this order.
REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(csk|whsec)_[A-Za-z0-9_\-]{8,}"), r"\1_[redacted]"),
    (re.compile(r"(?i)(bearer\s+)[^\s\"',]+"), r"\1[redacted]"),
    (re.compile(r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"), "[token redacted]"),
    (re.compile(r"([?&]k=)[^&\s\"']+"), r"\1[redacted]"),
    (re.compile(r"\[parameters: .*?\](?=\s|$|\n|\\n)", re.S), "[parameters redacted]"),
    (re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{5}(?:19|20)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}[0-9Xx](?![0-9A-Za-z])"),
     "[identity number redacted]"),
    (re.compile(r"(?<![0-9A-Za-z])(\+?86[ -]?)?1[3-9][0-9]([ -]?)[0-9]{4}\2([0-9]{4})(?![0-9A-Za-z])"), r"\1***\2****\2\3"),
)


def redact(text: str) -> str:
    """``text`` with every secret ``REDACTIONS`` knows replaced."""
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    """Formats with ``inner``, then ``redact``s the line (message, extras and traceback alike)."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.inner.format(record))


class _TextFormatter(logging.Formatter):
    """The text format: an access line shows its method, path, status and time after its
    message (the JSON format carries them as fields)."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        if record.name == ACCESS.name and hasattr(record, "status"):
            fields = record.__dict__
            line += f" {fields.get('method')} {fields.get('path')} {fields.get('status')} {fields.get('duration_ms')} ms"
        return line


class _AppHandler(logging.StreamHandler[TextIO]):
    """The handler ``configure_logging`` installs (and replaces when called again)."""


def configure_logging(app: Flask, settings: Settings) -> None:
    """Install one handler on the root logger, in the configured format and level."""
    handler = _AppHandler(sys.stderr)
    inner: logging.Formatter
    if settings.CANCELSVC_LOG_FORMAT == "json":
        inner = JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"},
        )
    else:
        inner = _TextFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    handler.setFormatter(RedactingFormatter(inner))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _AppHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.CANCELSVC_LOG_LEVEL)
    # The app logs its own access lines; werkzeug's duplicate them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)

    app.before_request(_start_request)
    app.after_request(_finish_request)


def request_id_from(incoming: str | None) -> str:
    """The caller's ``X-Request-ID`` when it is sensible, a fresh id otherwise."""
    return incoming if incoming and len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex


def log_access(method: str, path: str, status: int, started: float, request_id: str | None = None) -> None:
    """One access line (formatted only when ``cancelsvc.access`` logs at INFO)."""
    if ACCESS.isEnabledFor(logging.INFO):
        extra: dict[str, object] = {
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        }
        if request_id is not None:
            extra["request_id"] = request_id
        ACCESS.info("request", extra=extra)


def _start_request() -> None:
    g.request_id = request_id_from(request.headers.get("X-Request-ID"))
    g.started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    log_access(request.method, request.path, response.status_code, g.get("started", time.perf_counter()))
    return response
