"""Sweepers: functions that find due work in the database and process it.

A sweeper is ``(now: datetime) -> int``: it claims what is due at ``now`` (see
``cancelsvc.jobs.claims``), handles each unit in its own transaction and returns how
many units it finished. Sweepers never assume they run alone: ``jobs run`` starts
them from several workers and machines at once, and ``tick`` runs each once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from models import db
from models.base import utcnow

log = logging.getLogger(__name__)

SweepFunc = Callable[[datetime], int]


@dataclass(frozen=True)
class Sweeper:
    name: str
    func: SweepFunc
    order: int


_SWEEPERS: dict[str, Sweeper] = {}


def sweeper(name: str, *, order: int = 100) -> Callable[[SweepFunc], SweepFunc]:
    """Register ``func(now) -> int`` under ``name``; ``tick`` runs sweepers by ``order``.

    Example::

        @sweeper("cancellations.deactivate", order=50)
        def deactivate_due(now: datetime) -> int:
            ...
    """

    def decorator(func: SweepFunc) -> SweepFunc:
        known = _SWEEPERS.get(name)
        if known is not None and _qualname(known.func) != _qualname(func):
            raise ValueError(f"sweeper {name!r} is already registered by {_qualname(known.func)}")
        _SWEEPERS[name] = Sweeper(name, func, order)
        return func

    return decorator


def unregister(name: str) -> None:
    """Forget a sweeper (tests register temporary ones)."""
    _SWEEPERS.pop(name, None)


def sweepers() -> list[Sweeper]:
    """The registered sweepers in the order ``tick`` runs them."""
    return sorted(_SWEEPERS.values(), key=lambda s: (s.order, s.name))


def run_sweeper(name: str, now: datetime | None = None) -> int:
    """Run one sweeper once (inside an application context); returns its count."""
    try:
        return _SWEEPERS[name].func(now or utcnow())
    finally:
        # A sweeper commits its own units; never leave a transaction open behind it.
        db.session.rollback()


@dataclass
class TickReport:
    """What one pass of every sweeper did: units finished, and failures by sweeper."""

    done: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int:
        return self.done[name]

    @property
    def ok(self) -> bool:
        return not self.errors


def tick(now: datetime | None = None) -> TickReport:
    """Run every sweeper once at ``now`` (default: the current time); one failing
    sweeper is logged and does not stop the others."""
    now = now or utcnow()
    report = TickReport()
    for entry in sweepers():
        try:
            report.done[entry.name] = run_sweeper(entry.name, now)
        except Exception as error:
            log.exception("sweeper %s failed", entry.name)
            report.errors[entry.name] = type(error).__name__
    return report


def _qualname(func: SweepFunc) -> str:
    return f"{func.__module__}.{func.__qualname__}"
