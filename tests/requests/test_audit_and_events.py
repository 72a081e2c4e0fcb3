"""Every change is audited (hash-chained) and published to the outbox; texts in both languages."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from cancelsvc.requests.progress import NODES
from cancelsvc.requests.textkeys import PROGRESS_TEXT_KEYS
from cancelsvc.texts import render
from cancelsvc.texts.messages import MESSAGES
from models import AuditRecord, DomainEvent, db
from tests.requests.conftest import Api, full_line, make_line, node

HAN = re.compile(r"[\u4e00-\u9fff]")


def _lifecycle(api: Api) -> str:
    line = full_line()
    rid = api.open_request(line)["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    api.applied(rid, "payment.received", {"amount": {"amount": "100.00", "currency": "CNY"}})
    api.applied(rid, "device.returned", {"serial": f"ONT-{line.id}"})
    assert api.withdraw(rid).status_code == 200
    return rid


def _published(rid: str) -> list[tuple[str, dict[str, Any]]]:
    db.session.rollback()
    rows = db.session.execute(sa.select(DomainEvent).where(DomainEvent.subject_id == rid)
                              .order_by(DomainEvent.created_at, DomainEvent.id)).scalars()
    return [(e.type, e.data) for e in rows]


def test_audit_chain_verifies_after_a_lifecycle(app: Any, api: Api, runner: Any) -> None:
    rid = _lifecycle(api)
    db.session.rollback()
    records = db.session.execute(sa.select(AuditRecord).where(AuditRecord.subject_id == rid)
                                 .order_by(AuditRecord.seq)).scalars().all()
    assert [r.action for r in records] == [
        "cancellation.created", "event.identity.verified", "event.payment.received", "event.device.returned",
        "cancellation.withdrawn",
    ]
    assert [r.data["version"] for r in records] == [1, 2, 3, 4, 5]
    assert records[1].data["type"] == "identity.verified" and records[1].data["event_id"].startswith("evt-")
    assert {r.actor.split(":")[0] for r in records} == {"api_key"}
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "audit chain OK" in result.output


def test_tampering_is_detected_and_named(app: Any, api: Api, runner: Any) -> None:
    rid = _lifecycle(api)
    db.session.rollback()
    seq = db.session.execute(sa.select(AuditRecord.seq).where(
        AuditRecord.subject_id == rid, AuditRecord.action == "event.payment.received")).scalar_one()
    db.session.execute(sa.text("UPDATE audit_records SET data = :data WHERE seq = :seq"),
                       {"data": '{"version": 3, "state": "in_progress", "type": "payment.received"}', "seq": seq})
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"record {seq}" in result.output and "does not match its hash" in result.output


def test_a_deleted_record_is_detected(app: Any, api: Api, runner: Any) -> None:
    _lifecycle(api)
    db.session.execute(sa.text("DELETE FROM audit_records WHERE seq = 2"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "record 2" in result.output


def test_creation_publishes_one_created_event(app: Any, api: Api) -> None:
    doc = api.open_request(make_line())
    assert _published(doc["id"]) == [
        ("cancellation.created", {"id": doc["id"], "tracking_code": doc["tracking_code"], "state": "in_progress",
                                  "version": 1}),
    ]


def test_state_and_node_changes_are_published(app: Any, api: Api) -> None:
    line = make_line(device=True)
    doc = api.open_request(line)
    rid, code = doc["id"], doc["tracking_code"]

    def after(step: Any) -> list[tuple[str, dict[str, Any]]]:
        seen = len(_published(rid))
        step()
        return _published(rid)[seen:]

    events = after(lambda: api.applied(rid, "device.returned", {"serial": f"ONT-{line.id}"}))
    assert events == [("cancellation.node_changed", {"id": rid, "tracking_code": code, "node": "devices_returned",
                                                     "status": "done", "version": 2})]
    events = after(lambda: api.applied(rid, "identity.verified", {"method": "video"}))
    assert events[0] == ("cancellation.state_changed", {"id": rid, "tracking_code": code, "state": "ready",
                                                        "version": 3})
    assert {(d["node"], d["status"]) for t, d in events[1:] if t == "cancellation.node_changed"} == {
        ("identity_verified", "done")}  # deactivation stays pending: scheduled for the end of cooling-off
    assert {d["version"] for _, d in events} == {3}
    events = after(lambda: api.withdraw(rid))
    assert events[0][0] == "cancellation.state_changed" and events[0][1]["state"] == "withdrawn"
    skipped = {d["node"] for t, d in events[1:] if t == "cancellation.node_changed" and d["status"] == "skipped"}
    assert {"cooling_off", "deactivated", "follow_up"} <= skipped


def test_an_event_that_changes_nothing_publishes_nothing(app: Any, api: Api) -> None:
    rid = api.open_request(make_line())["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    count = len(_published(rid))
    assert api.applied(rid, "identity.verified", {"method": "agent"})["outcome"] == "ignored"
    assert len(_published(rid)) == count


def test_progress_in_both_languages(app: Any, api: Api) -> None:
    line = full_line(third_party=True)
    rid = api.open_request(line)["id"]
    api.applied(rid, "payment.received", {"amount": {"amount": "128.00", "currency": "CNY"}})
    api.applied(rid, "device.returned", {"serial": f"ONT-{line.id}"})
    zh, en = api.progress(rid).get_json(), api.progress(rid, lang="en").get_json()
    assert api.progress(rid).headers["Content-Type"].startswith("application/json")
    for z, e in zip(zh["nodes"], en["nodes"], strict=True):
        assert HAN.search(z["title"]) and not HAN.search(e["title"]), (z["title"], e["title"])
        assert z["title"] == render(f"node.{z['code']}.title", "zh-CN")
        assert e["title"] == render(f"node.{e['code']}.title", "en")
        for ze, ee in zip(z["events"], e["events"], strict=True):
            assert HAN.search(ze["message"]) and not HAN.search(ee["message"]), (ze, ee)
        if z["required_action"]:
            assert HAN.search(z["required_action"]["text"]) and not HAN.search(e["required_action"]["text"])
    assert "¥128.00" in node(zh, "fees_settled")["events"][0]["message"]
    assert "CN¥128.00" in node(en, "fees_settled")["events"][0]["message"]
    assert [n["code"] for n in en["nodes"]] == list(NODES)


def test_every_progress_text_exists() -> None:
    assert PROGRESS_TEXT_KEYS <= set(MESSAGES)


def test_problems_in_both_languages(app: Any, api: Api) -> None:
    zh = api.get("00000000-0000-0000-0000-000000000000").get_json()
    en = api.get("00000000-0000-0000-0000-000000000000", lang="en").get_json()
    assert zh["code"] == en["code"] == "cancellation.not_found"
    assert HAN.search(zh["title"]) and not HAN.search(en["title"])
