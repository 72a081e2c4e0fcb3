"""Scheduled jobs: sweepers over the database, run by ``jobs tick`` or ``jobs run``.

- ``@sweeper("name")`` registers ``func(now) -> int`` (``registry``);
- ``claim`` / ``holding`` / ``sweep_rows`` give row claims, one transaction per unit
  (``claims``);
- ``tick(now=None)`` runs every sweeper once;
- ``jobs run`` runs a Huey consumer that enqueues every sweeper every few seconds
  (``queue``).

Sweepers and outbox subscribers are registered when their modules are imported;
``init_app`` imports the modules the application factory names.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from flask import Flask

from cancelsvc.jobs.claims import DEFAULT_LEASE, Claim, claim, configured_lease, holding, sweep_rows
from cancelsvc.jobs.registry import TickReport, run_sweeper, sweeper, sweepers, tick

__all__ = [
    "DEFAULT_LEASE",
    "Claim",
    "TickReport",
    "claim",
    "holding",
    "init_app",
    "run_sweeper",
    "sweep_rows",
    "configured_lease",
    "sweeper",
    "sweepers",
    "tick",
]


def init_app(app: Flask, modules: Iterable[str]) -> None:
    """Import ``modules`` so that their sweepers and subscribers are registered."""
    names = tuple(modules)
    for name in names:
        importlib.import_module(name)
    app.extensions["cancelsvc.jobs"] = names
