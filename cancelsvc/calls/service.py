"""The call list and closing a call: thin over the request lifecycle."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from cancelsvc import audit
from cancelsvc.auth.principal import Principal
from cancelsvc.calls.tasks import FOLLOW_UP
from cancelsvc.common.paging import counted_page, with_total
from cancelsvc.errors import Conflict, NotFound, PreconditionFailed
from cancelsvc.requests.inbound import followup_recorded
from cancelsvc.requests.lifecycle import Change, load_for_change
from cancelsvc.requests.service import actor_of
from models import Account, CallTask, CancellationRequest, Customer, db

#: When a customer was not reached, the call comes back on the list this much later.
RETRY_AFTER = dt.timedelta(hours=2)


@lru_cache(maxsize=4)
def _statements(by_store: bool) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The count, and the page of due calls with the count beside (``paging.with_total``),
    built once (with or without a store)."""
    base = sa.select(CallTask.id).where(CallTask.closed_at.is_(None), CallTask.due_at <= sa.bindparam("now"))
    if by_store:
        base = base.where(CallTask.store_code == sa.bindparam("store"))
    count = sa.select(sa.func.count()).select_from(base.subquery())
    order = (CallTask.priority, CallTask.due_at, CallTask.id)
    ids = base.order_by(*order).limit(sa.bindparam("limit")).offset(sa.bindparam("offset")).subquery()
    r = CancellationRequest
    rows = (
        sa.select(CallTask.id, CallTask.kind, CallTask.request_id, CallTask.due_at, CallTask.attempts,
                  CallTask.outcome, r.tracking_code, r.contact, r.follow_up, r.deactivated_at, Account.msisdn,
                  Customer.name.label("customer_name"), Customer.phone, Customer.email)
        .join(ids, ids.c.id == CallTask.id)
        .join(r, r.id == CallTask.request_id)
        .join(Account, Account.id == r.account_id)
        .join(Customer, Customer.id == r.customer_id)
        .order_by(*order)
    )
    return count, with_total(count, rows)


def list_calls(principal: Principal, now: dt.datetime, page: int, page_size: int,
               store: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """Open call tasks that are due, most urgent first: dissatisfied customers, then follow-ups."""
    allowed, store = principal.store_scope(store)
    if not allowed:
        return [], 0
    count, rows = _statements(store is not None)
    values: dict[str, Any] = {"now": now, "store": store} if store is not None else {"now": now}
    # Plain rows on the session's connection: the ORM's execution adds nothing here.
    found, total = counted_page(db.session.connection(), count, rows, values, page, page_size)
    return [_row(row) for row in found], total


def _row(row: Any) -> dict[str, Any]:
    contact = row.contact or {}
    return {
        "id": row.id, "kind": row.kind, "request_id": row.request_id, "tracking_code": row.tracking_code,
        "customer_name": row.customer_name, "msisdn": row.msisdn,
        # Whom to call: the contact given for after the cancellation, else the customer's own details.
        "phone": contact.get("phone") or row.phone, "email": contact.get("email") or row.email,
        "due_at": row.due_at, "attempts": row.attempts, "deactivated_at": row.deactivated_at,
        "follow_up": row.follow_up, "last_outcome": row.outcome,
    }


def get_call(principal: Principal, call_id: str) -> CallTask:
    task = db.session.get(CallTask, call_id) if len(call_id) <= 36 else None
    mine = principal.is_staff and task is not None and task.store_code is not None \
        and task.store_code == principal.store_code
    if task is None or not (principal.sees_everything or mine):
        raise NotFound(code="call.not_found")
    return task


def close_call(principal: Principal, call_id: str, reached: bool, satisfied: bool | None,
               comment: str | None, now: dt.datetime) -> CallTask:
    """Record a call: not reached → back on the list later; reached → closed with the outcome.

    Closing a follow-up call records the follow-up exactly like a ``followup.recorded`` event.
    """
    task = get_call(principal, call_id)
    if task.closed_at is not None:
        raise Conflict(code="call.closed")
    outcome = {"reached": reached, "satisfied": satisfied if reached else None, "comment": comment}
    task.outcome = outcome
    task.attempts += 1
    if not reached:
        task.due_at = now + RETRY_AFTER
        audit.append(principal.caller_key, "call.not_reached", "call_task", task.id,
                     {"request_id": task.request_id, "kind": task.kind, "attempts": task.attempts})
        return task
    task.closed_at, task.closed_by = now, principal.caller_key
    audit.append(principal.caller_key, "call.closed", "call_task", task.id,
                 {"request_id": task.request_id, "kind": task.kind, **outcome})
    if task.kind == FOLLOW_UP:
        record_follow_up(principal, task.request_id, bool(satisfied), comment, now, call_id=task.id)
    return task


def record_follow_up(principal: Principal, request_id: str, satisfied: bool, comment: str | None,
                     now: dt.datetime, *, call_id: str | None = None, version: int | None = None) -> bool:
    """Record the follow-up call exactly like the ``followup.recorded`` event; False when already recorded.

    ``version`` (a console form's) must match the request's, like ``If-Match``.
    """
    req = load_for_change(request_id)
    if version is not None and req.version != version:
        raise PreconditionFailed(code="precondition.failed", version=req.version)
    change = Change(req, actor_of(principal), principal.caller_key, now=now)
    change.audit_data = {"call_id": call_id} if call_id else {}
    if not followup_recorded(change, {"satisfied": satisfied, "comment": comment}, now):
        return False
    change.finish("event.followup.recorded")
    return True
