"""The customer hears from us at the right moments, through the outbox and the jobs, into the sink."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import sqlalchemy as sa

from models import CallTask, Customer, SmsPreference, db
from tests.notifications.conftest import by_moment, messages, quiet_now, sink_text
from tests.requests.conftest import Api, Clock, fresh, later, make_line, run_jobs

pytestmark = pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=1)


def test_the_receipt_goes_at_once_with_a_fresh_link_and_the_log_never_carries_it(
        app: Any, api: Api, caplog: pytest.LogCaptureFixture) -> None:
    line = make_line(msisdn="+8613800138000")
    doc = api.open_request(line)
    caplog.set_level(logging.INFO)
    run_jobs(later(seconds=1))
    sent = by_moment(doc["id"])["submitted:customer"]
    assert (sent.status, sent.kind, sent.channel, sent.language) == ("sent", "essential", "sms", "zh-CN")
    assert sent.recipient_masked == "+86 138****8000" and sent.parts == 2 and sent.sent_at is not None
    text = sink_text(app)
    assert "sms to +86 138****8000 · submitted (essential) · 2 parts" in text
    assert f"【cancelsvc】您的销户申请已受理，单号{doc['tracking_code']}。" in text
    assert f"/t/{doc['tracking_code']}?k=" in text
    token = text.split("?k=")[1][:10]
    assert token not in caplog.text and "?k=" not in caplog.text
    assert "8613800138000" not in str(sent.params)  # the row keeps no address
    # The same event dispatched again queues nothing more.
    run_jobs(later(seconds=2))
    assert [m.moment for m in messages(doc["id"])].count("submitted") == 1


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=72)
def test_reminders_are_scheduled_and_dropped_when_no_longer_true(app: Any, api: Api, clock: Clock) -> None:
    doc = api.open_request(make_line())
    run_jobs(later(seconds=1))
    ending = by_moment(doc["id"])["cooling_off_ending:customer"]
    assert ending.status == "queued" and ending.kind == "update"
    api.applied(doc["id"], "identity.verified", {"method": "video"})
    api.withdraw(doc["id"])
    run_jobs(later(seconds=2))
    assert by_moment(doc["id"])["withdrawn:customer"].status == "sent"
    clock.tick(later(hours=49))
    ending = by_moment(doc["id"])["cooling_off_ending:customer"]
    assert (ending.status, ending.failure_reason) == ("skipped", "the cooling-off period is over or the request closed")


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0)
def test_from_ready_to_deactivated_later_messages_go_to_the_contact(app: Any, api: Api) -> None:
    doc = api.open_request(make_line(msisdn="+8613800138000", prepaid_credit="50.00"),
                           contact={"email": "wei@example.com"})
    api.applied(doc["id"], "identity.verified", {"method": "video"})
    run_jobs(later(seconds=1))  # dispatch: receipt, all done, the warning; deactivation
    run_jobs(later(seconds=2))
    run_jobs(later(minutes=5))  # updates wait a little, so that piling-up updates are merged
    found = by_moment(doc["id"])
    assert fresh(doc["id"]).state == "completed"
    warning = found["deactivating:line"]
    assert warning.status == "sent" and warning.params["contact"] == "w***@example.com"
    done = found["deactivated:customer"]
    assert (done.status, done.channel, done.recipient_masked) == ("sent", "email", "w***@example.com")
    assert done.params["variant"] == "refund" and done.params["amount"] == "50.00"
    assert found["all_done:customer"].status in ("sent", "skipped")
    follow = found["follow_up:customer"]
    assert follow.status == "queued" and follow.not_before > done.sent_at
    text = sink_text(app)
    assert "email to w***@example.com · deactivated (essential)" in text
    assert "Subject: 关于您的销户申请" in text and "退款¥50.00正在退回" in text


@pytest.mark.app_config(CANCELSVC_QUIET_HOURS=quiet_now(), CANCELSVC_COOLING_OFF_HOURS=72)
def test_quiet_hours_hold_updates_but_not_the_customers_own_receipt(app: Any, api: Api) -> None:
    doc = api.open_request(make_line())
    api.applied(doc["id"], "identity.verified", {"method": "video"})
    run_jobs(later(seconds=1))
    run_jobs(later(minutes=5))
    found = by_moment(doc["id"])
    assert found["submitted:customer"].status == "sent"
    waiting = found["all_done:customer"]
    assert waiting.status == "queued" and later(minutes=50) < waiting.not_before <= later(hours=2)


@pytest.mark.app_config(CANCELSVC_SMS_DAILY_LIMIT=0, CANCELSVC_COOLING_OFF_HOURS=72)
def test_an_update_over_the_daily_limit_waits_for_tomorrow(app: Any, api: Api) -> None:
    doc = api.open_request(make_line(), contact={"email": "wei@example.com"})
    api.applied(doc["id"], "identity.verified", {"method": "video"})
    run_jobs(later(seconds=1))
    run_jobs(later(minutes=5))
    found = by_moment(doc["id"])
    assert found["submitted:customer"].status == "sent"  # essential: never held back
    held = found["all_done:customer"]
    assert held.status == "queued" and held.not_before > later(hours=1)


def test_an_opted_out_number_gets_no_updates_but_essentials(app: Any, api: Api) -> None:
    from cancelsvc.notifications.routing import recipient_hash

    line = make_line(msisdn="+8613800138111")
    db.session.add(SmsPreference(recipient_hash=recipient_hash(line.msisdn), opted_out=True))
    db.session.commit()
    doc = api.open_request(line)
    api.applied(doc["id"], "identity.verified", {"method": "video"})
    run_jobs(later(seconds=1))
    run_jobs(later(minutes=5))
    found = by_moment(doc["id"])
    assert found["submitted:customer"].status == "sent"
    assert (found["all_done:customer"].status, found["all_done:customer"].failure_reason) == \
        ("skipped", "opted out of updates")


def test_senior_and_vip_customers_get_personal_calls_and_vips_an_email_copy(app: Any, api: Api) -> None:
    line = make_line()
    customer = db.session.get(Customer, line.customer_id)
    customer.segment = "vip"
    db.session.commit()
    doc = api.open_request(line)
    run_jobs(later(seconds=1))
    found = by_moment(doc["id"])
    assert found["submitted:customer"].status == found["submitted:email"].status == "sent"
    assert found["submitted:email"].channel == "email"
    kinds = set(db.session.execute(sa.select(CallTask.kind).where(CallTask.request_id == doc["id"])).scalars())
    assert kinds == {"care_submitted"}


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0)
def test_an_essential_message_with_nowhere_to_go_becomes_a_call(app: Any, api: Api) -> None:
    line = make_line()
    customer = db.session.get(Customer, line.customer_id)
    customer.email = None
    db.session.commit()
    doc = api.open_request(line)
    api.applied(doc["id"], "identity.verified", {"method": "video"})
    run_jobs(later(seconds=1))
    run_jobs(later(seconds=2))
    done = by_moment(doc["id"])["deactivated:customer"]
    assert (done.status, done.failure_reason) == ("no_channel", "no number, contact or e-mail")
    kinds = set(db.session.execute(sa.select(CallTask.kind).where(CallTask.request_id == doc["id"])).scalars())
    assert "undeliverable" in kinds
