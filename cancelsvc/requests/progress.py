"""The parcel-tracker view: ten fixed nodes derived from a request's facts (pure).

Nodes 2–6 follow the checklist items they group; cooling-off, deactivation, refund and
follow-up follow the request's timestamps. Statuses, ETAs and SLA deadlines are derived
afresh on every change from the same facts, so events may arrive in any order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from cancelsvc.precheck.checklist import ITEM_NODE
from cancelsvc.precheck.codes import FindingCode
from cancelsvc.requests.states import COMPLETED, READY, REJECTED, WITHDRAWN
from cancelsvc.workdays import WorkCalendar
from models.vocabulary import CLOSED_ITEM_STATUSES, ITEM_NODES, OPEN_NODE_STATUSES, NodeCode, NodeStatus, Owner

NODES = tuple(NodeCode)
#: The checklist items each item node groups (from ``precheck.checklist.ITEM_NODE``).
NODE_ITEMS: dict[NodeCode, tuple[str, ...]] = {
    node: tuple(code for code, of in ITEM_NODE.items() if of == node) for node in ITEM_NODES
}
#: Operator services are cancelled for the customer at deactivation: they never hold it up.
DONE_AT_DEACTIVATION = frozenset({FindingCode.SERVICE_CANCEL})
CLOSED_ITEM = CLOSED_ITEM_STATUSES
#: Working days we allow for a refund after deactivation (expected and SLA).
REFUND_WORKING_DAYS = 5
#: How long after its due time a deactivation counts as late.
DEACTIVATION_GRACE_WORKING_DAYS = 1


@dataclass(frozen=True)
class ItemFacts:
    key: str
    code: str
    owner: str
    required: bool
    status: str
    est_min: int | None
    est_max: int | None
    done_at: dt.datetime | None


@dataclass(frozen=True)
class RequestFacts:
    state: str
    submitted_at: dt.datetime
    withdraw_until: dt.datetime
    effective_date: dt.date
    timezone: str
    items: Sequence[ItemFacts]
    deactivated_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    refund_due: Decimal = Decimal("0")
    refunded_total: Decimal = Decimal("0")
    refunded_at: dt.datetime | None = None
    follow_up_at: dt.datetime | None = None
    follow_up_hours: int = 48
    sla_working_days: Mapping[str, int] = field(default_factory=dict)


@dataclass
class Node:
    seq: int
    code: NodeCode
    status: NodeStatus
    waiting_on: str | None = None
    action_items: tuple[str, ...] = ()
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    expected_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    sla_breached: bool = False
    earliest_at: dt.datetime | None = None
    #: Pending at a known time (deactivation once every to-do is done): "scheduled", not "waiting".
    scheduled: bool = False

    def as_state(self) -> dict[str, Any]:
        """What is kept between derivations (to detect changes)."""
        return {"status": self.status, "sla_breached": self.sla_breached, "waiting_on": self.waiting_on}


def derive(facts: RequestFacts, now: dt.datetime, calendar: WorkCalendar) -> list[Node]:
    """All ten nodes for ``facts`` at ``now``."""
    tz = facts.timezone
    add = calendar.add_working_days_dt
    nodes = [Node(1, NodeCode.SUBMITTED, NodeStatus.DONE, started_at=facts.submitted_at, completed_at=facts.submitted_at,
                  expected_at=facts.submitted_at, due_at=facts.submitted_at)]
    for seq, code in enumerate(NODE_ITEMS, start=2):
        nodes.append(_item_node(seq, code, facts, now, calendar))
    cooling = Node(7, NodeCode.COOLING_OFF, NodeStatus.IN_PROGRESS, started_at=facts.submitted_at,
                   expected_at=facts.withdraw_until, due_at=facts.withdraw_until)
    if now >= facts.withdraw_until and facts.state != WITHDRAWN:
        cooling.status, cooling.completed_at = NodeStatus.DONE, facts.withdraw_until
    nodes.append(cooling)

    start_of_effective = dt.datetime.combine(facts.effective_date, dt.time(0, 0), tzinfo=ZoneInfo(tz))
    blockers = [n for n in nodes[1:6] if n.code != NodeCode.SERVICES_CANCELLED and n.status != NodeStatus.SKIPPED]
    ready_by = max([facts.withdraw_until, start_of_effective,
                    *[at for n in blockers if (at := n.completed_at or n.expected_at)]])
    earliest = max([facts.withdraw_until, start_of_effective,
                    *[at for n in blockers if (at := n.completed_at or n.earliest_at)]])
    deactivation = Node(8, NodeCode.DEACTIVATED, NodeStatus.PENDING, expected_at=ready_by, earliest_at=earliest,
                        due_at=add(ready_by, DEACTIVATION_GRACE_WORKING_DAYS, tz))
    if facts.deactivated_at:
        deactivation.status, deactivation.completed_at = NodeStatus.DONE, facts.deactivated_at
        deactivation.started_at = deactivation.started_at or facts.deactivated_at
    elif facts.state == READY:
        scheduled = max(facts.withdraw_until, start_of_effective, facts.submitted_at)
        if now < scheduled:
            # Every to-do is done: deactivation is scheduled, not yet under way.
            deactivation.expected_at = deactivation.earliest_at = scheduled
            deactivation.scheduled, deactivation.waiting_on = True, "operator"
        else:
            deactivation.status, deactivation.waiting_on = NodeStatus.IN_PROGRESS, "operator"
            deactivation.started_at = scheduled
    nodes.append(deactivation)

    base = facts.deactivated_at or ready_by
    refund = Node(9, NodeCode.REFUND_ISSUED, NodeStatus.PENDING, expected_at=add(base, REFUND_WORKING_DAYS, tz),
                  due_at=add(base, REFUND_WORKING_DAYS, tz))
    if facts.deactivated_at:
        refund.started_at = facts.deactivated_at
    if facts.refund_due <= 0:
        # Nothing to refund: a skipped step has no times.
        refund.status, refund.started_at, refund.expected_at, refund.due_at = NodeStatus.SKIPPED, None, None, None
    elif facts.refunded_total >= facts.refund_due:
        refund.status, refund.completed_at = NodeStatus.DONE, facts.refunded_at
    elif facts.deactivated_at:
        refund.status, refund.started_at, refund.waiting_on = NodeStatus.IN_PROGRESS, facts.deactivated_at, "operator"
    nodes.append(refund)

    follow = Node(10, NodeCode.FOLLOW_UP, NodeStatus.PENDING, expected_at=base + dt.timedelta(hours=facts.follow_up_hours),
                  due_at=base + dt.timedelta(hours=facts.follow_up_hours))
    follow.started_at = facts.deactivated_at
    if facts.follow_up_at:
        follow.status, follow.completed_at = NodeStatus.DONE, facts.follow_up_at
    elif facts.deactivated_at:
        follow.status, follow.started_at, follow.waiting_on = NodeStatus.IN_PROGRESS, facts.deactivated_at, "operator"
    nodes.append(follow)

    for node in nodes:
        _close_for_final_state(node, facts)
        node.sla_breached = _breached(node, now)
    return nodes


def _item_node(seq: int, code: NodeCode, facts: RequestFacts, now: dt.datetime, calendar: WorkCalendar) -> Node:
    items = [i for i in facts.items if ITEM_NODE.get(i.code) == code]
    node = Node(seq, code, NodeStatus.SKIPPED)
    if not items:
        return node
    tz = facts.timezone
    est = max((i.est_max or 0) for i in items)
    sla = facts.sla_working_days.get(code, est)
    node.started_at = facts.submitted_at
    node.expected_at = calendar.add_working_days_dt(facts.submitted_at, est, tz)
    node.earliest_at = calendar.add_working_days_dt(facts.submitted_at, max((i.est_min or 0) for i in items), tz)
    node.due_at = calendar.add_working_days_dt(facts.submitted_at, sla, tz)
    open_items = [i for i in items if i.status not in CLOSED_ITEM]
    if not open_items:
        node.status = NodeStatus.DONE
        node.completed_at = max((i.done_at for i in items if i.done_at), default=facts.submitted_at)
        return node
    node.status = NodeStatus.IN_PROGRESS
    node.earliest_at = max(node.earliest_at, now) if node.earliest_at else now
    customer = [i for i in open_items if i.owner == Owner.CUSTOMER]
    if customer:
        node.waiting_on = Owner.CUSTOMER
        node.action_items = tuple(i.key for i in customer)
    elif any(i.code == FindingCode.SERVICE_CANCEL_THIRD_PARTY for i in open_items):
        node.waiting_on = Owner.THIRD_PARTY
    else:
        node.waiting_on = Owner.OPERATOR
    if all(i.code in DONE_AT_DEACTIVATION for i in open_items):
        node.expected_at = node.earliest_at = None  # done together with deactivation
    elif node.expected_at is not None and now > node.expected_at:
        # Running late: expect it one working day from now, which moves the ETA.
        node.expected_at = calendar.add_working_days_dt(now, 1, tz)
    return node


def _close_for_final_state(node: Node, facts: RequestFacts) -> None:
    if facts.state in (WITHDRAWN, REJECTED) and node.status in OPEN_NODE_STATUSES:
        node.status = NodeStatus.FAILED if facts.state == REJECTED else NodeStatus.SKIPPED
        node.waiting_on = None
        node.action_items = ()
        node.scheduled = False
        if node.status == NodeStatus.SKIPPED:
            node.expected_at = node.due_at = None
    if facts.state == COMPLETED and node.code == NodeCode.SERVICES_CANCELLED and node.status == NodeStatus.IN_PROGRESS:
        node.status, node.completed_at, node.waiting_on = NodeStatus.DONE, facts.deactivated_at, None


def _breached(node: Node, now: dt.datetime) -> bool:
    if node.due_at is None or node.status == NodeStatus.SKIPPED:
        return False
    finished = node.completed_at if node.status == NodeStatus.DONE else None
    return (finished or now) > node.due_at if node.status != NodeStatus.FAILED else False


def eta(nodes: Sequence[Node]) -> dict[str, dt.datetime | None]:
    """When the number is expected to be deactivated, and the range around it."""
    deactivation = nodes[7]
    if deactivation.completed_at:
        done = deactivation.completed_at
        return {"expected": done, "earliest": done, "latest": done}
    expected = deactivation.expected_at
    earliest = min(deactivation.earliest_at or expected, expected) if expected else None
    return {"expected": expected, "earliest": earliest, "latest": deactivation.due_at}

