"""Requests and their progress as served, in zh-CN or en.

Node statuses, ETAs and SLA deadlines are derived at read time from the request's
facts (``progress.derive``), so what a customer sees is always current even between
job runs; the stored bookkeeping only serves change detection.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Any

from cancelsvc.common.masking import mask_msisdn
from cancelsvc.common.money import money_json
from cancelsvc.precheck.codec import from_json_value, outcome_from_json
from cancelsvc.precheck.presenter import present
from cancelsvc.requests import progress
from cancelsvc.requests.lifecycle import calendar, facts
from cancelsvc.requests.states import OPEN
from cancelsvc.requests.textkeys import PUBLIC_MESSAGES
from cancelsvc.texts import render
from models import CancellationRequest, Precheck, db
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


def progress_document(req: CancellationRequest, locale: str, *, public: bool = False,
                      now: dt.datetime | None = None) -> dict[str, Any]:
    """The parcel-tracker view (api.md "Progress document")."""
    now = now or utcnow()
    nodes = progress.derive(facts(req), now, calendar())
    events_by_node: dict[str, list[dict[str, Any]]] = {}
    for entry in req.timeline:
        events_by_node.setdefault(entry.node, []).append({
            "at": entry.at.isoformat(),
            "message": _message(entry.message, entry.params, locale, public),
            "actor": entry.actor,
        })
    eta = dict(req.eta or {})
    reason = eta.get("revised_reason")
    doc: dict[str, Any] = {
        "tracking_code": req.tracking_code,
        "state": req.state,
        "version": req.version,
        "last_changed_at": req.last_changed_at.isoformat(),
        "eta": {
            "expected": eta.get("expected"),
            "earliest": eta.get("earliest"),
            "latest": eta.get("latest"),
            "revised_reason": render(reason["key"], locale, date=dt.date.fromisoformat(reason["date"]))
            if reason else None,
        },
        "withdraw_until": req.withdraw_until.isoformat(),
        "can_withdraw": req.state in OPEN and (not public or now < req.withdraw_until),
        "nodes": [_node(n, locale, events_by_node.get(n.code, []), public) for n in nodes],
        "poll_after_seconds": POLL_SECONDS[req.state],
    }
    return doc


def _node(node: progress.Node, locale: str, events: list[dict[str, Any]], public: bool) -> dict[str, Any]:
    action = None
    if node.action_items and node.status == NodeStatus.IN_PROGRESS:
        action = {
            "text": render(f"node.{node.code}.action", locale),
            "deadline": _iso(node.due_at),
            # Public documents name the kind of to-do only (no device serial, no service code).
            "checklist": list(dict.fromkeys(k.split(":", 1)[0] for k in node.action_items))
            if public else list(node.action_items),
        }
    return {
        "seq": node.seq,
        "code": node.code,
        "title": render(f"node.{node.code}.title" + (".scheduled" if node.scheduled else ""), locale),
        "status": node.status,
        "waiting_on": node.waiting_on,
        "required_action": action,
        "started_at": _iso(node.started_at),
        "completed_at": _iso(node.completed_at),
        "expected_at": _iso(node.expected_at),
        "due_at": _iso(node.due_at),
        "sla_breached": node.sla_breached,
        "events": events,
    }


def request_document(req: CancellationRequest, locale: str, msisdn: str) -> dict[str, Any]:
    """The whole request for its customer, staff and systems (amounts included).

    Built in ``RequestSchema``'s exact shape (money objects included), so it is served as is.
    """
    texts = _checklist_texts(req.precheck_id, locale)
    return {
        "id": req.id,
        "tracking_code": req.tracking_code,
        "account_id": req.account_id,
        "msisdn": msisdn,
        "state": req.state,
        "version": req.version,
        "channel": req.channel,
        "effective_date": req.effective_date.isoformat(),
        "reason": req.reason,
        "comment": req.comment,
        "contact": {"phone": req.contact.get("phone"), "email": req.contact.get("email")} if req.contact else None,
        "submitted_at": req.submitted_at.isoformat(),
        "withdraw_until": req.withdraw_until.isoformat(),
        "deactivated_at": _iso(req.deactivated_at),
        "precheck_id": req.precheck_id,
        "quoted": {"total": money_json(req.quoted_total), "paid": money_json(req.paid_total),
                   "outstanding": money_json(max(req.quoted_total - req.paid_total, Decimal("0"))),
                   "refund_due": money_json(req.refund_due), "refunded": money_json(req.refunded_total)},
        "checklist": [
            {
                "key": i.key, "code": i.code, "title": texts.get(i.key, ("", ""))[0],
                "detail": texts.get(i.key, ("", ""))[1], "owner": i.owner,
                "amount": None if i.amount is None else money_json(i.amount),
                "est_working_days": {"min": i.est_min, "max": i.est_max} if i.est_max is not None else None,
                "status": i.status, "self_service": i.self_service, "required": i.required,
                "refs": list(i.refs), "note": i.note, "done_at": _iso(i.done_at),
            }
            for i in req.items
        ],
        "progress": progress_document(req, locale),
    }


def public_document(req: CancellationRequest, locale: str, msisdn: str) -> dict[str, Any]:
    """What anyone with the tracking code and last 4 digits sees: no amounts, no names."""
    doc = progress_document(req, locale, public=True)
    doc["msisdn"] = mask_msisdn(msisdn)
    return doc


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


def _iso(value: dt.datetime | None) -> str | None:
    """Instants are served in UTC (RFC 3339 with offset)."""
    return value.astimezone(dt.UTC).isoformat() if value else None

