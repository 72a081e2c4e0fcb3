"""Scheduled work on requests: deactivation after cooling-off, SLA marks, follow-up due.

Rows are claimed (``cancelsvc.jobs.claims``), so several workers never act on the same
request twice; each request is handled in its own transaction.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from cancelsvc.jobs import sweeper
from cancelsvc.jobs.claims import sweep_rows
from cancelsvc.requests import payments
from cancelsvc.requests.lifecycle import Change
from cancelsvc.requests.progress import DONE_AT_DEACTIVATION
from cancelsvc.requests.states import COMPLETED, READY
from cancelsvc.workdays import local_date
from models import Account, CancellationRequest, ValueAddedService, db
from models.vocabulary import ItemStatus, NodeCode, NodeStatus

SYSTEM = "system:jobs"


@sweeper("cancellations.advance", order=10)
def advance_requests(now: dt.datetime) -> int:
    """Deactivate ready requests whose time has come; mark cooling-off ends and late nodes."""
    due = (
        sa.select(CancellationRequest)
        .where(CancellationRequest.next_check_at <= now)
        .order_by(CancellationRequest.next_check_at)
    )
    # Every pass reads the checklist: loaded with the request, in the unit's first statement.
    return sweep_rows(due, lambda req: advance(req, now), now=now, options=(joinedload(CancellationRequest.items),))


def advance(req: CancellationRequest, now: dt.datetime) -> None:
    """One pass over one request at ``now``."""
    change = Change(req, "system", SYSTEM, now=now)
    cooling = req.nodes.get(NodeCode.COOLING_OFF, {})
    if cooling.get("status") == NodeStatus.IN_PROGRESS and now >= req.withdraw_until:
        change.note(NodeCode.COOLING_OFF, "cooling_off_ended")
    due = req.state == READY and now >= req.withdraw_until and local_date(now, req.timezone) >= req.effective_date
    if due:
        deactivate(change)
    # Later passes over a completed request (SLA marks) are checks, not another deactivation.
    change.finish("cancellation.deactivated" if due else "cancellation.checked")


def deactivate(change: Change) -> None:
    """The number goes: account cancelled, operator services stopped, overpayment refunded."""
    req = change.req
    # Two statements, whatever the number of services (neither is read first); the unit's
    # other changes are flushed together at its commit.
    with db.session.no_autoflush:
        db.session.execute(sa.update(Account).where(Account.id == req.account_id).values(status="cancelled"))
        db.session.execute(
            sa.update(ValueAddedService)
            .where(ValueAddedService.account_id == req.account_id, ValueAddedService.provider == "operator",
                   ValueAddedService.status == "active")
            .values(status="cancelled")
        )
    for item in req.items:
        if item.code in DONE_AT_DEACTIVATION:
            change.close_item(item, ItemStatus.DONE)
    overpaid = req.paid_total - payments.settled_total(req.items)
    if overpaid > 0:
        req.refund_due += overpaid
    req.deactivated_at = change.now
    change.deactivated = True
    change.move_to(COMPLETED)
    req.closed_by = "system"
    change.note(NodeCode.DEACTIVATED, "deactivated")
