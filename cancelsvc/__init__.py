"""cancelsvc: tells a customer everything needed to cancel a line, then tracks it.

``create_app`` loads the configuration first, then runs named registration steps:
``register_services`` builds the one typed services object (``cancelsvc.services``).
Nothing happens at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from flask import Flask

from cancelsvc.common.jsoncodec import OrjsonProvider
from cancelsvc.common.jsoncodec import dumps as json_dumps
from cancelsvc.common.jsoncodec import loads as json_loads
from cancelsvc.config import Settings
from cancelsvc.pool import engine_options, install_checks
from cancelsvc.services import register_services


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides environment settings (tests use it)."""
    app = Flask(__name__, instance_relative_config=True)
    settings = load_config(app, config)
    configure_logging(app, settings)
    register_services(app, settings)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    register_hooks(app)
    register_front(app)
    register_proxies(app)
    return app


def load_config(app: Flask, overrides: Mapping[str, Any] | None) -> Settings:
    """Environment (with `.env` when present) → validated ``Settings``; Flask's own keys → ``app.config``."""
    project_root = Path(app.instance_path).parent
    environ: dict[str, str] = {}
    env_file = project_root / ".env"
    if env_file.exists() and not (overrides or {}).get("TESTING"):
        environ.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    environ.update(os.environ)
    settings = Settings.load(environ, overrides).with_secrets(Path(app.instance_path)).resolved(project_root)
    app.config.update(settings.flask_config(project_root))
    app.json = OrjsonProvider(app)  # documents in schema order, UTF-8 Chinese as is
    app.config.update(
        # Connections are checked on checkout by cancelsvc.pool, not pinged every time.
        SQLALCHEMY_ENGINE_OPTIONS={**engine_options(app.config["SQLALCHEMY_DATABASE_URI"],
                                                    settings.CANCELSVC_DB_TIMEOUT_SECONDS),
                                   "json_serializer": json_dumps, "json_deserializer": json_loads},
        API_TITLE="cancelsvc",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/api/v1/docs-assets/",
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        RATELIMIT_HEADERS_ENABLED=True,
        # Retry-After belongs to 429, 503 and 409 idempotency.in_progress only (set by their
        # handlers); Flask-Limiter would put it on every response of a limited route.
        RATELIMIT_HEADER_RETRY_AFTER="X-RateLimit-Retry-After",
    )
    return settings


def configure_logging(app: Flask, settings: Settings) -> None:
    from cancelsvc.logs import configure_logging as configure

    configure(app, settings)


def register_extensions(app: Flask) -> None:
    from cancelsvc.api import Api
    from cancelsvc.auth.sessions import BearerAwareSessionInterface, load_user
    from cancelsvc.contract import ContractPlugin
    from cancelsvc.contract import install as install_contract
    from cancelsvc.database import writes
    from cancelsvc.extensions import babel, db, limiter, login_manager, migrate
    from cancelsvc.i18n import babel_locale, install_template_gettext
    from cancelsvc.requests.versions import watch_sessions
    from cancelsvc.sending import install as install_sending
    from cancelsvc.services import services
    from cancelsvc.texts import LOCALES, translations
    from models.base import install_sqlite_listeners

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            install_sqlite_listeners(engine, writes=writes)
            install_checks(engine, services(app).deadlines)
            services(app).deadlines.install(engine)
            install_sending(engine, services(app).deadlines)
    watch_sessions(db.session)  # the version book forgets what this process commits
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    for locale in LOCALES:
        translations(locale)  # a missing compiled catalog stops start-up, naming `make translations`
    babel.init_app(app, locale_selector=babel_locale, default_timezone="UTC")
    install_template_gettext(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    app.session_interface = BearerAwareSessionInterface()
    login_manager.user_loader(load_user)
    login_manager.login_view = "console.login"
    # One Api object per application, so apps built in tests never share state.
    api = Api(app, spec_kwargs={
        "info": {"description": "Cancel a line painlessly: pre-check, request, tracking."},
        "extra_plugins": [ContractPlugin()],
    })
    install_contract(api)
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "API key (csk_…) or customer JWT"}
    )
    app.extensions["cancelsvc.api"] = api


