"""The customer's texts: commands, answered at once (never counted against the daily limit).

| text | what happens |
| --- | --- |
| ``TD`` / ``退订`` / ``STOP`` | no more updates by text (essential notices continue) |
| ``开通`` / ``START`` | updates by text again |
| ``CX`` / ``查询`` | the state, expected date and link of the request |
| ``1`` / ``2`` after the follow-up message | recorded like ``followup.recorded``; 2 puts a call back first on the list |
| ``CH`` / ``撤回`` during cooling-off | a 4-digit code to send back within 10 minutes, then the withdrawal |
| ``EN`` / ``中文`` | the language of later messages |
| anything else | a short help text, once a day |

Numbers are reassigned after cancellation: a text from the cancelled number matches only a
request not yet deactivated, and one from the after-cancellation contact only for 14 days
after deactivation; any other text gets the help text, never anyone's request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import sqlalchemy as sa

from cancelsvc.notifications.policy import local_day_bounds
from cancelsvc.notifications.queue import queue
from cancelsvc.services import settings
from models import Account, CancellationRequest, InboundSms, Message, SmsPreference, db
from models.vocabulary import (
    OPEN_STATES,
    Audience,
    MessageKind,
    MessageStatus,
    Moment,
    ReplyCommand,
    RequestState,
)

COMMANDS: dict[str, ReplyCommand] = {
    "TD": ReplyCommand.OPT_OUT, "退订": ReplyCommand.OPT_OUT, "STOP": ReplyCommand.OPT_OUT,
    "开通": ReplyCommand.OPT_IN, "START": ReplyCommand.OPT_IN,
    "CX": ReplyCommand.STATUS, "查询": ReplyCommand.STATUS,
    "1": ReplyCommand.SATISFIED, "2": ReplyCommand.NOT_SATISFIED,
    "CH": ReplyCommand.WITHDRAW, "撤回": ReplyCommand.WITHDRAW,
    "EN": ReplyCommand.ENGLISH, "中文": ReplyCommand.CHINESE,
}
CONFIRM_WITHIN = dt.timedelta(minutes=10)
CONTACT_DAYS = dt.timedelta(days=14)
ANSWER = MessageKind.ANSWER


def command_of(text: str) -> ReplyCommand:
    """What a text asks for (case and surrounding spaces and punctuation ignored)."""
    word = (text or "").strip().strip("。.!！ ").upper()
    if word in COMMANDS:
        return COMMANDS[word]
    if len(word) == 4 and word.isdigit():
        return ReplyCommand.CONFIRM
    return ReplyCommand.HELP


def matching_request(row: InboundSms, now: dt.datetime) -> CancellationRequest | None:
    """The request a text may be about, under the reassigned-number rules."""
    line = db.session.execute(
        sa.select(CancellationRequest).join(Account, Account.id == CancellationRequest.account_id)
        .where(Account.msisdn == row.sender, CancellationRequest.deactivated_at.is_(None))
        .order_by(CancellationRequest.submitted_at.desc()).limit(1)
    ).scalar_one_or_none()
    if line is not None:
        return line
    return db.session.execute(
        sa.select(CancellationRequest).join(Message, Message.request_id == CancellationRequest.id)
        .where(Message.recipient_hash == row.sender_hash, Message.audience == Audience.CUSTOMER,
               CancellationRequest.deactivated_at.is_not(None),
               CancellationRequest.deactivated_at >= now - CONTACT_DAYS)
        .order_by(CancellationRequest.deactivated_at.desc()).limit(1)
    ).scalars().first()


def handle_reply(row: InboundSms, now: dt.datetime) -> None:
    """Act on one text and queue the answer."""
    command = command_of(row.text or "")
    row.command = command
    preference = _preference(row)
    req = matching_request(row, now)
    row.request_id = req.id if req else None

    def answer(moment: str, language: str | None = None, **params: object) -> None:
        queue(req, moment, ANSWER, cause=f"inbound:{row.id}", now=now, audience=Audience.SENDER,
              immediate=True, language=language or preference.language,
              params={"inbound_id": row.id, **({"code": req.tracking_code} if req else {}), **params})

    if command == ReplyCommand.OPT_OUT:
        preference.opted_out = True
        row.outcome = "opted out"
        answer(Moment.OPTED_OUT)
    elif command == ReplyCommand.OPT_IN:
        preference.opted_out = False
        row.outcome = "opted in"
        answer(Moment.OPTED_IN)
    elif command in (ReplyCommand.ENGLISH, ReplyCommand.CHINESE):
        preference.language = "en" if command == ReplyCommand.ENGLISH else "zh-CN"
        row.outcome = f"language {preference.language}"
        answer(Moment.LANGUAGE, preference.language)
    elif command == ReplyCommand.STATUS and req is not None:
        row.outcome = "status"
        eta = (req.eta or {}).get("expected") or req.withdraw_until.isoformat()
        answer(Moment.STATUS, state=req.state, eta=eta)
    elif command in (ReplyCommand.SATISFIED, ReplyCommand.NOT_SATISFIED) and _asked_follow_up(req, row):
        assert req is not None
        satisfied = command == ReplyCommand.SATISFIED
        _record_follow_up(req, satisfied, now)
        row.outcome = "follow-up recorded"
        answer(Moment.FOLLOW_UP_THANKS, variant=None if satisfied else "sorry")
    elif command == ReplyCommand.WITHDRAW and req is not None:
        if req.state in OPEN_STATES and now < req.withdraw_until:
            code = f"{secrets.randbelow(10000):04d}"
            preference.pending_request_id, preference.pending_until = req.id, now + CONFIRM_WITHIN
            preference.pending_code_hash = _code_hash(row.sender_hash or "", code)
            row.outcome = "withdrawal asked"
            answer(Moment.WITHDRAW_CONFIRM, confirm=code)
        else:
            row.outcome = "withdrawal closed"
            answer(Moment.WITHDRAW_CONFIRM, variant="closed")
    elif command == ReplyCommand.CONFIRM and _confirmed(preference, row, req, now):
        assert req is not None
        from cancelsvc.requests.service import withdraw

        preference.pending_request_id = preference.pending_code_hash = preference.pending_until = None
        withdraw(None, req, public=True)  # the withdrawal confirms itself (an essential message)
        row.outcome = "withdrawn"
    else:
        _help(row, preference, now, answer)


def _preference(row: InboundSms) -> SmsPreference:
    key = row.sender_hash or ""
    preference = db.session.get(SmsPreference, key)
    if preference is None:
        preference = SmsPreference(recipient_hash=key, opted_out=False)
        db.session.add(preference)
    return preference


def _asked_follow_up(req: CancellationRequest | None, row: InboundSms) -> bool:
    if req is None or req.follow_up or req.state != RequestState.COMPLETED:
        return False
    return db.session.execute(
        sa.select(Message.id).where(Message.request_id == req.id, Message.moment == Moment.FOLLOW_UP,
                                    Message.recipient_hash == row.sender_hash,
                                    Message.status.in_((MessageStatus.SENT, MessageStatus.DELIVERED)))
    ).first() is not None


def _record_follow_up(req: CancellationRequest, satisfied: bool, now: dt.datetime) -> None:
    from cancelsvc.requests.inbound import followup_recorded
    from cancelsvc.requests.lifecycle import Change, load_for_change

    change = Change(load_for_change(req.id), "customer", "sms:reply", now=now)
    change.audit_data = {"channel": "sms"}
    if followup_recorded(change, {"satisfied": satisfied, "comment": None}, now):
        change.finish("event.followup.recorded")


def _code_hash(sender_hash: str, code: str) -> str:
    return hmac.new(settings().pii_key.encode(), f"withdraw:{sender_hash}:{code}".encode(), hashlib.sha256).hexdigest()


def _confirmed(preference: SmsPreference, row: InboundSms, req: CancellationRequest | None, now: dt.datetime) -> bool:
    if req is None or preference.pending_request_id != req.id or preference.pending_until is None:
        return False
    if now > preference.pending_until or req.state not in OPEN_STATES or now >= req.withdraw_until:
        return False
    expected = preference.pending_code_hash or ""
    return hmac.compare_digest(expected, _code_hash(row.sender_hash or "", (row.text or "").strip()))


def _help(row: InboundSms, preference: SmsPreference, now: dt.datetime, answer: object) -> None:
    """One help text per number and local day; later ones get no answer."""
    tz = settings().CANCELSVC_TIMEZONE
    start, _ = local_day_bounds(now, tz)
    today = start.astimezone(dt.UTC).isoformat()[:10]
    if preference.help_sent_on == today:
        row.outcome = "help already sent today"
        return
    preference.help_sent_on = today
    row.outcome = "help"
    answer(Moment.HELP)  # type: ignore[operator]
