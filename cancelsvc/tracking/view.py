"""What the tracking page shows, built from the public progress document (no amounts,
no names, no serials): a banner in plain words, ten steps and the customer's to-do cards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from cancelsvc.i18n import gettext as _
from cancelsvc.i18n import ngettext
from cancelsvc.precheck.codes import FindingCode, ProceduralCode
from cancelsvc.services import settings
from cancelsvc.texts import format_day, render
from cancelsvc.texts.messages import MESSAGES
from models import CancellationRequest, Store
from models.vocabulary import OPEN_NODE_STATUSES, NodeCode, NodeStatus, Owner, RequestState

#: What to bring or have at hand, per kind of to-do (the page says "your router", never a serial).
BRING = {
    ProceduralCode.IDENTITY_DOCUMENTS: _l("your original ID card"),
    ProceduralCode.IDENTITY_VIDEO: _l("your phone and your original ID card, for a one-minute video"),
    FindingCode.DEVICE_RETURN: _l("the rented device (router, modem or set-top box) with its power adapter"),
}
WAITING_ON = {
    Owner.CUSTOMER: _l("Waiting for you"),
    Owner.CLERK: _l("With the store"),
    Owner.OPERATOR: _l("We are on it"),
    Owner.THIRD_PARTY: _l("Waiting for the other provider"),
}
STATUS = {
    NodeStatus.DONE: _l("Done"),
    NodeStatus.IN_PROGRESS: _l("In progress"),
    NodeStatus.SKIPPED: _l("Not needed"),
    NodeStatus.FAILED: _l("Stopped"),
}


@dataclass
class Card:
    """One thing the customer must do: what, how, by when, where, what to bring."""

    title: str
    how: str
    deadline: str | None
    bring: str | None


@dataclass
class Step:
    seq: int
    code: str
    title: str
    status: str
    status_label: str
    when: str | None
    waiting: str | None
    current: bool
    cards: list[Card] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Banner:
    tone: str  # info | action | ready | done | closed
    headline: str
    detail: str


@dataclass
class TrackingView:
    code: str
    state: str
    msisdn: str
    banner: Banner
    eta: str | None
    eta_reason: str | None
    steps: list[Step]
    cards: int
    can_withdraw: bool
    withdraw_until: str
    feedback_open: bool
    feedback_given: bool
    call_back_hours: int | None  # the customer said it did not go well: we call them
    store: Store | None
    etag: str
    poll_seconds: int


def build(req: CancellationRequest, doc: dict[str, Any], store: Store | None, locale: str,
          now: dt.datetime) -> TrackingView:
    """The page for ``doc`` (``public_document``) of ``req`` at ``now``."""
    at = _Clock(req.timezone, locale)
    steps = [_step(n, at, req.state) for n in doc["nodes"]]
    current = next((s for s in steps if s.status == NodeStatus.IN_PROGRESS), None) \
        or next((s for s in steps if s.status == NodeStatus.PENDING), None)
    if current is not None and req.state in (RequestState.IN_PROGRESS, RequestState.READY):
        current.current = True
    cards = sum(len(s.cards) for s in steps)
    eta = doc["eta"]
    return TrackingView(
        code=req.tracking_code, state=req.state, msisdn=doc["msisdn"],
        banner=_banner(req, doc, cards, at),
        eta=_eta(eta, at) if req.state in (RequestState.IN_PROGRESS, RequestState.READY) else None,
        eta_reason=eta["revised_reason"], steps=steps, cards=cards, can_withdraw=doc["can_withdraw"],
        withdraw_until=at.moment(doc["withdraw_until"]) or "",
        feedback_open=req.state == RequestState.COMPLETED and not req.follow_up,
        feedback_given=bool(req.follow_up), store=store,
        call_back_hours=settings().CANCELSVC_FOLLOW_UP_HOURS
        if req.follow_up and req.follow_up.get("satisfied") is False else None,
        etag=f"v{doc['version']}.{locale}", poll_seconds=doc["poll_after_seconds"],
    )


class _Clock:
    """Instants as the customer reads them: their time zone, their language."""

    def __init__(self, timezone: str, locale: str) -> None:
        self.zone, self.locale = ZoneInfo(timezone), locale

    def moment(self, iso: str | None) -> str | None:
        if not iso:
            return None
        local = dt.datetime.fromisoformat(iso).astimezone(self.zone)
        return f"{format_day(local.date(), self.locale)} {local:%H:%M}"

    def day(self, iso: str | None) -> str | None:
        if not iso:
            return None
        return format_day(dt.datetime.fromisoformat(iso).astimezone(self.zone).date(), self.locale)


def _banner(req: CancellationRequest, doc: dict[str, Any], cards: int, at: _Clock) -> Banner:
    until = at.moment(doc["withdraw_until"])
    change_mind = _("You can still change your mind until %(time)s.", time=until) if doc["can_withdraw"] else ""
    if req.state == RequestState.COMPLETED:
        deactivated = next(n for n in doc["nodes"] if n["code"] == NodeCode.DEACTIVATED)["completed_at"]
        return Banner("done", _("Your number is deactivated"),
                      _("It was deactivated on %(time)s. Thank you for being with us.",
                        time=at.moment(deactivated)))
    if req.state == RequestState.WITHDRAWN:
        return Banner("closed", _("Request withdrawn"),
                      _("Your number, plan, subscriptions, family plan and credit are exactly as before."))
    if req.state == RequestState.REJECTED:
        return Banner("closed", _("On hold"),
                      _("Your account has a restriction to sort out first. Call us or visit a store and we "
                        "will find the way forward together."))
    if req.state == RequestState.READY:
        scheduled = next(n for n in doc["nodes"] if n["code"] == NodeCode.DEACTIVATED)["expected_at"]
        return Banner("ready", _("Every to-do is done"),
                      " ".join(filter(None, [_("Your number will be deactivated on %(time)s.",
                                                 time=at.moment(scheduled)), change_mind])))
    if cards:
        return Banner("action", ngettext("Action needed: %(num)d thing to do",
                                         "Action needed: %(num)d things to do", cards),
                      " ".join(filter(None, [_("See the cards below: what to do, by when and how."), change_mind])))
    return Banner("info", _("Request submitted"), change_mind or _("We are working on it and show you every step here."))


def _eta(eta: dict[str, Any], at: _Clock) -> str | None:
    earliest, latest = at.day(eta["earliest"]), at.day(eta["latest"])
    if not earliest or not latest:
        return None
    if earliest == latest:
        return _("Expected on %(day)s", day=earliest)
    return _("Expected between %(first)s and %(last)s", first=earliest, last=latest)


def _step(node: dict[str, Any], at: _Clock, state: str) -> Step:
    status = node["status"]
    scheduled = status == NodeStatus.PENDING and node["code"] == NodeCode.DEACTIVATED and state == RequestState.READY
    if status == NodeStatus.PENDING:
        label = _("Scheduled") if scheduled else _("Waiting")
    elif status == NodeStatus.SKIPPED and state == RequestState.WITHDRAWN:
        label = _("Stopped: the request was withdrawn")  # not "not needed": it was under way
    else:
        label = str(STATUS.get(status, status))
    when: str | None = None
    if status == NodeStatus.DONE and node["completed_at"]:
        when = _("Done on %(time)s", time=at.moment(node["completed_at"]))
    elif scheduled:
        when = _("Scheduled for %(time)s", time=at.moment(node["expected_at"]))
    elif status in OPEN_NODE_STATUSES and node["expected_at"]:
        when = _("Expected by %(time)s", time=at.moment(node["expected_at"]))
    waiting = str(WAITING_ON[node["waiting_on"]]) if node["waiting_on"] in WAITING_ON \
        and status in OPEN_NODE_STATUSES else None
    cards = []
    action = node["required_action"]
    if action:
        for code in action["checklist"]:
            bring = BRING.get(code)
            term = f"term.item.{code}" if f"term.item.{code}" in MESSAGES else "term.item.other"
            cards.append(Card(title=render(term, at.locale),
                              how=action["text"], deadline=at.moment(action["deadline"]),
                              bring=str(bring) if bring else None))
    events = [(at.moment(e["at"]) or "", e["message"]) for e in node["events"]]
    return Step(node["seq"], node["code"], node["title"], status, label, when, waiting, False, cards, events)

