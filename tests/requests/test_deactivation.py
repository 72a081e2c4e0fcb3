"""Cooling-off and deactivation by the scheduled jobs (`jobs tick`), then refund and follow-up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from models import Account, AuditRecord, TimelineEntry, ValueAddedService, db
from tests.requests.conftest import Api, Clock, fresh, item, later, make_line, node, run_jobs

pytestmark = pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=1)


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "CNY"}


def _deactivations(rid: str) -> tuple[int, int]:
    db.session.rollback()
    timeline = db.session.execute(sa.select(sa.func.count()).select_from(TimelineEntry).where(
        TimelineEntry.request_id == rid, TimelineEntry.message == "deactivated")).scalar_one()
    audits = db.session.execute(sa.select(sa.func.count()).select_from(AuditRecord).where(
        AuditRecord.subject_id == rid, AuditRecord.action == "cancellation.deactivated")).scalar_one()
    return timeline, audits


def test_ready_request_is_deactivated_once_after_cooling_off(app: Any, api: Api, clock: Clock) -> None:
    line = make_line(service=True)
    rid = api.open_request(line)["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    assert fresh(rid).state == "ready"
    clock.tick(later(minutes=59))
    assert fresh(rid).state == "ready" and _deactivations(rid) == (0, 0)
    scheduled = node(api.doc(rid), "deactivated")
    assert scheduled["status"] == "pending" and scheduled["started_at"] is None
    assert scheduled["expected_at"] == fresh(rid).withdraw_until.isoformat()

    report = clock.tick(later(hours=2))
    assert report["cancellations.advance"] == 1
    for hours in (3, 4, 48, 24 * 10):
        clock.tick(later(hours=hours))
    assert _deactivations(rid) == (1, 1)
    req = fresh(rid)
    assert req.state == "completed" and req.closed_by == "system" and req.deactivated_at is not None
    account = db.session.get(Account, line.id)
    db.session.refresh(account)
    assert account.status == "cancelled"
    doc = api.doc(rid, lang="en")
    assert node(doc, "cooling_off")["status"] == node(doc, "deactivated")["status"] == "done"
    assert [e["message"] for e in node(doc, "cooling_off")["events"]] == ["The cooling-off period has ended."]
    # Nobody recorded the follow-up within 48 hours: the jobs mark it late, without deactivating again.
    assert node(doc, "follow_up")["sla_breached"] is True
    assert fresh(rid).nodes["follow_up"]["sla_breached"] is True


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0)
def test_lifecycle_to_refund_and_follow_up(app: Any, api: Api) -> None:
    line = make_line(service=True, third_party=True, prepaid_credit="50.00")
    rid = api.open_request(line)["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    api.applied(rid, "service.cancelled", {"code": f"MUSIC-{line.id}"})
    assert fresh(rid).state == "ready"
    report = run_jobs(later(seconds=1))
    assert report["cancellations.advance"] == 1
    run_jobs(later(seconds=2))
    assert _deactivations(rid) == (1, 1)
    account = db.session.get(Account, line.id)
    db.session.refresh(account)
    assert account.status == "cancelled"
    services = dict(db.session.execute(sa.select(ValueAddedService.code, ValueAddedService.status)
                                       .where(ValueAddedService.account_id == line.id)).all())
    assert services == {f"VIP-{line.id}": "cancelled", f"MUSIC-{line.id}": "cancelled"}

    doc = api.doc(rid, lang="en")
    assert doc["state"] == "completed" and doc["deactivated_at"] is not None
    assert doc["progress"]["can_withdraw"] is False
    assert item(doc, "service.cancel")["status"] == "done"
    statuses = {n["code"]: n["status"] for n in doc["progress"]["nodes"]}
    assert statuses == {
        "submitted": "done", "identity_verified": "done", "fees_settled": "skipped",
        "services_cancelled": "done", "devices_returned": "skipped", "family_resolved": "skipped",
        "cooling_off": "done", "deactivated": "done", "refund_issued": "in_progress", "follow_up": "in_progress",
    }
    assert node(doc, "follow_up")["waiting_on"] == node(doc, "refund_issued")["waiting_on"] == "operator"
    assert node(doc, "deactivated")["events"][-1]["message"].startswith("Your number is deactivated")
    eta = doc["progress"]["eta"]
    assert eta["expected"] == eta["earliest"] == eta["latest"]
    assert doc["quoted"]["refund_due"] == money("50.00")

    api.applied(rid, "refund.issued", {"amount": money("50.00"), "reference": "RF-1"})
    doc = api.doc(rid)
    assert node(doc, "refund_issued")["status"] == "done" and node(doc, "follow_up")["status"] == "in_progress"
    api.applied(rid, "followup.recorded", {"satisfied": True, "comment": "很顺利"})
    doc = api.doc(rid)
    assert node(doc, "refund_issued")["status"] == node(doc, "follow_up")["status"] == "done"
    assert node(doc, "follow_up")["events"][-1]["message"] == "回访已完成，感谢您的反馈。"
    assert doc["quoted"]["refunded"] == money("50.00")
    assert fresh(rid).next_check_at is None  # nothing left for the jobs
    run_jobs(later(days=10))
    assert _deactivations(rid) == (1, 1)
    assert fresh(rid).version == doc["version"]


def test_nothing_to_refund_skips_the_refund_node(app: Any, api: Api) -> None:
    rid = api.open_request(make_line())["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    run_jobs(later(hours=2))
    doc = api.doc(rid)
    assert doc["state"] == "completed"
    assert node(doc, "refund_issued")["status"] == "skipped"
    assert node(doc, "follow_up")["status"] == "in_progress"


def test_an_overpayment_is_refunded(app: Any, api: Api) -> None:
    line = make_line(contract=True, bill=True)  # 328.00 quoted
    rid = api.open_request(line)["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    api.applied(rid, "payment.received", {"amount": money("400.00")})
    run_jobs(later(hours=2))
    req = fresh(rid)
    assert req.state == "completed" and req.refund_due == Decimal("72.00")
    assert node(api.doc(rid), "refund_issued")["status"] == "in_progress"


def test_a_paid_replacement_fee_is_not_refunded(app: Any, api: Api) -> None:
    line = make_line(bill=True, device=True)  # bill 128, router kept: 300
    rid = api.open_request(line)["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    api.applied(rid, "payment.received", {"amount": money("428.00")})
    assert fresh(rid).state == "ready"
    run_jobs(later(hours=2))
    req = fresh(rid)
    assert req.state == "completed" and req.refund_due == Decimal("0.00")
    assert node(api.doc(rid), "refund_issued")["status"] == "skipped"


def test_cooling_off_end_is_marked_on_an_open_request(app: Any, api: Api) -> None:
    rid = api.open_request(make_line(device=True))["id"]
    version = fresh(rid).version
    run_jobs(later(hours=1, minutes=1))
    req = fresh(rid)
    assert req.state == "in_progress" and req.version == version + 1
    assert req.nodes["cooling_off"]["status"] == "done"
    run_jobs(later(hours=1, minutes=2))
    assert fresh(rid).version == version + 1  # nothing new to mark


def test_withdrawn_and_rejected_requests_are_left_alone(app: Any, api: Api) -> None:
    first, second = make_line(), make_line()
    withdrawn = api.open_request(first)["id"]
    rejected = api.open_request(second)["id"]
    for rid in (withdrawn, rejected):
        api.applied(rid, "identity.verified", {"method": "video"})
    api.withdraw(withdrawn)
    api.applied(rejected, "hold.placed", {"kind": "legal_hold"})
    versions = {rid: fresh(rid).version for rid in (withdrawn, rejected)}
    assert all(fresh(rid).next_check_at is None for rid in versions)
    run_jobs(later(days=30))
    assert {rid: fresh(rid).version for rid in versions} == versions
    assert {fresh(rid).state for rid in versions} == {"withdrawn", "rejected"}
    assert {a.status for a in db.session.execute(sa.select(Account)).scalars()} == {"active"}


def test_jobs_tick_command(app: Any, api: Api, runner: Any) -> None:
    rid = api.open_request(make_line())["id"]
    api.applied(rid, "identity.verified", {"method": "video"})
    db.session.rollback()
    result = runner.invoke(args=["jobs", "tick"])
    assert result.exit_code == 0, result.output
    assert fresh(rid).state == "ready"  # the real clock: still cooling off


def test_a_note_appends_without_reading_the_timeline(app: Any, api: Api) -> None:
    from cancelsvc.database import transaction
    from cancelsvc.requests.lifecycle import Change, load_for_change

    rid = api.open_request(make_line())["id"]
    db.session.expire_all()
    with transaction():
        req = load_for_change(rid)
        Change(req, "system", "system:test").note("cooling_off", "cooling_off_ended")
        # The stored entries were not read; the new one waits to be written.
        assert "timeline" not in sa.inspect(req).dict
    with transaction():
        req = load_for_change(rid)
        before = [e.message for e in req.timeline]  # loaded first: the note joins the loaded list
        Change(req, "system", "system:test").note("deactivated", "deactivated")
        assert [e.message for e in req.timeline] == [*before, "deactivated"]
    messages = [e.message for e in fresh(rid).timeline]
    assert messages[0] == "submitted" and messages[-2:] == ["cooling_off_ended", "deactivated"]
