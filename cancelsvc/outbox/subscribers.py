"""Event handlers and the per-application registry of them.

A package marks a handler without touching the publishers, and the application
factory lists it with the others (``cancelsvc.services.register_services``)::

    from cancelsvc.outbox import subscriber

    @subscriber("cancellation.state_changed")
    def notify_customer(event: DomainEvent) -> None:
        ...

Handlers run in the dispatcher's transaction, one SAVEPOINT each, and are called at
least once per event: they must be idempotent, keyed by ``event.id``. They should
only write to the database (e.g. queue a message row) and leave slow I/O to a
sweeper of their own, as the webhooks package does. What every event of a batch would
read again (the webhook subscriptions) a handler keeps with ``per_batch``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from models import DomainEvent

Handler = Callable[[DomainEvent], None]
MARK = "_cancelsvc_event_types"
T = TypeVar("T")

_BATCH: ContextVar[dict[str, Any] | None] = ContextVar("outbox_batch", default=None)


@contextmanager
def one_batch() -> Iterator[None]:
    """The dispatcher hands over one batch of events: ``per_batch`` values live until it ends."""
    token = _BATCH.set({})
    try:
        yield
    finally:
        _BATCH.reset(token)


def per_batch(key: str, load: Callable[[], T]) -> T:
    """``load()`` once per dispatcher batch (at every call outside one).

    For reads that every event would repeat and that may lag a batch behind (a few
    seconds): ``load`` must return plain values, since each event commits on its own
    and the ORM objects read in one event's transaction are expired after it.
    """
    memo = _BATCH.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def subscriber(*types: str) -> Callable[[Handler], Handler]:
    """Mark ``handler`` as wanting the events of ``types`` (registered by ``SubscriberRegistry.add``)."""
    if not types:
        raise ValueError("subscribe to at least one event type")

    def decorator(handler: Handler) -> Handler:
        setattr(handler, MARK, tuple(types))
        return handler

    return decorator


class SubscriberRegistry:
    """Handlers by event type, in registration order."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}

    def subscribe(self, handler: Handler, *types: str) -> Handler:
        """Call ``handler`` for every event of one of ``types``."""
        if not types:
            raise ValueError("subscribe to at least one event type")
        for event_type in types:
            handlers = self._handlers.setdefault(event_type, [])
            if handler not in handlers:
                handlers.append(handler)
        return handler

    def add(self, handler: Handler) -> Handler:
        """Register a handler marked with ``@subscriber``."""
        types: tuple[str, ...] | None = getattr(handler, MARK, None)
        if types is None:
            raise ValueError(f"{handler!r} is not marked with @subscriber")
        return self.subscribe(handler, *types)

    def unsubscribe(self, handler: Handler) -> None:
        """Stop calling ``handler`` (tests use it to clean up)."""
        for handlers in self._handlers.values():
            if handler in handlers:
                handlers.remove(handler)

    def handlers_for(self, event_type: str) -> list[Handler]:
        return list(self._handlers.get(event_type, ()))
