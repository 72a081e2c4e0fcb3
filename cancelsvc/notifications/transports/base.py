"""What every transport takes and answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from cancelsvc.notifications.compose import Composed


@dataclass(frozen=True)
class Outgoing:
    """One message ready to go: where, and what (composed in its language)."""

    message_id: str
    channel: str
    address: str
    masked: str
    moment: str
    kind: str
    composed: Composed


@dataclass(frozen=True)
class Outcome:
    """What the SMSC or mail server said about one message."""

    accepted: bool
    smsc_ids: tuple[str, ...] = ()
    #: Worth trying again later (connection down, throttled); otherwise the failure is final.
    temporary: bool = False
    reason: str | None = None
    parts: int = 1
    extra: dict[str, str] = field(default_factory=dict)


class Transport(Protocol):
    name: str

    def send_many(self, outgoing: Sequence[Outgoing]) -> list[Outcome]:
        """Send each message once; one outcome per message, in order; never raises."""
        ...

    def status(self) -> str:
        """``ok``, ``down`` or ``embedded`` (for ``/readyz``)."""
        ...

    def close(self) -> None: ...
