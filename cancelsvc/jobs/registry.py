"""Sweepers: functions that find due work in the database and process it.

A sweeper is ``(now: datetime) -> int``: it claims what is due at ``now`` (see
``cancelsvc.jobs.claims``), handles each unit in its own transaction and returns how
many units it finished. Sweepers never assume they run alone: ``jobs run`` starts
them from several workers and machines at once, and ``tick`` runs each once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cancelsvc.database import writer
from cancelsvc.outbox.subscribers import Handler, SubscriberRegistry
from models import db
from models.base import utcnow

log = logging.getLogger(__name__)

SweepFunc = Callable[[datetime], int]


@dataclass(frozen=True)
class Sweeper:
    name: str
    func: SweepFunc
    order: int


MARK = "_cancelsvc_sweeper"


def sweeper(name: str, *, order: int = 100) -> Callable[[SweepFunc], SweepFunc]:
    """Mark ``func(now) -> int`` as the sweeper ``name``; ``tick`` runs sweepers by ``order``.

    Marking registers nothing: the application factory lists its sweepers explicitly
    (``cancelsvc.services.register_services``). Example::

        @sweeper("cancellations.deactivate", order=50)
        def deactivate_due(now: datetime) -> int:
            ...
    """

    def decorator(func: SweepFunc) -> SweepFunc:
        setattr(func, MARK, Sweeper(name, func, order))
        return func

    return decorator


class JobRegistry:
    """One application's sweepers (``jobs tick`` / ``jobs run``) and outbox subscribers."""

    def __init__(self, sweepers: Iterable[SweepFunc] = (), subscribers: Iterable[Handler] = ()) -> None:
        self._sweepers: dict[str, Sweeper] = {}
        self.subscribers = SubscriberRegistry()
        for func in sweepers:
            self.add(func)
        for handler in subscribers:
            self.subscribers.add(handler)

    def add(self, func: SweepFunc, name: str | None = None, *, order: int = 100) -> SweepFunc:
        """Register a sweeper marked with ``@sweeper`` (or give ``name`` and ``order``)."""
        entry: Sweeper | None = getattr(func, MARK, None)
        if name is not None:
            entry = Sweeper(name, func, order)
        if entry is None:
            raise ValueError(f"{_qualname(func)} is not marked with @sweeper")
        known = self._sweepers.get(entry.name)
        if known is not None and _qualname(known.func) != _qualname(func):
            raise ValueError(f"sweeper {entry.name!r} is already registered by {_qualname(known.func)}")
        self._sweepers[entry.name] = entry
        return func

    def remove(self, name: str) -> None:
        """Forget a sweeper (tests register temporary ones)."""
        self._sweepers.pop(name, None)

    def sweepers(self) -> list[Sweeper]:
        """The registered sweepers in the order ``tick`` runs them."""
        return sorted(self._sweepers.values(), key=lambda s: (s.order, s.name))

    def run(self, name: str, now: datetime | None = None) -> int:
        """Run one sweeper once (inside an application context); returns its count."""
        try:
            with writer():
                return self._sweepers[name].func(now or utcnow())
        finally:
            # A sweeper commits its own units; never leave a transaction open behind it.
            db.session.rollback()

    def tick(self, now: datetime | None = None) -> TickReport:
        """Run every sweeper once at ``now`` (default: the current time); one failing
        sweeper is logged and does not stop the others."""
        now = now or utcnow()
        report = TickReport()
        for entry in self.sweepers():
            try:
                report.done[entry.name] = self.run(entry.name, now)
            except Exception as error:
                log.exception("sweeper %s failed", entry.name)
                report.errors[entry.name] = type(error).__name__
        return report


def _registry() -> JobRegistry:
    from cancelsvc.services import services

    return services().jobs


def sweepers() -> list[Sweeper]:
    """The current application's sweepers in the order ``tick`` runs them."""
    return _registry().sweepers()


def run_sweeper(name: str, now: datetime | None = None) -> int:
    """Run one of the current application's sweepers once; returns its count."""
    return _registry().run(name, now)


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
    """Run every sweeper of the current application once at ``now``."""
    return _registry().tick(now)


def _qualname(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"
