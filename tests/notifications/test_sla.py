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
