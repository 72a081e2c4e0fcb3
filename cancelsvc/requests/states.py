"""The request state machine (domain spec §3)."""

from __future__ import annotations

IN_PROGRESS, READY, COMPLETED, WITHDRAWN, REJECTED = "in_progress", "ready", "completed", "withdrawn", "rejected"
OPEN = frozenset({IN_PROGRESS, READY})
FINAL = frozenset({COMPLETED, WITHDRAWN, REJECTED})

TRANSITIONS: dict[str, frozenset[str]] = {
    IN_PROGRESS: frozenset({READY, WITHDRAWN, REJECTED}),
    READY: frozenset({COMPLETED, WITHDRAWN, REJECTED}),
    COMPLETED: frozenset(),
    WITHDRAWN: frozenset(),
    REJECTED: frozenset(),
}


class IllegalTransition(ValueError):
    """A state change the lifecycle does not allow."""

    def __init__(self, current: str, new: str) -> None:
        super().__init__(f"a request cannot go from {current} to {new}")
        self.current, self.new = current, new


def check_transition(current: str, new: str) -> None:
    """Raise ``IllegalTransition`` unless ``current → new`` is allowed."""
    if new not in TRANSITIONS[current]:
        raise IllegalTransition(current, new)
