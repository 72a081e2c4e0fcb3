"""A step on our side that misses its SLA: an apology with the new expected date, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.notifications.conftest import by_moment, messages
from tests.requests.conftest import Api, Clock, fresh, make_line, node


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=72)
def test_a_late_step_on_our_side_gets_an_apology_once(app: Any, api: Api, clock: Clock) -> None:
    rid = api.open_request(make_line(), channel="counter")["id"]
    doc = api.doc(rid)
    late = [n for n in doc["progress"]["nodes"] if n.get("waiting_on") not in (None, "customer")
            and n["status"] in ("pending", "in_progress") and n.get("due_at")]
    assert late, [(n["code"], n.get("waiting_on"), n["status"]) for n in doc["progress"]["nodes"]]
    step = late[0]
    due = dt.datetime.fromisoformat(step["due_at"])
    clock.tick(due + dt.timedelta(minutes=1))
    clock.tick(due + dt.timedelta(minutes=2))
    assert fresh(rid).nodes[step["code"]]["sla_breached"] is True
    apology = by_moment(rid)["sla_missed:customer"]
    assert apology.params["step"] == step["code"] and apology.kind == "update"
    clock.tick(due + dt.timedelta(minutes=10))
    assert [m.moment for m in messages(rid)].count("sla_missed") == 1
    assert node(api.doc(rid), step["code"])["sla_breached"] is True


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=72, CANCELSVC_JOBS_BATCH=1)
def test_every_late_request_is_looked_at_once_whatever_the_batch_size(app: Any, api: Api, clock: Clock) -> None:
    ids = [api.open_request(make_line(), channel="counter")["id"] for _ in range(3)]
    dues = []
    for rid in ids:
        nodes = api.doc(rid)["progress"]["nodes"]
        dues += [dt.datetime.fromisoformat(n["due_at"]) for n in nodes
                 if n.get("waiting_on") not in (None, "customer") and n["status"] in ("pending", "in_progress")
                 and n.get("due_at")]
    at = max(dues) + dt.timedelta(minutes=1)
    report = clock.tick(at)
    assert report["messages.sla"] == 3  # one batch of one after another
    assert all(fresh(rid).late_check_at is None for rid in ids)
    assert all("sla_missed:customer" in by_moment(rid) for rid in ids)
    assert clock.tick(at + dt.timedelta(minutes=5))["messages.sla"] == 0  # nothing is marked any more
    assert all([m.moment for m in messages(rid)].count("sla_missed") == 1 for rid in ids)


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=72)
def test_a_request_closed_before_the_sweep_gets_no_apology(app: Any, api: Api, clock: Clock) -> None:
    from models import db

    rid = api.open_request(make_line(), channel="counter")["id"]
    nodes = api.doc(rid)["progress"]["nodes"]
    due = min(dt.datetime.fromisoformat(n["due_at"]) for n in nodes
              if n.get("waiting_on") not in (None, "customer") and n["status"] in ("pending", "in_progress")
              and n.get("due_at"))
    req = fresh(rid)
    req.late_check_at, req.state = due, "withdrawn"  # marked, then closed before the sweep came
    db.session.commit()
    assert clock.tick(due + dt.timedelta(minutes=1))["messages.sla"] == 1
    assert fresh(rid).late_check_at is None and "sla_missed:customer" not in by_moment(rid)
