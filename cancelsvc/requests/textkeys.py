"""The text keys the progress tracker renders (all present in both catalogs)."""

from __future__ import annotations

from cancelsvc.requests.progress import NODE_ITEMS, NODES
from models.vocabulary import HoldKind

TIMELINE_MESSAGES = (
    "submitted", "item_done", "item_waived", "identity_verified", "payment_received", "device_returned",
    "service_cancelled", "family_resolved", "ready", "cooling_off_ended", "deactivated", "refund_issued",
    "follow_up_recorded", "follow_up_call_back", "withdrawn", "rejected", "sla_breached",
)
#: Messages that the public tracking shows in their ``.public`` form .
PUBLIC_MESSAGES = ("payment_received", "refund_issued", "device_returned", "service_cancelled")
ETA_REASONS = ("later", "earlier")
#: Every hold, and ``other`` for a value a newer back office may send.
HOLD_TERMS = (*HoldKind, "other")

PROGRESS_TEXT_KEYS = frozenset(
    [f"node.{code}.title" for code in NODES]
    + [f"node.{code}.action" for code in NODE_ITEMS]
    + [f"timeline.{m}" for m in TIMELINE_MESSAGES]
    + [f"timeline.{m}.public" for m in PUBLIC_MESSAGES]
    + ["node.deactivated.title.scheduled"]
    + [f"eta.revised.{r}" for r in ETA_REASONS]
    + [f"term.hold.{h}" for h in HOLD_TERMS]
)
