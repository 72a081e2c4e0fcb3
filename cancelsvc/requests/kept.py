"""Public progress documents kept for a few seconds, per request version, language and number.

The tracking page, its ``progress.json`` and the API's public tracking show the same
document on every reload; building it (the request's checklist and timeline read, ten
nodes derived, their texts rendered) was most of a page's work. A document depends on
the request's version (every change bumps it) and on the clock: node statuses, SLA
flags and whether the customer may still withdraw are derived at read time. So a kept
document is served again only

- for the same request version, language and number, and
- until the first instant it names that lies ahead (the end of the cooling-off, a step's
  expected or due time: where a status or a flag flips), and never longer than
  ``KEEP_SECONDS`` (as the poll front keeps progress documents): what moves continuously
  (the expected time of a late step, shown to the minute) is at most that far behind.

The whole request as the console shows it (``presenter.request_document``) is kept the
same way, under its own key, by requests that only read.

One ``KeptDocuments`` per application (``services().documents``); thread-safe.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from typing import Any

from cachetools import LRUCache

#: Seconds a document is kept at most.
KEEP_SECONDS = 15
#: Documents kept per process (each a few KB).
ENTRIES = 4096
#: Instants of a node where its status or flags may flip.
_NODE_INSTANTS = ("expected_at", "due_at")

Key = tuple[str, int, str, str]
Document = dict[str, Any]


class KeptDocuments:
    """Documents built lately, each with the interval in which it is still exact."""

    def __init__(self, entries: int = ENTRIES) -> None:
        self._kept: LRUCache[Key, tuple[Document, dt.datetime, dt.datetime]] = LRUCache(entries)
        self._lock = threading.Lock()

    def get(self, key: Key, now: dt.datetime, build: Callable[[dt.datetime], Document]) -> Document:
        """The document for ``key`` at ``now``: kept if still exact, else ``build(now)`` (and kept).
        The same dict may be returned to several callers: never change it."""
        with self._lock:
            entry = self._kept.get(key)
        if entry is not None and entry[1] <= now < entry[2]:
            return entry[0]
        doc = build(now)
        with self._lock:
            self._kept[key] = (doc, now, valid_until(doc, now))
        return doc

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def valid_until(doc: Document, now: dt.datetime) -> dt.datetime:
    """The first instant after ``now`` named by ``doc`` (at most ``KEEP_SECONDS`` ahead)."""
    until = now + dt.timedelta(seconds=KEEP_SECONDS)
    for instant in _instants(doc):
        at = dt.datetime.fromisoformat(instant)
        if now < at < until:
            until = at
    return until


def _instants(doc: Document) -> Iterable[str]:
    if doc.get("withdraw_until"):
        yield doc["withdraw_until"]
    # A whole request (``request_document``) carries its progress document.
    for node in (doc.get("progress") or doc).get("nodes", ()):
        for name in _NODE_INSTANTS:
            if node.get(name):
                yield node[name]
