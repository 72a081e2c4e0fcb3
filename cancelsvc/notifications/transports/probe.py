"""Is a server reachable? One TCP connection with a short timeout, remembered for a few seconds."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

TIMEOUT = 0.5
REMEMBER_SECONDS = 10.0
_seen: dict[tuple[str, int], tuple[float, str]] = {}


def reachable(url: str) -> str:
    """``ok`` when ``url``'s host accepts a TCP connection, else ``down``."""
    parts = urlsplit(url)
    default = {"smpp": 2775, "smtp": 25, "smtps": 465}.get(parts.scheme, 0)
    key = (parts.hostname or "", parts.port or default)
    now = time.monotonic()
    known = _seen.get(key)
    if known is not None and now - known[0] < REMEMBER_SECONDS:
        return known[1]
    try:
        with socket.create_connection(key, timeout=TIMEOUT):
            state = "ok"
    except OSError:
        state = "down"
    _seen[key] = (now, state)
    return state
