"""Nothing secret in a log line: SQL parameters hidden, lines redacted, no query strings."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from cancelsvc.logs import redact
from models import db
from tests.conftest import LOGGED, bearer, secrets_in

SECRET = "whsec_" + "Q" * 43
KEY = "csk_" + "K" * 40


def test_a_failed_write_logs_neither_its_parameters_nor_the_secret_in_its_row(make_app: Callable[..., Flask]) -> None:
    app = make_app()

    def write() -> str:
        db.session.execute(sa.text("INSERT INTO webhook_subscriptions (id, secret) VALUES (:id, :secret)"),
                           {"id": "w-1", "secret": SECRET})
        return "written"

    app.add_url_rule("/_write", "write", write)
    response = app.test_client().get("/_write")
    assert response.status_code == 500
    logged = "\n".join(LOGGED)
    assert "unhandled error" in logged and "IntegrityError" in logged
    assert SECRET not in logged and "'secret'" not in logged
    assert secrets_in(logged) == []
    LOGGED.clear()


def test_access_lines_have_the_path_without_the_query(make_app: Callable[..., Flask], api_key: Any) -> None:
    app = make_app(CANCELSVC_LOG_FORMAT="json")
    client = app.test_client()
    client.get("/t/ABCD2345?k=7KQ3M9X2PR")
    client.get(f"/api/v1/cancellations?store={KEY}", headers=bearer(KEY))
    lines = [json.loads(line) for line in LOGGED if '"cancelsvc.access"' in line]
    assert [line["path"] for line in lines] == ["/t/ABCD2345", "/api/v1/cancellations"]
    assert "?" not in "\n".join(LOGGED) and KEY not in "\n".join(LOGGED)


def test_text_access_lines_say_what_was_asked_and_answered(make_app: Callable[..., Flask]) -> None:
    app = make_app(CANCELSVC_LOG_FORMAT="text")
    app.test_client().get("/t/ABCD2345?k=7KQ3M9X2PR")
    lines = [line for line in LOGGED if " cancelsvc.access " in line]
    assert len(lines) == 1 and " request GET /t/ABCD2345 " in lines[0] and lines[0].endswith(" ms"), lines
    assert "?" not in lines[0]
    LOGGED.clear()


def test_redaction_keeps_what_support_needs() -> None:
    line = ("Key (msisdn)=(+8613800138000) exists; id 110101199003074578; Bearer eyJa.eyJb.c; "
            f"{KEY} {SECRET}; /t/ABCD2345?k=7KQ3M9X2PR; tracking ABCD2345, request 42")
    redacted = redact(line)
    assert secrets_in(redacted) == []
    assert "8000" in redacted and "ABCD2345" in redacted and "request 42" in redacted


def test_make_run_leaves_access_lines_to_the_service() -> None:
    """gunicorn's access log has the query string (and the Referer, which may hold a link token)."""
    from pathlib import Path

    makefile = (Path(__file__).parents[1] / "Makefile").read_text()
    assert "gunicorn" in makefile and "--access-logfile" not in makefile
