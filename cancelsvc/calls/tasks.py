"""Keeping a request's call tasks in step with it (called by ``Change.finish``).

- a **follow-up** call is due ``CANCELSVC_FOLLOW_UP_HOURS`` after deactivation while the
  follow-up is not recorded; recording it any other way (a ``followup.recorded`` event)
  closes the task;
- a customer who said they were **not satisfied** gets a call back, due at once and
  listed before follow-ups.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from cancelsvc.services import settings
from models import CallTask, CancellationRequest, db
from models.calls import CALL_KINDS

FOLLOW_UP, DISSATISFIED = "follow_up", "dissatisfied"


def sync(req: CancellationRequest, now: dt.datetime, actor: str, *, just_deactivated: bool = False) -> None:
    """Create or close ``req``'s call tasks; no query unless the request was deactivated or followed up.

    ``just_deactivated``: the change being finished deactivated the request, so it has no
    follow-up task yet (only this function adds one, once deactivated) and none is read.
    """
    if req.deactivated_at is None and not req.follow_up:
        return
    tasks: dict[str, CallTask] = {}
    if not (just_deactivated and not req.follow_up):
        tasks = {t.kind: t for t in db.session.execute(
            sa.select(CallTask).where(CallTask.request_id == req.id)).scalars()}
    recorded: dict[str, Any] = req.follow_up or {}
    if req.deactivated_at is not None and FOLLOW_UP not in tasks and not recorded:
        hours = dt.timedelta(hours=settings().CANCELSVC_FOLLOW_UP_HOURS)
        _add(req, FOLLOW_UP, req.deactivated_at + hours)
    follow = tasks.get(FOLLOW_UP)
    if follow is not None and follow.closed_at is None and recorded:
        follow.closed_at, follow.closed_by = now, actor
        follow.outcome = {"reached": True, "satisfied": recorded["satisfied"], "comment": recorded.get("comment")}
    if recorded and recorded.get("satisfied") is False and DISSATISFIED not in tasks:
        _add(req, DISSATISFIED, now)


def _add(req: CancellationRequest, kind: str, due_at: dt.datetime) -> None:
    db.session.add(CallTask(kind=kind, priority=CALL_KINDS.index(kind), request_id=req.id,
                            store_code=req.store_code, due_at=due_at, attempts=0))


def ensure(req: CancellationRequest, kind: str, due_at: dt.datetime) -> None:
    """A call task of ``kind`` for ``req`` (personal calls, undeliverable messages), once."""
    exists = db.session.execute(
        sa.select(CallTask.id).where(CallTask.request_id == req.id, CallTask.kind == kind)).first()
    if exists is None:
        _add(req, kind, due_at)
