"""The staff work queue and request lists: one paginated query over the derived columns.

Sorting and filtering use the columns ``Change.finish`` keeps current (``due_at``,
``breached``, ``waiting_on``, ``next_item``), so a page never loads or computes more
than its own rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from cancelsvc.auth.principal import Principal
from cancelsvc.common.paging import counted_page, with_total
from models import Account, CallTask, CancellationRequest, Customer, Precheck, db
from models.vocabulary import Owner

WAITING_ON = tuple(Owner)


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


#: Which filters a list applies (their values are bound parameters): one pair of statements each.
_Shape = tuple[bool, bool, bool | None, bool, bool, bool, bool]


def _shape(principal: Principal, f: QueueFilter) -> tuple[_Shape, dict[str, Any]] | None:
    """The filters of this caller and list, and their values; None when the caller may see nothing here."""
    allowed, store = principal.store_scope(f.store)
    if not allowed:
        return None
    values = {"store": store, "state": f.state, "waiting_on": f.waiting_on,
              "created_from": f.created_from, "created_to": f.created_to}
    shape = (store is not None, f.open_only, f.breached, f.state is not None, f.waiting_on is not None,
             f.created_from is not None, f.created_to is not None)
    return shape, {k: v for k, v in values.items() if v is not None}


@lru_cache(maxsize=128)
def _statements(shape: _Shape) -> tuple[sa.Select[int], sa.Select[*tuple[Any, ...]]]:
    """The count, and the page of rows with the count beside (``paging.with_total``), for
    one shape of filters, built once: building and keying the statements cost more than
    running them."""
    has_store, open_only, breached, state, waiting_on, created_from, created_to = shape
    r = CancellationRequest
    query = sa.select(r.id)
    if has_store:
        query = query.where(r.store_code == sa.bindparam("store"))
    if open_only:
        # ``due_at`` is set exactly while a request is open: the indexes answer without the rows.
        query = query.where(r.due_at.is_not(None))
    if state:
        query = query.where(r.state == sa.bindparam("state"))
    if breached is not None:
        query = query.where(r.breached.is_(breached))
    if waiting_on:
        query = query.where(r.waiting_on == sa.bindparam("waiting_on"))
    if created_from:
        query = query.where(r.submitted_at >= sa.bindparam("created_from", type_=r.submitted_at.type))
    if created_to:
        query = query.where(r.submitted_at < sa.bindparam("created_to", type_=r.submitted_at.type))
    count = sa.select(sa.func.count()).select_from(query.subquery())
    order = (r.due_at, r.id) if open_only else (r.submitted_at.desc(), r.id)
    ids = query.order_by(*order).limit(sa.bindparam("limit")).offset(sa.bindparam("offset")).subquery()
    rows = (
        sa.select(r.id, r.tracking_code, r.state, r.version, r.account_id, r.store_code, r.submitted_at,
                  r.withdraw_until, r.due_at, r.breached, r.waiting_on, r.next_item, r.precheck_id, r.customer_id,
                  Account.msisdn, Customer.name.label("customer_name"),
                  Precheck.risk["band"].as_string().label("risk_band"))  # not the whole risk document
        .join(ids, ids.c.id == r.id)
        .join(Account, Account.id == r.account_id)
        .join(Customer, Customer.id == r.customer_id)
        .join(Precheck, Precheck.id == r.precheck_id)
        .order_by(*order)
    )
    return count, with_total(count, rows)


def list_requests(principal: Principal, f: QueueFilter, page: int, page_size: int) -> Page:
    """One page of requests the caller may see: the queue by due date, other lists newest first."""
    shaped = _shape(principal, f)
    if shaped is None:
        return Page([], 0)
    shape, values = shaped
    count, rows = _statements(shape)
    # Plain rows on the session's connection: the ORM's execution adds nothing here.
    found, total = counted_page(db.session.connection(), count, rows, values, page, page_size)
    return Page([_row(row) for row in found], total)


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
    allowed, store = principal.store_scope(None)
    if not allowed:
        return 0
    if store is not None:
        query = query.where(CallTask.store_code == store)
    return int(db.session.execute(query).scalar_one())
