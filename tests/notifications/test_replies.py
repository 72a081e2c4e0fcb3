"""Through the whole chain on the local SMSC: messages submitted over SMPP, receipts applied,
and the customer's texts answered under the reassigned-number rules."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from cancelsvc.notifications.replies import ReplyCommand, command_of
from cancelsvc.services import services
from models import CallTask, InboundSms, SmsPreference, db
from tests.notifications.conftest import by_moment
from tests.notifications.smsc import LocalSmsc
from tests.requests.conftest import Api, fresh, later, make_line, run_jobs

NUMBER = "+8613800138000"


@pytest.fixture
def app(make_app: Callable[..., Flask], smsc: LocalSmsc, tmp_path: Path,
        request: pytest.FixtureRequest) -> Iterator[Flask]:
    marker = request.node.get_closest_marker("app_config")
    app = make_app(**{"CANCELSVC_SMS_URL": smsc.url, "CANCELSVC_QUIET_HOURS": "", "CANCELSVC_COOLING_OFF_HOURS": 72,
                      "CANCELSVC_MESSAGES_SINK": str(tmp_path / "messages.txt"), **(marker.kwargs if marker else {})})
    with app.app_context():
        yield app
    services(app).messages.close()


def wait_rows(count: int, kind: str = "reply", timeout: float = 5.0) -> None:
    """Until ``count`` rows of ``kind`` (reply or receipt) were recorded."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        if db.session.execute(sa.select(sa.func.count()).select_from(InboundSms)
                              .where(InboundSms.kind == kind)).scalar_one() >= count:
            return
        assert time.monotonic() < deadline, "the SMSC's deliver_sm did not arrive"
        time.sleep(0.02)


def quiet_smsc(smsc: LocalSmsc) -> None:
    """Until every receipt the SMSC sent was recorded (on SQLite a sweep that reads while the
    SMPP reader writes cannot upgrade its snapshot: the tests keep the two apart)."""
    deadline = time.monotonic() + 5
    while True:
        db.session.rollback()
        receipts = db.session.execute(sa.select(sa.func.count()).select_from(InboundSms)
                                      .where(InboundSms.kind == "receipt")).scalar_one()
        if receipts >= len(smsc.state.submitted) or not smsc.state.receipts:
            return
        assert time.monotonic() < deadline, "receipts did not arrive"
        time.sleep(0.02)


def jobs(smsc: LocalSmsc, now: Any) -> None:
    quiet_smsc(smsc)
    run_jobs(now)
    quiet_smsc(smsc)


def texts_to(smsc: LocalSmsc, number: str = NUMBER) -> list[str]:
    return [t for t, s in zip(smsc.texts(), smsc.state.submitted, strict=True) if s.destination == number.lstrip("+")]


@pytest.mark.parametrize(("text", "command"), [
    ("TD", ReplyCommand.OPT_OUT), (" td ", ReplyCommand.OPT_OUT), ("退订", ReplyCommand.OPT_OUT),
    ("STOP", ReplyCommand.OPT_OUT), ("开通", ReplyCommand.OPT_IN), ("start", ReplyCommand.OPT_IN),
    ("CX", ReplyCommand.STATUS), ("查询", ReplyCommand.STATUS), ("1", ReplyCommand.SATISFIED),
    ("2", ReplyCommand.NOT_SATISFIED), ("CH", ReplyCommand.WITHDRAW), ("撤回。", ReplyCommand.WITHDRAW),
    ("EN", ReplyCommand.ENGLISH), ("中文", ReplyCommand.CHINESE), ("4821", ReplyCommand.CONFIRM),
    ("hello", ReplyCommand.HELP), ("", ReplyCommand.HELP), ("12345", ReplyCommand.HELP),
])
def test_commands(text: str, command: ReplyCommand) -> None:
    assert command_of(text) == command


def test_submitted_over_smpp_then_delivered_by_receipt(app: Any, api: Api, smsc: LocalSmsc) -> None:
    doc = api.open_request(make_line(msisdn=NUMBER))
    jobs(smsc, later(seconds=1))
    sent = by_moment(doc["id"])["submitted:customer"]
    assert sent.status == "sent" and sent.parts == 2 and sent.smsc_id == smsc.state.submitted[0].message_id
    assert "".join(texts_to(smsc)).startswith("【cancelsvc】您的销户申请已受理")
    assert {s.data_coding for s in smsc.state.submitted} == {8}
    wait_rows(2, "receipt")
    jobs(smsc, later(seconds=2))
    delivered = by_moment(doc["id"])["submitted:customer"]
    assert delivered.status == "delivered" and delivered.delivered_at is not None


def test_an_undeliverable_essential_goes_by_email(app: Any, api: Api, smsc: LocalSmsc) -> None:
    smsc.state.receipt_states[NUMBER.lstrip("+")] = "UNDELIV"
    doc = api.open_request(make_line(msisdn=NUMBER))
    jobs(smsc, later(seconds=1))
    wait_rows(2, "receipt")
    jobs(smsc, later(seconds=2))
    found = by_moment(doc["id"])
    assert (found["submitted:customer"].status, found["submitted:customer"].failure_reason) == \
        ("undeliverable", "receipt: UNDELIV")
    assert found["submitted:email"].status == "sent" and found["submitted:email"].channel == "email"


def test_a_bad_number_fails_with_its_reason_and_becomes_a_call(app: Any, api: Api, smsc: LocalSmsc) -> None:
    smsc.state.bad_numbers.add(NUMBER.lstrip("+"))
    line = make_line(msisdn=NUMBER)
    line.customer.email = None
    db.session.commit()
    doc = api.open_request(line)
    jobs(smsc, later(seconds=1))
    failed = by_moment(doc["id"])["submitted:customer"]
    assert (failed.status, failed.failure_reason) == ("failed", "SMSC 0x0B: Invalid Destination Address")
    kinds = set(db.session.execute(sa.select(CallTask.kind).where(CallTask.request_id == doc["id"])).scalars())
    assert kinds == {"undeliverable"}


