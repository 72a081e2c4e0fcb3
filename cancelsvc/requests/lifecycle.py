"""Changing a request: every change goes through ``Change`` so that the checklist, the
nodes, the state, the ETA, the version, the timeline, the audit log and the domain
events stay consistent. Runs inside the caller's transaction; never commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from cancelsvc import audit, outbox
from cancelsvc.calls import tasks as calls
from cancelsvc.database import is_postgres
from cancelsvc.errors import NotFound
from cancelsvc.precheck.codec import to_json_value
from cancelsvc.requests import payments, progress
from cancelsvc.requests.states import COMPLETED, IN_PROGRESS, OPEN, READY, check_transition
from cancelsvc.services import services
from cancelsvc.workdays import WorkCalendar
from models import CancellationRequest, ChecklistEntry, TimelineEntry, db
from models.base import utcnow
from models.vocabulary import OPEN_NODE_STATUSES, ItemStatus, NodeCode, NodeStatus

CLOSED_ITEM = progress.CLOSED_ITEM


def calendar() -> WorkCalendar:
    return services().calendar


def load_for_change(request_id: str) -> CancellationRequest:
    """The request, locked for this transaction on PostgreSQL (writers queue up)."""
    query = sa.select(CancellationRequest).where(CancellationRequest.id == request_id)
    if is_postgres():
        query = query.with_for_update()
    row = db.session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()
    if row is None:
        raise NotFound(code="cancellation.not_found")
    return row


def facts(req: CancellationRequest) -> progress.RequestFacts:
    """What the progress derivation needs to know about ``req``."""
    follow_up_at = req.follow_up.get("recorded_at") if req.follow_up else None
    return progress.RequestFacts(
        state=req.state,
        submitted_at=req.submitted_at,
        withdraw_until=req.withdraw_until,
        effective_date=req.effective_date,
        timezone=req.timezone,
        items=[
            progress.ItemFacts(i.key, i.code, i.owner, i.required, i.status, i.est_min, i.est_max, i.done_at)
            for i in req.items
        ],
        deactivated_at=req.deactivated_at,
        closed_at=req.closed_at,
        refund_due=req.refund_due,
        refunded_total=req.refunded_total,
        refunded_at=req.refunded_at,
        follow_up_at=dt.datetime.fromisoformat(follow_up_at) if follow_up_at else None,
        follow_up_hours=services().settings.CANCELSVC_FOLLOW_UP_HOURS,
        sla_working_days=services().sla_working_days,
    )


@dataclass
class Change:
    """One change to one request by one actor; ``commit_to`` writes everything derived."""

    req: CancellationRequest
    actor: str  # customer | clerk | supervisor | operator | system
    caller: str  # the credential, for the audit log
    now: dt.datetime = field(default_factory=utcnow)
    changed: bool = False
    audit_data: dict[str, Any] = field(default_factory=dict)
    #: Set by the deactivation: the request had no call task before this change.
    deactivated: bool = False
    _new_state: str | None = None

    def note(self, node: str, message: str, **params: Any) -> None:
        """Add a line to the request's timeline under ``node``.

        Append-only: for a request already in the database, the entry joins ``req.timeline``
        through its back reference, which does not load the timeline when it was not loaded
        yet; a new request's entries are written with it.
        """
        entry = TimelineEntry(at=self.now, node=node, message=message, params=to_json_value(params),
                              actor=self.actor)
        if sa.inspect(self.req).persistent:
            entry.request = self.req
            db.session.add(entry)
        else:
            self.req.timeline.append(entry)
        self.changed = True

    def close_item(self, item: ChecklistEntry, status: str, note: str | None = None) -> bool:
        """Mark an item done or waived; False when it already was."""
        if item.status in CLOSED_ITEM:
            return False
        item.status, item.done_at, item.done_by, item.note = status, self.now, self.actor, note
        self.changed = True
        return True

    def move_to(self, state: str) -> None:
        check_transition(self.req.state, state)
        self._new_state = state
        self.req.state = state
        if state not in OPEN:
            self.req.open_account_id = None
            self.req.closed_at = self.now
        self.changed = True

    def finish(self, action: str) -> None:
        """Derive nodes, readiness and ETA; bump the version; log, audit and publish."""
        req = self.req
        covered = payments.covered_keys(req.items, req.paid_total)
        for item in req.items:
            if item.key in covered and self.close_item(item, ItemStatus.DONE):
                item.done_by = payments.PAID_BY
                self.note(progress.ITEM_NODE[item.code], "item_done", item=item.code)  # paid money has a node
        if req.state == IN_PROGRESS and _all_required_done(req):
            self.move_to(READY)
            req.ready_at = self.now
            self.note(NodeCode.DEACTIVATED, "ready")
        nodes = progress.derive(facts(req), self.now, calendar())
        node_changes = self._diff_nodes(nodes)
        self._revise_eta(nodes)
        req.next_check_at = _next_check(req, nodes, self.now)
        _derive_queue_columns(req, nodes)
        calls.sync(req, self.now, self.caller, just_deactivated=self.deactivated)
        if not (self.changed or node_changes):
            return
        req.version += 1
        req.last_changed_at = self.now
        audit.append(self.caller, action, "cancellation", req.id,
                     {"version": req.version, "state": req.state, **self.audit_data})
        if self._new_state:
            outbox.publish(outbox.CANCELLATION_STATE_CHANGED, req.id,
                           {"id": req.id, "tracking_code": req.tracking_code, "state": req.state,
                            "version": req.version})
        for code, status in node_changes:
            outbox.publish(outbox.CANCELLATION_NODE_CHANGED, req.id,
                           {"id": req.id, "tracking_code": req.tracking_code, "node": code, "status": status,
                            "version": req.version})

    def _diff_nodes(self, nodes: list[progress.Node]) -> list[tuple[NodeCode, NodeStatus]]:
        old = self.req.nodes or {}
        new: dict[str, dict[str, Any]] = {n.code: n.as_state() for n in nodes}
        # A new request announces itself with cancellation.created, not ten node changes.
        changes = [(n.code, n.status) for n in nodes if old and old.get(n.code, {}).get("status") != n.status]
        for n in nodes:
            if n.sla_breached and not old.get(n.code, {}).get("sla_breached") and n.status != NodeStatus.DONE:
                self.note(n.code, "sla_breached")
                self.req.late_check_at = self.req.late_check_at or self.now
        if self.req.nodes != new:
            self.req.nodes = new
            self.changed = True
        return changes

    def _revise_eta(self, nodes: list[progress.Node]) -> None:
        computed = progress.eta(nodes)
        old = self.req.eta or {}
        new = {k: v.astimezone(dt.UTC).isoformat() if v else None for k, v in computed.items()}
        reason = old.get("revised_reason")
        expected = computed["expected"]
        tz = ZoneInfo(self.req.timezone)
        if nodes[7].completed_at:
            # Deactivated: the ETA is now a fact, not a forecast that moved.
            reason = None
        elif old.get("expected") and expected:
            # The customer reads a day: a move within the same day is no revision.
            was = dt.datetime.fromisoformat(old["expected"]).astimezone(tz).date()
            day = expected.astimezone(tz).date()
            if day != was:
                reason = {"key": "eta.revised.later" if day > was else "eta.revised.earlier",
                          "date": day.isoformat()}
        new["revised_reason"] = reason
        if new != old:
            self.req.eta = new
            self.changed = True


def _derive_queue_columns(req: CancellationRequest, nodes: list[progress.Node]) -> None:
    """The staff queue's columns: next required to-do, who it waits on, its due date, breach."""
    open_nodes = [n for n in nodes if n.status in OPEN_NODE_STATUSES]
    req.breached = any(n.sla_breached for n in open_nodes)
    if req.state not in OPEN:
        req.due_at, req.next_item = None, None
        req.waiting_on = next((n.waiting_on for n in open_nodes if n.waiting_on), None)
        return
    pending = [i for i in req.items
               if i.required and i.status not in CLOSED_ITEM and i.code not in progress.DONE_AT_DEACTIVATION]
    by_code = {n.code: n for n in nodes}
    deactivation = by_code[NodeCode.DEACTIVATED]
    if pending:
        item = pending[0]
        item_node = progress.ITEM_NODE.get(item.code)
        node = by_code[item_node] if item_node is not None else deactivation
        req.next_item, req.waiting_on = item.key, item.owner
        req.due_at = node.due_at or deactivation.due_at
    else:
        req.next_item, req.waiting_on = None, "operator"
        req.due_at = deactivation.due_at


def _all_required_done(req: CancellationRequest) -> bool:
    return all(
        i.status in CLOSED_ITEM
        for i in req.items
        if i.required and i.code not in progress.DONE_AT_DEACTIVATION
    )


def _next_check(req: CancellationRequest, nodes: list[progress.Node], now: dt.datetime) -> dt.datetime | None:
    """When a job must look again: deactivation time, or the next SLA deadline."""
    if req.state not in OPEN and req.state != COMPLETED:
        return None
    moments = [n.due_at for n in nodes
               if n.due_at and n.status in OPEN_NODE_STATUSES and not n.sla_breached]
    if req.state == READY:
        moments.append(max(req.withdraw_until, nodes[7].expected_at or req.withdraw_until))
    if req.state in OPEN and now < req.withdraw_until:
        moments.append(req.withdraw_until)
    future = [m for m in moments if m is not None]
    return min(future) if future else None


