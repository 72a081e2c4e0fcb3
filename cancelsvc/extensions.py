"""Extension objects, unbound; ``init_app`` happens in the application factory."""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate

from cancelsvc import ratelimits  # noqa: F401 - registers the sqlite:// storage with limits
from cancelsvc.i18n import CatalogBabel
from models import db


def _client_address() -> str:
    return request.remote_addr or "unknown"


migrate = Migrate(compare_type=True, render_as_batch=True)
babel = CatalogBabel()
limiter = Limiter(key_func=_client_address, default_limits=[], headers_enabled=True)
login_manager = LoginManager()

__all__ = ["babel", "db", "limiter", "login_manager", "migrate"]
