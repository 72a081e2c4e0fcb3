"""``/healthz``, ``/readyz`` and the locally served Swagger UI assets."""

from __future__ import annotations

from typing import Any

import swagger_ui_bundle
from flask import Blueprint, jsonify, send_from_directory
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from cancelsvc.errors import problem_response
from cancelsvc.services import services
from models import db

blp = Blueprint("ops", __name__)
# Served from the installed package so the docs page works without internet access.
docs_assets = Blueprint("docs_assets", __name__)


@blp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness: the process answers."""
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Readiness: the database answers; other components report their state."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return problem_response(503, "service.unavailable", headers={"Retry-After": "5"}, checks={"database": "down"})
    checks: dict[str, Any] = {"database": "ok"}
    for check in services().readiness:
        checks.update(check())
    return jsonify(status="ready", checks=checks)


@docs_assets.get("/api/v1/docs-assets/<path:filename>")
def asset(filename: str) -> ResponseReturnValue:
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)