def test_smsc_down_messages_wait_and_readyz_says_so_while_ready(app: Any, api: Api, smsc: LocalSmsc) -> None:
    smsc.stop()
    doc = api.open_request(make_line(msisdn=NUMBER))
    jobs(smsc, later(seconds=1))
    waiting = by_moment(doc["id"])["submitted:customer"]
    assert waiting.status == "queued" and waiting.attempts == 1 and waiting.failure_reason == "SMSC unavailable"
    assert waiting.not_before > later(seconds=20)
    response = app.test_client().get("/readyz")
    assert response.status_code == 200 and response.get_json()["checks"]["smsc"] == "down"


def test_status_opt_out_language_and_help(app: Any, api: Api, smsc: LocalSmsc) -> None:
    doc = api.open_request(make_line(msisdn=NUMBER))
    jobs(smsc, later(seconds=1))
    before = len(smsc.state.submitted)
    for text in ("CX", "退订"):
        smsc.mo(NUMBER, text)
    wait_rows(2)
    jobs(smsc, later(seconds=2))
    for text in ("EN", "hello", "what?"):
        smsc.mo(NUMBER, text)
    wait_rows(5)
    jobs(smsc, later(seconds=3))
    answers = "".join(smsc.texts()[before:])
    assert f"销户申请{doc['tracking_code']}：办理中" in answers and f"/t/{doc['tracking_code']}?k=" in answers
    assert "已为您退订进度提醒短信，重要服务通知仍会发送" in answers
    assert "From now on our messages will be in English." in answers
    assert answers.count("Reply CX for progress") == 1  # help once a day
    from cancelsvc.notifications.routing import recipient_hash

    preference = db.session.get(SmsPreference, recipient_hash(NUMBER))
    assert preference.opted_out and preference.language == "en"
    rows = db.session.execute(sa.select(InboundSms).where(InboundSms.kind == "reply")
                              .order_by(InboundSms.id)).scalars().all()
    assert [r.outcome for r in rows] == ["status", "opted out", "language en", "help", "help already sent today"]
    assert all(r.request_id == doc["id"] for r in rows)


def test_withdrawal_by_text_needs_the_code_within_ten_minutes(app: Any, api: Api, smsc: LocalSmsc) -> None:
    doc = api.open_request(make_line(msisdn=NUMBER))
    jobs(smsc, later(seconds=1))
    smsc.mo(NUMBER, "撤回")
    wait_rows(1)
    jobs(smsc, later(seconds=2))
    code = re.search(r"请在10分钟内回复(\d{4})", "".join(smsc.texts())).group(1)
    wrong = f"{(int(code) + 1) % 10000:04d}"
    smsc.mo(NUMBER, wrong)
    wait_rows(2)
    jobs(smsc, later(seconds=3))
    assert fresh(doc["id"]).state == "in_progress"
    smsc.mo(NUMBER, code)
    wait_rows(3)
    jobs(smsc, later(seconds=4))
    jobs(smsc, later(seconds=5))
    assert fresh(doc["id"]).state == "withdrawn"
    assert by_moment(doc["id"])["withdrawn:customer"].status == "sent"
    assert "已撤回，号码、套餐和余额均保持原样" in "".join(smsc.texts())


def test_a_stranger_gets_help_never_a_request(app: Any, api: Api, smsc: LocalSmsc) -> None:
    api.open_request(make_line(msisdn=NUMBER))
    jobs(smsc, later(seconds=1))
    smsc.mo("+8613900000000", "CX")
    wait_rows(1)
    jobs(smsc, later(seconds=2))
    assert "回复CX查询进度" in "".join(texts_to(smsc, "+8613900000000"))
    row = db.session.execute(sa.select(InboundSms).where(InboundSms.kind == "reply")).scalar_one()
    assert row.request_id is None and row.outcome == "help"


@pytest.mark.app_config(CANCELSVC_COOLING_OFF_HOURS=0)
def test_after_deactivation_the_old_number_matches_nothing_and_the_contact_answers_the_follow_up(
        app: Any, api: Api, smsc: LocalSmsc) -> None:
    contact = "+8613912345678"
    doc = api.open_request(make_line(msisdn=NUMBER), contact={"phone": contact})
    api.applied(doc["id"], "identity.verified", {"method": "video"})
    jobs(smsc, later(seconds=1))
    jobs(smsc, later(seconds=2))
    assert fresh(doc["id"]).state == "completed"
    jobs(smsc, later(hours=25))  # the follow-up goes to the contact
    follow = by_moment(doc["id"])["follow_up:customer"]
    assert follow.status == "sent" and follow.recipient_masked == "+86 139****5678"
    smsc.mo(NUMBER, "CX")  # the old number may belong to someone else now
    smsc.mo(contact, "2")
    wait_rows(2)
    jobs(smsc, later(hours=25, seconds=1))
    rows = {r.sender_masked: r for r in db.session.execute(
        sa.select(InboundSms).where(InboundSms.kind == "reply")).scalars()}
    assert rows["+86 138****8000"].request_id is None
    assert rows["+86 139****5678"].request_id == doc["id"] and rows["+86 139****5678"].outcome == "follow-up recorded"
    req = fresh(doc["id"])
    assert req.follow_up["satisfied"] is False
    kinds = set(db.session.execute(sa.select(CallTask.kind).where(CallTask.request_id == doc["id"])).scalars())
    assert "dissatisfied" in kinds
