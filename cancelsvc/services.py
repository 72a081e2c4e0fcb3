"""The application's services, built once by ``register_services`` and read through ``services()``.

Everything a request or a job needs besides the database lives in one typed object,
``app.extensions["cancelsvc"]``: the settings, the working-day calendar, the snapshot
loader of the pre-check, the risk assessor, the job registry (sweepers and outbox
subscribers, listed here by explicit import), the version book (requests' versions and
valid API keys) and the public progress documents kept while exact. Code reads settings from it
(``settings().CANCELSVC_TIMEZONE``), never from ``app.config``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from cancelsvc.config import Settings, parse_sla
from cancelsvc.jobs.registry import JobRegistry
from cancelsvc.notifications.transports.registry import MessageTransports
from cancelsvc.pool import Deadlines
from cancelsvc.precheck.loading import SnapshotLoader
from cancelsvc.requests.kept import KeptDocuments
from cancelsvc.requests.versions import VersionBook
from cancelsvc.risk.serving import RiskAssessor
from cancelsvc.workdays import WorkCalendar, parse_extra_holidays

KEY = "cancelsvc"


@dataclass(frozen=True)
class Services:
    """One application's services (see the module docstring)."""

    settings: Settings
    calendar: WorkCalendar
    sla_working_days: dict[str, int]
    snapshots: SnapshotLoader
    risk: RiskAssessor
    jobs: JobRegistry
    #: Requests' versions and valid API keys, kept current (the poll front's and ``auth.keys``').
    versions: VersionBook
    #: How messages to customers leave (sink, SMTP, SMPP), opened when first used.
    messages: MessageTransports
    #: Statement deadlines of the database engines (``cancelsvc.pool``).
    deadlines: Deadlines
    #: Public progress documents kept while exact (``requests.kept``).
    documents: KeptDocuments = field(default_factory=KeptDocuments)
    #: ``() -> {component: state}`` checks reported by ``/readyz``.
    readiness: list[Callable[[], dict[str, Any]]] = field(default_factory=list)


def register_services(app: Flask, settings: Settings) -> Services:
    """Build the services from ``settings`` and store them on ``app``."""
    from functools import partial

    from cancelsvc import idempotency
    from cancelsvc.notifications import inbound, moments, sender
    from cancelsvc.outbox import dispatcher
    from cancelsvc.requests import sweepers as request_sweepers
    from cancelsvc.requests.service import open_request_columns
    from cancelsvc.risk.serving import prior_requests_column
    from cancelsvc.webhooks import delivery

    risk = RiskAssessor(settings.CANCELSVC_MODEL_DIR)
    messages = MessageTransports(settings)
    messages.on_inbound = partial(inbound.record_inbound, app)
    deadlines = Deadlines(settings.CANCELSVC_DB_TIMEOUT_SECONDS)
    built = Services(
        settings=settings,
        calendar=WorkCalendar(parse_extra_holidays(settings.CANCELSVC_EXTRA_HOLIDAYS)),
        sla_working_days=parse_sla(settings.CANCELSVC_SLA_WORKING_DAYS),
        snapshots=SnapshotLoader(open_request=open_request_columns, prior_requests=prior_requests_column),
        risk=risk,
        jobs=JobRegistry(
            sweepers=(request_sweepers.advance_requests, dispatcher.dispatch_events, delivery.deliver_due,
                      idempotency.expire_records, sender.send_due, inbound.handle_inbound,
                      moments.apologise_for_late_steps),
            subscribers=(delivery.schedule_deliveries, moments.on_created, moments.on_state_changed,
                         moments.on_node_changed),
        ),
        versions=VersionBook(sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]), deadlines),
        messages=messages,
        deadlines=deadlines,
        readiness=[lambda: {"risk_model": risk.status()}, messages.readiness],
    )
    app.extensions[KEY] = built
    return built


def services(app: Flask | None = None) -> Services:
    """The services of ``app`` (default: the current application)."""
    found: Services = (app or current_app).extensions[KEY]
    return found


def settings() -> Settings:
    """The current application's settings."""
    return services().settings
