"""Extension objects, unbound; ``init_app`` happens in the application factory."""

from __future__ import annotations

from flask import request
from flask_login import LoginManager
from flask_migrate import Migrate

from cancelsvc.i18n import CatalogBabel
from cancelsvc.ratelimits import RouteLimiter  # also registers the sqlite:// storage with limits
from models import db


def _client_address() -> str:
    return request.remote_addr or "unknown"


migrate = Migrate(compare_type=True, render_as_batch=True)
babel = CatalogBabel()
limiter = RouteLimiter(key_func=_client_address, default_limits=[], headers_enabled=True)
login_manager = LoginManager()

__all__ = ["babel", "db", "limiter", "login_manager", "migrate"]
