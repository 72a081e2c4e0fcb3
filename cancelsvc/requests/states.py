"""The request state machine (domain spec §3); the states are ``models.vocabulary.RequestState``."""

from __future__ import annotations

from models.vocabulary import FINAL_STATES, OPEN_STATES, RequestState

IN_PROGRESS, READY, COMPLETED = RequestState.IN_PROGRESS, RequestState.READY, RequestState.COMPLETED
WITHDRAWN, REJECTED = RequestState.WITHDRAWN, RequestState.REJECTED
OPEN = OPEN_STATES
FINAL = FINAL_STATES

TRANSITIONS: dict[RequestState, frozenset[RequestState]] = {
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
    if new not in TRANSITIONS[RequestState(current)]:
        raise IllegalTransition(current, new)