def register_blueprints(app: Flask) -> None:
    from cancelsvc.api import TextConverter
    from cancelsvc.calls.routes import blp as calls_blp
    from cancelsvc.console.routes import blp as console_blp
    from cancelsvc.customers.routes import blp as customers_blp
    from cancelsvc.notifications.routes import blp as messages_blp
    from cancelsvc.ops.routes import blp as ops_blp
    from cancelsvc.ops.routes import docs_assets
    from cancelsvc.precheck.routes import blp as prechecks_blp
    from cancelsvc.requests.routes import blp as cancellations_blp
    from cancelsvc.requests.routes import events_blp
    from cancelsvc.tracking.page import blp as tracking_page_blp
    from cancelsvc.tracking.routes import blp as tracking_blp
    from cancelsvc.webhooks.routes import blp as webhooks_blp

    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    api = app.extensions["cancelsvc.api"]
    for blp in (customers_blp, prechecks_blp, cancellations_blp, events_blp, tracking_blp, webhooks_blp,
                calls_blp, messages_blp):
        api.register_blueprint(blp, url_prefix=f"/api/v1{blp.url_prefix or ''}")
    app.register_blueprint(ops_blp)
    app.register_blueprint(docs_assets)
    app.register_blueprint(console_blp)
    app.register_blueprint(tracking_page_blp)
    register_template_vocabularies(app)


def register_template_vocabularies(app: Flask) -> None:
    """The vocabularies the pages compare codes with: templates name ``RequestState.COMPLETED``,
    never a raw ``'completed'``."""
    from cancelsvc.precheck.codes import FindingCode
    from models.vocabulary import OPEN_NODE_STATUSES, OPEN_STATES, ItemStatus, NodeStatus, Owner, RequestState

    app.jinja_env.globals.update(RequestState=RequestState, OPEN_STATES=OPEN_STATES, ItemStatus=ItemStatus,
                                 NodeStatus=NodeStatus, OPEN_NODE_STATUSES=OPEN_NODE_STATUSES, Owner=Owner,
                                 FindingCode=FindingCode)


def register_error_handlers(app: Flask) -> None:
    from cancelsvc.handlers import register

    register(app)


def register_commands(app: Flask) -> None:
    from cancelsvc.audit.cli import audit_cli
    from cancelsvc.auth.cli import keys_cli, tokens_cli, users_cli
    from cancelsvc.demo.cli import demo_cli
    from cancelsvc.imports.cli import data_cli
    from cancelsvc.jobs.cli import jobs_cli
    from cancelsvc.notifications.cli import messages_cli
    from cancelsvc.ops.cli import openapi_cli
    from cancelsvc.risk.export import ml_cli

    for group in (keys_cli, users_cli, tokens_cli, data_cli, demo_cli, openapi_cli, jobs_cli, audit_cli, ml_cli,
                  messages_cli):
        app.cli.add_command(group)


def register_hooks(app: Flask) -> None:
    from cancelsvc.handlers import forget_previous_caller

    app.before_request(forget_previous_caller)


def register_proxies(app: Flask) -> None:
    """Behind ``CANCELSVC_TRUSTED_PROXIES`` reverse proxies, the client address and the scheme
    come from their X-Forwarded-For / X-Forwarded-Proto (Werkzeug's ProxyFix, outermost)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from cancelsvc.services import services

    proxies = services(app).settings.CANCELSVC_TRUSTED_PROXIES
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def register_front(app: Flask) -> None:
    """WSGI middleware before Flask: progress polls answered from one read when certain
    (``CANCELSVC_POLL_FRONT=off`` leaves every poll to Flask)."""
    from cancelsvc.requests.polling import install
    from cancelsvc.services import services

    if services(app).settings.CANCELSVC_POLL_FRONT:
        install(app)
