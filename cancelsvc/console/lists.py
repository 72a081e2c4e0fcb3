"""What the rows of the console's lists show, computed in Python once per page.

The work queue and the call lists repeat the same few look-ups on every row (the link,
the state's tag, the owner's word, the due date in the operator's time zone); done in the
template, each is a call through Jinja that looks the page's language up again. Here the
language, the time zone and the links' paths are looked up once per page, and the
templates only write the values out.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from markupsafe import Markup

from cancelsvc.console import labels
from cancelsvc.console.helpers import local_zone, row_link, state_tag_in, when_in
from cancelsvc.i18n import current_locale
from cancelsvc.requests.presenter import item_title


class QueueRow(NamedTuple):
    """A row of the work queue, as shown."""

    url: str
    tracking_code: str
    customer_name: str
    msisdn: str
    state_tag: Markup
    next_title: str | None
    waiting_on: str
    due: str
    breached: bool
    risk: str
    store: str


class DueCall(NamedTuple):
    """A call task, as the work queue's "calls due" and the call list show it."""

    id: str
    url: str
    close_url: str
    tracking_code: str
    customer_name: str
    msisdn: str
    kind: str
    due: str
    attempts: int
    phone: str | None
    email: str | None
    follow_up: dict[str, Any] | None


def queue_rows(rows: list[dict[str, Any]]) -> list[QueueRow]:
    """The queue's rows (``requests.queue.list_requests``) as the page shows them."""
    locale, zone = current_locale(), local_zone()
    link = row_link("console.request_page", "request_id")
    return [QueueRow(
        url=link(r["id"]), tracking_code=r["tracking_code"], customer_name=r["customer_name"], msisdn=r["msisdn"],
        state_tag=state_tag_in(r["state"], locale),
        next_title=item_title(r["precheck_id"], r["next_item"], locale) if r["next_item"] else None,
        waiting_on=labels.word(labels.OWNERS, r["waiting_on"], locale) if r["waiting_on"] is not None else "",
        due=when_in(r["due_at"], locale, zone), breached=r["breached"],
        risk=labels.word(labels.BANDS, r["risk_band"], locale) if r["risk_band"] else "—", store=r["store_code"] or "",
    ) for r in rows]


def due_calls(items: list[dict[str, Any]]) -> list[DueCall]:
    """Call tasks (``calls.service.list_calls``) as the lists show them."""
    locale, zone = current_locale(), local_zone()
    link = row_link("console.request_page", "request_id")
    close = row_link("console.close_call", "call_id")
    return [DueCall(
        id=c["id"], url=link(c["request_id"]), close_url=close(c["id"]), tracking_code=c["tracking_code"],
        customer_name=c["customer_name"], msisdn=c["msisdn"], kind=labels.word(labels.CALL_KINDS, c["kind"], locale),
        due=when_in(c["due_at"], locale, zone), attempts=c["attempts"], phone=c["phone"], email=c["email"],
        follow_up=c["follow_up"],
    ) for c in items]
