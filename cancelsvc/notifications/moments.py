"""The moments the customer hears from us, queued by outbox subscribers (docs/notifications.md).

Each handler runs in the dispatcher's transaction (a SAVEPOINT) and is idempotent: a
message's ``cause`` is the event id (or the request and moment for scheduled ones), and a
cause queues a moment once. Reminders and the follow-up are queued at once for their own
time and checked again when they are due (``sender.still_true``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from cancelsvc.calls import tasks as calls
from cancelsvc.jobs import Claim, configured_batch, finish_claimed, sweep_rows, sweeper
from cancelsvc.notifications.policy import latest_allowed_before
from cancelsvc.notifications.queue import cause_key, queue, quiet_hours
from cancelsvc.outbox import CANCELLATION_CREATED, CANCELLATION_NODE_CHANGED, CANCELLATION_STATE_CHANGED, subscriber
from cancelsvc.precheck.result import CUSTOMER
from cancelsvc.requests import progress
from cancelsvc.services import services
from models import CancellationRequest, ChecklistEntry, Customer, DomainEvent, Store, db
from models.base import utcnow
from models.vocabulary import (
    OPEN_NODE_STATUSES,
    OPEN_STATES,
    Audience,
    ItemStatus,
    MessageKind,
    Moment,
    NodeCode,
    NodeStatus,
    RequestState,
)

ESSENTIAL, UPDATE = MessageKind.ESSENTIAL, MessageKind.UPDATE
#: Reminders go this many working days before a customer's to-do is due.
REMINDER_WORKING_DAYS = 3
#: The last message to the number goes this long before it is switched off.
BEFORE_DEACTIVATION = dt.timedelta(minutes=30)
COOLING_OFF_NOTICE = dt.timedelta(hours=24)
FOLLOW_UP_AFTER = dt.timedelta(hours=24)
#: Segments that also get a personal call at submission and deactivation (and every message by e-mail).
CARE_SEGMENTS = ("senior", "vip")
SLA_BATCH = 500


@subscriber(CANCELLATION_CREATED)
def on_created(event: DomainEvent) -> None:
    """Submitted: receipt, link, withdraw-until and the next step, at once; reminders scheduled."""
    req = db.session.get(CancellationRequest, event.subject_id)
    if req is None:
        return
    now = event.created_at
    customer = _customer(req)  # held for the whole handler: read once
    item = next_customer_item(req)
    params = {"code": req.tracking_code, "withdraw_until": req.withdraw_until}
    params.update({"next_step": item.code} if item else {"variant": "nothing"})
    _queue_both(req, customer, Moment.SUBMITTED, ESSENTIAL, cause=event.id, now=now, params=params, immediate=True)
    notice = req.withdraw_until - COOLING_OFF_NOTICE
    if notice > now:
        queue(req, Moment.COOLING_OFF_ENDING, UPDATE, cause=cause_key(req.id, Moment.COOLING_OFF_ENDING),
              now=now, at=notice, params={"code": req.tracking_code, "withdraw_until": req.withdraw_until},
              customer=customer)
    if item is not None:
        _remind(req, item, now, customer)
    if customer.segment in CARE_SEGMENTS:
        calls.ensure(req, "care_submitted", now)


@subscriber(CANCELLATION_STATE_CHANGED)
def on_state_changed(event: DomainEvent) -> None:
    """Ready, deactivated, withdrawn, rejected."""
    req = db.session.get(CancellationRequest, event.subject_id)
    if req is None:
        return
    now = event.created_at
    state = event.data.get("state")
    code = req.tracking_code
    customer = _customer(req)  # held for the whole handler: read once
    if state == RequestState.READY:
        off = deactivation_time(req)
        queue(req, Moment.ALL_DONE, UPDATE, cause=event.id, now=now, customer=customer,
              params={"code": code, "deactivate_on": off.astimezone(ZoneInfo(req.timezone)).date()})
        warn_at = latest_allowed_before(off - BEFORE_DEACTIVATION, req.timezone, quiet_hours())
        contact = _later_contact(req, customer)
        queue(req, Moment.DEACTIVATING, ESSENTIAL, cause=cause_key(req.id, Moment.DEACTIVATING), now=now,
              audience=Audience.LINE, at=max(warn_at, now), immediate=warn_at <= now, customer=customer,
              params={"code": code, **({"contact": contact} if contact else {"variant": "no_contact"})})
    elif state == RequestState.COMPLETED and req.deactivated_at is not None:
        refund = req.refund_due - req.refunded_total
        params = {"code": code, "number": _masked_line(req),
                  "date": req.deactivated_at.astimezone(ZoneInfo(req.timezone)).date()}
        if refund > 0:
            params.update(variant="refund", amount=refund)
        _queue_both(req, customer, Moment.DEACTIVATED, ESSENTIAL, cause=event.id, now=now, params=params)
        queue(req, Moment.FOLLOW_UP, UPDATE, cause=cause_key(req.id, Moment.FOLLOW_UP), now=now,
              at=req.deactivated_at + FOLLOW_UP_AFTER, params={"code": code}, customer=customer)
        if customer.segment in CARE_SEGMENTS:
            calls.ensure(req, "care_deactivated", now)
    elif state == RequestState.WITHDRAWN:
        _queue_both(req, customer, Moment.WITHDRAWN, ESSENTIAL, cause=event.id, now=now, params={"code": code}, immediate=True)
    elif state == RequestState.REJECTED:
        _queue_both(req, customer, Moment.REJECTED, ESSENTIAL, cause=event.id, now=now,
                    params={"code": code, "hold": req.rejected_reason or "other"})


@subscriber(CANCELLATION_NODE_CHANGED)
def on_node_changed(event: DomainEvent) -> None:
    """Refund paid; a new to-do waiting on the customer."""
    node, status = event.data.get("node"), event.data.get("status")
    if status != NodeStatus.DONE or node == NodeCode.DEACTIVATED:
        # Both moments follow a step that is done, neither the deactivation (the request is
        # closed; its message follows the state change): no need to read the request.
        return
    req = db.session.get(CancellationRequest, event.subject_id)
    if req is None:
        return
    now = event.created_at
    if node == NodeCode.REFUND_ISSUED and req.refunded_total > 0:
        queue(req, Moment.REFUND_ISSUED, UPDATE, cause=event.id, now=now,
              params={"code": req.tracking_code, "amount": req.refunded_total, "number": _masked_line(req)})
        return
    if req.state != RequestState.IN_PROGRESS:
        return
    item = next_customer_item(req)
    if item is None:
        return
    # The first to-do was in the receipt; each later one is announced once.
    first = next_customer_item(req, include_done=True)
    if first is not None and first.key == item.key:
        return
    queue(req, Moment.TODO, UPDATE, cause=cause_key(req.id, Moment.TODO, item.key), now=now,
          params=_todo_params(req, item))
    _remind(req, item, now)


def next_customer_item(req: CancellationRequest, *, include_done: bool = False) -> ChecklistEntry | None:
    """The first required to-do that waits on the customer (open ones only, unless ``include_done``)."""
    for item in req.items:
        if item.required and item.owner == CUSTOMER and (include_done or item.status == ItemStatus.TODO):
            return item
    return None


def deactivation_time(req: CancellationRequest) -> dt.datetime:
    """When the jobs switch the number off: after cooling-off, from the effective date on."""
    start = dt.datetime.combine(req.effective_date, dt.time(), tzinfo=ZoneInfo(req.timezone)).astimezone(dt.UTC)
    return max(req.withdraw_until, start)


def _remind(req: CancellationRequest, item: ChecklistEntry, now: dt.datetime,
            customer: Customer | None = None) -> None:
    due = _due(req, item)
    if due is None:
        return
    remind_day = working_days_before(due.astimezone(ZoneInfo(req.timezone)).date(), REMINDER_WORKING_DAYS)
    at = dt.datetime.combine(remind_day, dt.time(10), tzinfo=ZoneInfo(req.timezone)).astimezone(dt.UTC)
    if at > now:
        queue(req, Moment.TODO_REMINDER, UPDATE, cause=cause_key(req.id, Moment.TODO_REMINDER, item.key),
              now=now, at=at, params={**_todo_params(req, item), "item_key": item.key}, customer=customer)


def working_days_before(day: dt.date, n: int) -> dt.date:
    """The day ``n`` working days before ``day`` (China's calendar with make-up days)."""
    calendar = services().calendar
    while n > 0:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def _due(req: CancellationRequest, item: ChecklistEntry) -> dt.datetime | None:
    from cancelsvc.requests.lifecycle import calendar, facts

    nodes = {n.code: n for n in progress.derive(facts(req), utcnow(), calendar())}
    node = progress.ITEM_NODE.get(item.code)
    due = nodes[node].due_at if node in nodes else None
    return due or nodes[NodeCode.DEACTIVATED].due_at or deactivation_time(req)


def _todo_params(req: CancellationRequest, item: ChecklistEntry) -> dict[str, object]:
    store = db.session.execute(
        db.select(Store.name).where(Store.code == req.store_code)).scalar_one_or_none() if req.store_code else None
    return {"code": req.tracking_code, "item": item.code, "due": _due(req, item),
            "store": store or "", "item_key": item.key}


def _queue_both(req: CancellationRequest, customer: Customer, moment: str, kind: str, **options: object) -> None:
    """The message, and for senior and VIP customers with an e-mail address a copy by e-mail."""
    queue(req, moment, kind, customer=customer, **options)  # type: ignore[arg-type]
    if customer.segment == "vip" and ((req.contact or {}).get("email") or customer.email):
        queue(req, moment, kind, audience=Audience.EMAIL, customer=customer, **options)  # type: ignore[arg-type]


def _customer(req: CancellationRequest) -> Customer:
    return db.session.get_one(Customer, req.customer_id)


def _masked_line(req: CancellationRequest) -> str:
    from models import Account

    msisdn = db.session.get_one(Account, req.account_id).msisdn
    national = msisdn[-11:]
    return f"{national[:3]}****{national[-4:]}"


def _later_contact(req: CancellationRequest, customer: Customer) -> str | None:
    from cancelsvc.notifications.routing import after_cancellation

    address = after_cancellation(req, customer)
    return address.masked if address else None


@sweeper("messages.sla", order=28)
def apologise_for_late_steps(now: dt.datetime) -> int:
    """An apology with the new expected date for each operator-side step that missed its SLA, once.

    Lateness is derived by the lifecycle (``Change.finish``), which publishes no event for it
    but marks the request (``late_check_at``, an indexed column): this sweep claims the marked
    requests in batches and clears the mark. A request with nothing to apologise for (closed
    meanwhile, or its late steps wait on the customer) is cleared with the others of its batch
    in one statement when it is claimed; each of the others in its own transaction, with its
    apologies. Returns how many requests it looked at.
    """
    due = (
        sa.select(CancellationRequest)
        .where(CancellationRequest.late_check_at <= now)
        .order_by(CancellationRequest.late_check_at)
    )
    return sweep_rows(due, lambda req: _apologise(req, now), now=now, limit=configured_batch(SLA_BATCH),
                      settle=_clear_quiet)


def _clear_quiet(claims: list[Claim[CancellationRequest]]) -> set[str]:
    """Clear the mark of the claimed requests that need no apology (they are locked: read as they are)."""
    ids = [held.id for held in claims]
    rows = db.session.execute(
        sa.select(CancellationRequest.id, CancellationRequest.state, CancellationRequest.nodes)
        .where(CancellationRequest.id.in_(ids))
    ).all()
    quiet = {row.id for row in rows if not _late_steps(row.state, row.nodes)}
    return finish_claimed([held for held in claims if held.id in quiet], {"late_check_at": None})


def _late_steps(state: str, nodes: dict[str, dict[str, object]] | None) -> list[str]:
    """The operator-side steps of an open request that missed their SLA and are not done."""
    if state not in OPEN_STATES:
        return []
    return [code for code, node in (nodes or {}).items()
            if node.get("sla_breached") and node.get("status") in OPEN_NODE_STATUSES
            and node.get("waiting_on") != CUSTOMER]


def _apologise(req: CancellationRequest, now: dt.datetime) -> None:
    req.late_check_at = None
    for code in _late_steps(req.state, req.nodes):
        eta = (req.eta or {}).get("expected")
        queue(req, Moment.SLA_MISSED, UPDATE, cause=cause_key(req.id, Moment.SLA_MISSED, code),
              now=now, params={"code": req.tracking_code, "step": code, "eta": eta,
                               **({} if eta else {"variant": None})})
