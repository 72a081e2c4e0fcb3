"""Everything we told a customer about one request, and what came back: messages, receipts,
replies and call tasks, each with its status and times (never an address or a token)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from models import CallTask, InboundSms, Message, db


def request_history(request_id: str) -> dict[str, Any]:
    """The history of ``request_id`` (the caller checked that it may see the request)."""
    messages = db.session.execute(
        sa.select(Message).where(Message.request_id == request_id).order_by(Message.created_at, Message.id)
    ).scalars().all()
    inbound = db.session.execute(
        sa.select(InboundSms).where(InboundSms.request_id == request_id).order_by(InboundSms.received_at, InboundSms.id)
    ).scalars().all()
    calls = db.session.execute(
        sa.select(CallTask).where(CallTask.request_id == request_id).order_by(CallTask.created_at, CallTask.id)
    ).scalars().all()
    return {
        "request_id": request_id,
        "messages": [message_row(m) for m in messages],
        "receipts": [{"message_id": r.message_id, "state": r.receipt, "received_at": r.received_at}
                     for r in inbound if r.kind == "receipt"],
        "replies": [{"from": r.sender_masked, "text": r.text, "command": r.command, "outcome": r.outcome,
                     "received_at": r.received_at} for r in inbound if r.kind == "reply"],
        "calls": [{"id": c.id, "kind": c.kind, "due_at": c.due_at, "attempts": c.attempts, "closed_at": c.closed_at,
                   "outcome": c.outcome} for c in calls],
    }


def message_row(m: Message) -> dict[str, Any]:
    return {
        "id": m.id, "moment": m.moment, "kind": m.kind, "audience": m.audience, "channel": m.channel,
        "to": m.recipient_masked, "language": m.language, "status": m.status, "created_at": m.created_at,
        "scheduled_at": m.not_before, "sent_at": m.sent_at, "delivered_at": m.delivered_at, "smsc_id": m.smsc_id,
        "parts": m.parts, "attempts": m.attempts, "failure_reason": m.failure_reason, "merged_into": m.merged_into,
    }
