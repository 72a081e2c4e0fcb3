"""Scheduled jobs: sweepers over the database, run by ``jobs tick`` or ``jobs run``.

- ``@sweeper("name")`` marks ``func(now) -> int``; the application's ``JobRegistry``
  (``registry``, built by ``cancelsvc.services.register_services``) lists them;
- ``claim`` / ``holding`` / ``sweep_rows`` give row claims, one transaction per unit,
  claimed in batches (``in_batches``, ``configured_batch``) through indexed due-time
  columns (``claims``);
- ``tick(now=None)`` runs every sweeper once;
- ``jobs run`` runs a Huey consumer that enqueues every sweeper every few seconds
  (``queue``).

Sweepers and outbox subscribers are registered by explicit imports in
``cancelsvc.services.register_services``, one ``JobRegistry`` per application.
"""

from __future__ import annotations

from cancelsvc.jobs.claims import (
    DEFAULT_LEASE,
    Claim,
    claim,
    configured_batch,
    configured_lease,
    finish_claimed,
    holding,
    in_batches,
    sweep_rows,
)
from cancelsvc.jobs.registry import JobRegistry, TickReport, run_sweeper, sweeper, sweepers, tick

__all__ = [
    "DEFAULT_LEASE",
    "Claim",
    "TickReport",
    "claim",
    "configured_batch",
    "finish_claimed",
    "holding",
    "in_batches",
    "JobRegistry",
    "run_sweeper",
    "sweep_rows",
    "configured_lease",
    "sweeper",
    "sweepers",
    "tick",
]

