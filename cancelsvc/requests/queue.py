"""The staff work queue and request lists: one paginated query over the derived columns.

Sorting and filtering use the columns ``Change.finish`` keeps current (``due_at``,
``breached``, ``waiting_on``, ``next_item``), so a page never loads or computes more
than its own rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cancelsvc.auth.principal import Principal
from cancelsvc.common.paging import offset_of
from models import Account, CallTask, CancellationRequest, Customer, Precheck, db

WAITING_ON = ("customer", "clerk", "operator", "third_party")


@dataclass(frozen=True)
class QueueFilter:
    """What a list asks for; ``open_only`` is the console's queue (sorted by due date)."""

    state: str | None = None
    store: str | None = None
    breached: bool | None = None
    waiting_on: str | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None
    open_only: bool = False


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    total: int


def _scoped(principal: Principal, f: QueueFilter) -> sa.Select[Any] | None:
    """The WHERE clause for this caller and filter; None when the caller may see nothing here."""
    r = CancellationRequest
    query = sa.select(r.id)
    if principal.is_staff and not principal.sees_everything:
        if f.store is not None and f.store != principal.store_code:
            return None
        query = query.where(r.store_code == principal.store_code)
    elif f.store is not None:
        query = query.where(r.store_code == f.store)
    if f.open_only:
        # ``due_at`` is set exactly while a request is open: the indexes answer without the rows.
        query = query.where(r.due_at.is_not(None))
    if f.state is not None:
        query = query.where(r.state == f.state)
    if f.breached is not None:
        query = query.where(r.breached.is_(f.breached))
    if f.waiting_on is not None:
        query = query.where(r.waiting_on == f.waiting_on)
    if f.created_from is not None:
        query = query.where(r.submitted_at >= f.created_from)
    if f.created_to is not None:
        query = query.where(r.submitted_at < f.created_to)
    return query


def list_requests(principal: Principal, f: QueueFilter, page: int, page_size: int) -> Page:
    """One page of requests the caller may see: the queue by due date, other lists newest first."""
    base = _scoped(principal, f)
    if base is None:
        return Page([], 0)
    r = CancellationRequest
    total = db.session.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
    offset = offset_of(page, page_size)
    if offset is None:
        return Page([], total)
    order = (r.due_at, r.id) if f.open_only else (r.submitted_at.desc(), r.id)
    ids = base.order_by(*order).limit(page_size).offset(offset).subquery()
    rows = db.session.execute(
        sa.select(r.id, r.tracking_code, r.state, r.version, r.account_id, r.store_code, r.submitted_at,
                  r.withdraw_until, r.due_at, r.breached, r.waiting_on, r.next_item, r.precheck_id, r.customer_id,
                  Account.msisdn, Customer.name.label("customer_name"),
                  Precheck.risk["band"].as_string().label("risk_band"))  # not the whole risk document
        .join(ids, ids.c.id == r.id)
        .join(Account, Account.id == r.account_id)
        .join(Customer, Customer.id == r.customer_id)
        .join(Precheck, Precheck.id == r.precheck_id)
        .order_by(*order)
    ).all()
    return Page([_row(row) for row in rows], total)


def _row(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "tracking_code": row.tracking_code, "state": row.state, "version": row.version,
        "account_id": row.account_id, "msisdn": row.msisdn, "customer_name": row.customer_name,
        "store_code": row.store_code, "submitted_at": row.submitted_at, "withdraw_until": row.withdraw_until,
        "due_at": row.due_at, "breached": row.breached, "waiting_on": row.waiting_on,
        "next_item": row.next_item, "precheck_id": row.precheck_id, "risk_band": row.risk_band,
    }


def due_calls_count(principal: Principal, now: dt.datetime) -> int:
    """How many call tasks are due for the caller's store (all stores for admins)."""
    query = sa.select(sa.func.count()).select_from(CallTask).where(
        CallTask.closed_at.is_(None), CallTask.due_at <= now)
    if principal.is_staff and not principal.sees_everything:
        query = query.where(CallTask.store_code == principal.store_code)
    return int(db.session.execute(query).scalar_one())
