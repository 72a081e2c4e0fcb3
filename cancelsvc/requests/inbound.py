"""Back-office events (billing, logistics, CRM): idempotent per sender and ``event_id``, any order."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from cancelsvc.auth.principal import Principal
from cancelsvc.common.canonical import canonical_json, to_json_value
from cancelsvc.common.phones import normalise_msisdn
from cancelsvc.errors import Unprocessable
from cancelsvc.precheck.checklist import ITEM_NODE
from cancelsvc.precheck.codes import FindingCode
from cancelsvc.requests.lifecycle import Change, load_for_change
from cancelsvc.requests.service import restore_account
from cancelsvc.requests.states import OPEN, REJECTED
from cancelsvc.services import settings
from cancelsvc.texts.marks import N_
from models import Account, CancellationRequest, Device, InboundEvent, ValueAddedService, db
from models.base import MONEY_MAX
from models.vocabulary import EventOutcome, EventType, ItemStatus, NodeCode

APPLIED, IGNORED = EventOutcome.APPLIED, EventOutcome.IGNORED


def receive(principal: Principal, event: dict[str, Any]) -> dict[str, Any]:
    """Record and apply one event.

    Event ids are scoped per sender (``Principal.caller_key``): the same id and body again
    answers as the first time and changes nothing; the same id with another body is
    refused with 422 ``event.id_reused`` naming the first event.
    """
    sender, fingerprint = principal.caller_key, event_fingerprint(event)
    first = _recorded(sender, event["event_id"])
    if first is not None:
        return _repeat(first, fingerprint)
    req = _find_request(event)
    try:
        with db.session.begin_nested():
            record = InboundEvent(
                event_id=event["event_id"], type=event["type"], occurred_at=event["occurred_at"],
                request_id=req.id, data=_jsonable(event["data"]), outcome=IGNORED, sender=sender,
                body_hash=fingerprint,
            )
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        # The same id is being recorded by a concurrent delivery: answer as that one did.
        # Only the SAVEPOINT was undone; the caller's transaction goes on.
        first = _recorded(sender, event["event_id"])
        if first is None:
            raise
        return _repeat(first, fingerprint)
    req = load_for_change(req.id)
    change = Change(req, "operator", principal.caller_key)
    change.audit_data = {"event_id": event["event_id"], "type": event["type"]}
    if HANDLERS[event["type"]](change, event["data"], event["occurred_at"]):
        record.outcome = APPLIED
        change.finish(f"event.{event['type']}")
    return answer(record)


def answer(record: InboundEvent) -> dict[str, Any]:
    """The 202 body for an event (the same every time it is asked)."""
    return {"event_id": record.event_id, "type": record.type, "cancellation_id": record.request_id,
            "outcome": record.outcome, "received_at": record.received_at}


def event_fingerprint(event: dict[str, Any]) -> str:
    """SHA-256 of what an event says: type, instant (in UTC), target and data.

    Spellings of the same event give the same hash: another UTC offset for the instant,
    another format of the number, ``"50.0"`` for ``"50.00"``.
    """
    target = ({"cancellation_id": event["cancellation_id"]} if event.get("cancellation_id")
              else {"msisdn": normalise_msisdn(event.get("msisdn") or "") or event.get("msisdn")})
    body = {"type": event["type"], "occurred_at": event["occurred_at"].astimezone(dt.UTC).isoformat(),
            **target, "data": {k: _normal(v) for k, v in event["data"].items()}}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _normal(value: Any) -> Any:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value


def _repeat(first: InboundEvent, fingerprint: str) -> dict[str, Any]:
    """A known id: the first answer again, or 422 if this event says something else."""
    if first.body_hash is not None and first.body_hash != fingerprint:
        raise Unprocessable(
            code="event.id_reused",
            errors={"event_id": [N_("This id was used for another event (first_event); send it with a new id.")]},
            first_event=to_json_value(answer(first)),
        )
    return answer(first)


def _recorded(sender: str, event_id: str) -> InboundEvent | None:
    return db.session.execute(
        sa.select(InboundEvent).where(InboundEvent.sender == sender, InboundEvent.event_id == event_id)
    ).scalar_one_or_none()


def _find_request(event: dict[str, Any]) -> CancellationRequest:
    req = None
    if event.get("cancellation_id"):
        req = db.session.get(CancellationRequest, event["cancellation_id"])
    elif event.get("msisdn"):
        msisdn = normalise_msisdn(event["msisdn"])
        if msisdn:
            req = db.session.execute(
                sa.select(CancellationRequest).join(Account, Account.id == CancellationRequest.account_id)
                .where(Account.msisdn == msisdn)
                .order_by(CancellationRequest.open_account_id.is_(None), CancellationRequest.submitted_at.desc())
                .limit(1)
            ).scalar_one_or_none()
    if req is None:
        raise Unprocessable(code="event.unknown_request",
                            errors={"cancellation_id": [N_("No cancellation request matches this event.")]})
    return req


def _items(change: Change, codes: tuple[FindingCode, ...], ref: str | None = None) -> list[Any]:
    return [i for i in change.req.items if i.code in codes and (ref is None or ref in i.refs)]


def _close(change: Change, items: list[Any]) -> bool:
    closed = False
    for item in items:
        closed |= change.close_item(item, ItemStatus.DONE)
    return closed


def _open_only(handler: Callable[[Change, dict[str, Any], dt.datetime], bool]) -> Callable[..., bool]:
    """Events that move an open request; after it closed they are recorded and change nothing."""
    def wrapped(change: Change, data: dict[str, Any], at: dt.datetime) -> bool:
        return change.req.state in OPEN and handler(change, data, at)

    return wrapped


@_open_only
def identity_verified(change: Change, data: dict[str, Any], at: dt.datetime) -> bool:
    if _close(change, [i for i in change.req.items if ITEM_NODE.get(i.code) == NodeCode.IDENTITY_VERIFIED]):
        change.note(NodeCode.IDENTITY_VERIFIED, "identity_verified")
        return True
    return False


@_open_only
def payment_received(change: Change, data: dict[str, Any], at: dt.datetime) -> bool:
    change.req.paid_total = _added(change.req.paid_total, data["amount"])
    change.changed = True
    change.note(NodeCode.FEES_SETTLED, "payment_received", amount=data["amount"])
    return True


@_open_only
def device_returned(change: Change, data: dict[str, Any], at: dt.datetime) -> bool:
    serial = data["serial"]
    device = db.session.execute(
        sa.select(Device).where(Device.serial == serial, Device.account_id == change.req.account_id)
    ).scalar_one_or_none()
    if device is not None and device.returned_on is None:
        device.returned_on = at.date()
    if _close(change, _items(change, (FindingCode.DEVICE_RETURN,), serial)):
        change.note(NodeCode.DEVICES_RETURNED, "device_returned", serial=serial,
                    device=device.kind if device is not None else "other")
        return True
    return False


@_open_only
def service_cancelled(change: Change, data: dict[str, Any], at: dt.datetime) -> bool:
    code = data["code"]
    service = db.session.execute(
        sa.select(ValueAddedService).where(ValueAddedService.code == code,
                                           ValueAddedService.account_id == change.req.account_id)
    ).scalar_one_or_none()
    if service is not None:
        service.status = "cancelled"  # given back on withdrawal
    if _close(change, _items(change, (FindingCode.SERVICE_CANCEL, FindingCode.SERVICE_CANCEL_THIRD_PARTY), code)):
        change.note(NodeCode.SERVICES_CANCELLED, "service_cancelled", code=code)
        return True
    return False


@_open_only
def family_resolved(change: Change, data: dict[str, Any], at: dt.datetime) -> bool:
    account = db.session.get_one(Account, change.req.account_id)
    account.family_group_id, account.family_role = None, None  # given back on withdrawal
    if _close(change, _items(change, (FindingCode.FAMILY_REASSIGN,))):
        change.note(NodeCode.FAMILY_RESOLVED, "family_resolved")
        return True
    return False


def refund_issued(change: Change, data: dict[str, Any], at: dt.datetime) -> bool:
    req = change.req
    req.refunded_total = _added(req.refunded_total, data["amount"])
    req.refunded_at = at
    change.changed = True
    change.note(NodeCode.REFUND_ISSUED, "refund_issued", amount=data["amount"])
    return True


def followup_recorded(change: Change, data: dict[str, Any], at: dt.datetime) -> bool:
    if change.req.follow_up:
        return False
    change.req.follow_up = {"satisfied": data["satisfied"], "comment": data.get("comment"),
                            "recorded_at": at.isoformat()}
    change.changed = True
    if data["satisfied"]:
        change.note(NodeCode.FOLLOW_UP, "follow_up_recorded")
    else:  # a call task is opened for the store (calls.tasks): say so
        change.note(NodeCode.FOLLOW_UP, "follow_up_call_back", hours=settings().CANCELSVC_FOLLOW_UP_HOURS)
    return True


@_open_only
def hold_placed(change: Change, data: dict[str, Any], at: dt.datetime) -> bool:
    req = change.req
    restore_account(req)
    account = db.session.get_one(Account, req.account_id)
    account.holds = sorted(set(account.holds or ()) | {data["kind"]})
    req.rejected_reason = data["kind"]
    req.closed_by = "operator"
    change.move_to(REJECTED)
    change.note(NodeCode.DEACTIVATED, "rejected", hold=data["kind"])
    return True


def place_hold(request_id: str, kind: str, caller: str, action: str) -> bool:
    """A hold placed on the account of an open request by anything but an event (an import):
    the request is rejected exactly as by ``hold.placed``. False when it is no longer open."""
    change = Change(load_for_change(request_id), "operator", caller)
    change.audit_data = {"hold": kind}
    if hold_placed(change, {"kind": kind}, change.now):
        change.finish(action)
        return True
    return False


HANDLERS: dict[EventType, Callable[[Change, dict[str, Any], dt.datetime], bool]] = {
    EventType.IDENTITY_VERIFIED: identity_verified,
    EventType.PAYMENT_RECEIVED: payment_received,
    EventType.DEVICE_RETURNED: device_returned,
    EventType.SERVICE_CANCELLED: service_cancelled,
    EventType.FAMILY_RESOLVED: family_resolved,
    EventType.REFUND_ISSUED: refund_issued,
    EventType.FOLLOWUP_RECORDED: followup_recorded,
    EventType.HOLD_PLACED: hold_placed,
}


def _added(total: Decimal, amount: Decimal) -> Decimal:
    """A running total of money, refused (422) when its column could not hold it."""
    if total + amount > MONEY_MAX:
        raise Unprocessable(errors={"data.amount": [
            N_("With this amount the total would pass {max}; check the amount.").format(max=MONEY_MAX)]})
    return total + amount


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: format(v, "f") if isinstance(v, Decimal) else v for k, v in data.items()}

