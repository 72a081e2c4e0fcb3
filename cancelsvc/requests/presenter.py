"""Requests and their progress as served, in zh-CN or en.

Node statuses, ETAs and SLA deadlines are derived at read time from the request's
facts (``progress.derive``), so what a customer sees is always current even between
job runs; the stored bookkeeping only serves change detection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from cancelsvc.common.dumping import Dumper
from cancelsvc.common.masking import mask_msisdn
from cancelsvc.database import writes
from cancelsvc.precheck.codec import from_json_value, outcome_from_json
from cancelsvc.precheck.presenter import present
from cancelsvc.requests import progress
from cancelsvc.requests.lifecycle import calendar, facts
from cancelsvc.requests.payments import still_to_pay
from cancelsvc.requests.schemas import ProgressSchema, PublicProgressSchema, RequestSchema
from cancelsvc.requests.states import OPEN
from cancelsvc.requests.textkeys import PUBLIC_MESSAGES
from cancelsvc.services import services
from cancelsvc.texts import render
from models import CancellationRequest, ChecklistEntry, Precheck, TimelineEntry, db
from models.base import utcnow
from models.vocabulary import NodeStatus, RequestState

#: How long a client should wait before polling a request in each state again.
POLL_SECONDS: dict[str, int] = {
    RequestState.IN_PROGRESS: 300,
    RequestState.READY: 300,
    RequestState.COMPLETED: 3600,
    RequestState.WITHDRAWN: 86400,
    RequestState.REJECTED: 86400,
}


# The documents are dumped by their schemas (``ProgressSchema``, ``PublicProgressSchema``,
# ``RequestSchema``: their one definition) from the views below, which say where each value
# comes from: the request's own attributes, or a property for what is derived or rendered
# in the document's language. A new field is a line in the schema (and a property here
# when the request has no attribute of that name).


class _Over:
    """A view over an object: what the view does not define is read from the object."""

    __slots__ = ("_of",)

    def __init__(self, of: Any) -> None:
        self._of = of

    def __getattr__(self, name: str) -> Any:
        return getattr(self._of, name)


class EventView(_Over):
    __slots__ = ("_doc",)

    def __init__(self, entry: TimelineEntry, doc: ProgressView) -> None:
        super().__init__(entry)
        self._doc = doc

    @property
    def message(self) -> str:
        return _message(self._of.message, self._of.params, self._doc.locale, self._doc.public)


@dataclass(frozen=True, slots=True)
class RequiredAction:
    text: str
    deadline: dt.datetime | None
    checklist: list[str]


class NodeView(_Over):
    __slots__ = ("_doc",)

    def __init__(self, node: progress.Node, doc: ProgressView) -> None:
        super().__init__(node)
        self._doc = doc

    @property
    def title(self) -> str:
        node = self._of
        return render(f"node.{node.code}.title" + (".scheduled" if node.scheduled else ""), self._doc.locale)

    @property
    def required_action(self) -> RequiredAction | None:
        node = self._of
        if not node.action_items or node.status != NodeStatus.IN_PROGRESS:
            return None
        # Public documents name the kind of to-do only (no device serial, no service code).
        items = list(dict.fromkeys(k.split(":", 1)[0] for k in node.action_items)) if self._doc.public \
            else list(node.action_items)
        return RequiredAction(render(f"node.{node.code}.action", self._doc.locale), node.due_at, items)

    @property
    def events(self) -> list[EventView]:
        return self._doc.events_of(self._of.code)


@dataclass(frozen=True, slots=True)
class EtaView:
    expected: str | None
    earliest: str | None
    latest: str | None
    revised_reason: str | None


class ProgressView(_Over):
    """What ``ProgressSchema`` (``PublicProgressSchema`` when ``public``) dumps."""

    __slots__ = ("locale", "public", "now", "masked_msisdn", "_events")

    def __init__(self, req: CancellationRequest, locale: str, *, public: bool = False,
                 now: dt.datetime | None = None, msisdn: str | None = None) -> None:
        super().__init__(req)
        self.locale, self.public, self.now = locale, public, now or utcnow()
        self.masked_msisdn = mask_msisdn(msisdn) if msisdn is not None else None
        self._events: dict[str, list[EventView]] | None = None

    @property
    def msisdn(self) -> str | None:
        return self.masked_msisdn

    def events_of(self, node: str) -> list[EventView]:
        if self._events is None:
            self._events = {}
            for entry in self._of.timeline:
                self._events.setdefault(entry.node, []).append(EventView(entry, self))
        return self._events.get(node, [])

    @property
    def eta(self) -> EtaView:
        eta = self._of.eta or {}
        reason = eta.get("revised_reason")
        return EtaView(eta.get("expected"), eta.get("earliest"), eta.get("latest"),
                       render(reason["key"], self.locale, date=dt.date.fromisoformat(reason["date"]))
                       if reason else None)

    @property
    def can_withdraw(self) -> bool:
        req = self._of
        return req.state in OPEN and (not self.public or self.now < req.withdraw_until)

    @property
    def nodes(self) -> list[NodeView]:
        return [NodeView(node, self) for node in progress.derive(facts(self._of), self.now, calendar())]

    @property
    def poll_after_seconds(self) -> int:
        return POLL_SECONDS[self._of.state]


class ItemView(_Over):
    __slots__ = ("_texts",)

    def __init__(self, item: ChecklistEntry, texts: dict[str, tuple[str, str]]) -> None:
        super().__init__(item)
        self._texts = texts

    @property
    def title(self) -> str:
        return self._texts.get(self._of.key, ("", ""))[0]

    @property
    def detail(self) -> str:
        return self._texts.get(self._of.key, ("", ""))[1]

    @property
    def est_working_days(self) -> tuple[int, int | None] | None:
        item = self._of
        return (item.est_min, item.est_max) if item.est_max is not None else None


@dataclass(frozen=True, slots=True)
class Contact:
    phone: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class Quoted:
    total: Decimal
    paid: Decimal
    outstanding: Decimal
    refund_due: Decimal
    refunded: Decimal


class RequestView(_Over):
    """What ``RequestSchema`` dumps."""

    __slots__ = ("locale", "msisdn")

    def __init__(self, req: CancellationRequest, locale: str, msisdn: str) -> None:
        super().__init__(req)
        self.locale, self.msisdn = locale, msisdn

    @property
    def contact(self) -> Contact | None:
        contact = self._of.contact
        return Contact(contact.get("phone"), contact.get("email")) if contact else None

    @property
    def quoted(self) -> Quoted:
        req = self._of
        return Quoted(req.quoted_total, req.paid_total, still_to_pay(req.items, req.paid_total),
                      req.refund_due, req.refunded_total)

    @property
    def checklist(self) -> list[ItemView]:
        texts = _checklist_texts(self._of.precheck_id, self.locale)
        return [ItemView(item, texts) for item in self._of.items]

    @property
    def progress(self) -> ProgressView:
        return ProgressView(self._of, self.locale)


_PROGRESS = Dumper(ProgressSchema())
_PUBLIC = Dumper(PublicProgressSchema())
_REQUEST = Dumper(RequestSchema())


def progress_document(req: CancellationRequest, locale: str, *, public: bool = False,
                      now: dt.datetime | None = None) -> dict[str, Any]:
    """The parcel-tracker view (api.md "Progress document")."""
    return _PROGRESS.dump(ProgressView(req, locale, public=public, now=now))


def request_document(req: CancellationRequest, locale: str, msisdn: str) -> dict[str, Any]:
    """The whole request for its customer, staff and systems (amounts included).

    Read-only requests (the console's request page and printout) keep it while exact like the
    public document (``requests.kept``): the same dict may be returned again, so never change
    it. A request that writes builds its own: its version may not be committed.
    """
    def build(now: dt.datetime | None = None) -> dict[str, Any]:
        return _REQUEST.dump(RequestView(req, locale, msisdn))

    if writes():
        return build()
    return services().documents.get((f"{req.id}:whole", req.version, locale, msisdn), utcnow(), build)


def public_document(req: CancellationRequest, locale: str, msisdn: str) -> dict[str, Any]:
    """What anyone with the tracking code and last 4 digits sees: no amounts, no names.

    Kept for the next reads while it is exact (``requests.kept``): the same dict may be
    returned again, so never change it.
    """
    def build(now: dt.datetime) -> dict[str, Any]:
        return _PUBLIC.dump(ProgressView(req, locale, public=True, now=now, msisdn=msisdn))

    return services().documents.get((req.id, req.version, locale, msisdn), utcnow(), build)


def item_title(precheck_id: str, key: str, locale: str) -> str:
    """The title of a request's to-do, as its checklist shows it (the key when unknown)."""
    return _checklist_texts(precheck_id, locale).get(key, (key, ""))[0]


@lru_cache(maxsize=4096)
def _checklist_texts(precheck_id: str, locale: str) -> dict[str, tuple[str, str]]:
    """Titles and details of a pre-check's checklist (pre-checks never change: cacheable).

    A checklist item's texts depend on the item alone, so only the checklist is decoded
    and rendered: findings and alternatives (most of a stored outcome) are left out.
    """
    row = db.session.get_one(Precheck, precheck_id)
    doc = present(outcome_from_json({**row.outcome, "findings": [], "alternatives": []}), locale)
    return {item["key"]: (item["title"], item["detail"]) for item in doc["checklist"]}


def _message(message: str, params: dict[str, Any], locale: str, public: bool) -> str:
    # Amounts, serials and service codes: anyone with the tracking code and the 4 digits reads
    # ``timeline.<message>.public`` instead ("your router", no amount).
    if public and message in PUBLIC_MESSAGES:
        return render(f"timeline.{message}.public", locale, device=params.get("device") or "other")
    return render(f"timeline.{message}", locale, **from_json_value(params))



