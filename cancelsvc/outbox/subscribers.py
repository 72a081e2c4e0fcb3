"""The in-process registry of event handlers.

A package subscribes without touching the publishers::

    from cancelsvc.outbox import subscriber

    @subscriber("cancellation.state_changed")
    def notify_customer(event: DomainEvent) -> None:
        ...

Handlers run in the dispatcher's transaction, one SAVEPOINT each, and are called at
least once per event: they must be idempotent, keyed by ``event.id``. They should
only write to the database (e.g. queue a message row) and leave slow I/O to a
sweeper of their own, as the webhooks package does.
"""

from __future__ import annotations

from collections.abc import Callable

from models import DomainEvent

Handler = Callable[[DomainEvent], None]


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

    def unsubscribe(self, handler: Handler) -> None:
        """Stop calling ``handler`` (tests use it to clean up)."""
        for handlers in self._handlers.values():
            if handler in handlers:
                handlers.remove(handler)

    def handlers_for(self, event_type: str) -> list[Handler]:
        return list(self._handlers.get(event_type, ()))

    def subscriber(self, *types: str) -> Callable[[Handler], Handler]:
        """Decorator form of ``subscribe``."""

        def decorator(handler: Handler) -> Handler:
            return self.subscribe(handler, *types)

        return decorator


registry = SubscriberRegistry()
subscriber = registry.subscriber
