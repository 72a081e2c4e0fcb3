"""The ``messages.send`` sweeper: due messages composed, addressed and handed to a transport.

For each claimed message (row claims, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL; the batch's
rows, requests and SMS preferences read in one query each), in the claim's transaction: is it
still true (a reminder whose to-do was done meanwhile is
skipped), where does it go now (``routing``), is the number opted out of updates, is the
customer's daily limit of updates reached (then it waits for the next local morning)? Then
the text is composed in its language with a fresh tracking link, and the batch is sent with
no transaction open. The outcomes are recorded together in one transaction (one SAVEPOINT
for the batch; after a failure, one per message, so only the failing message keeps its claim):

- accepted → ``sent`` with the SMSC's ids (never sent again: the claim query only takes
  ``queued`` rows);
- temporary failure (SMSC down, throttled) → retried with backoff (30 s doubling, at most
  1 h), 30 times (about a day), then ``failed``;
- permanent failure (a bad number) → ``failed`` with the reason.

An essential message that fails or is undeliverable goes by e-mail when there is an
address, else becomes a call task. A worker that dies between the SMSC's acknowledgement
and recording it leaves the message claimed; after the lease it is sent again: that is the
only window for a duplicate.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cancelsvc.database import transaction
from cancelsvc.jobs import Claim, claim, configured_batch, configured_lease, in_batches, sweeper
from cancelsvc.notifications.compose import Composed, compose
from cancelsvc.notifications.policy import after_limit, local_day_bounds
from cancelsvc.notifications.queue import quiet_hours
from cancelsvc.notifications.routing import address_for
from cancelsvc.notifications.transports.base import Outcome, Outgoing
from cancelsvc.services import services, settings
from models import CancellationRequest, Message, SmsPart, SmsPreference, db
from models.vocabulary import (
    Audience,
    ItemStatus,
    MessageChannel,
    MessageKind,
    MessageStatus,
    Moment,
    RequestState,
)

log = logging.getLogger(__name__)

BATCH = 200
FIRST_RETRY = dt.timedelta(seconds=30)
MAX_RETRY = dt.timedelta(hours=1)
#: Temporary failures are retried this many times (about 24 hours with the backoff), then fail.
MAX_ATTEMPTS = 30
LEASE_FACTOR = 2


@dataclass(frozen=True)
class _Send:
    held: Claim[Message]
    outgoing: Outgoing


def due_messages(now: dt.datetime) -> sa.Select[Message]:
    return (
        sa.select(Message)
        .where(Message.status == MessageStatus.QUEUED, Message.not_before <= now)
        .order_by(Message.not_before, Message.id)
    )


@sweeper("messages.send", order=30)
def send_due(now: dt.datetime) -> int:
    """Send every due message once; returns how many were sent or settled."""
    lease = configured_lease(LEASE_FACTOR)

    def batch(size: int) -> tuple[int, int]:
        settled = 0
        with transaction():
            sends: list[_Send] = []
            claims = claim(due_messages(now), size, now=now, lease=lease)
            # The claimed rows, their requests and the numbers' SMS preferences in three queries,
            # not three per message (kept referenced until the loop ends: the session's identity
            # map holds objects weakly, and ``prepare`` finds the requests there).
            rows = _by_id(Message, [held.id for held in claims])
            requests = _by_id(CancellationRequest, list({m.request_id for m in rows.values() if m.request_id}))
            preferences = _preferences([(rows[held.id], requests.get(rows[held.id].request_id)) for held in claims])
            for held in claims:
                message = rows[held.id]
                outgoing = prepare(message, now, preferences)
                if outgoing is None:
                    message.claimed_by = message.claimed_until = None
                    settled += 1
                else:
                    sends.append(_Send(held, outgoing))
            del requests
        transports = services().messages
        for channel in (MessageChannel.SMS, MessageChannel.EMAIL):
            sent = [send for send in sends if send.outgoing.channel == channel]
            if sent:
                outcomes = transports.for_channel(channel).send_many([send.outgoing for send in sent])
                settled += record_batch(sent, outcomes, now)
        return len(claims), settled

    return in_batches(batch, configured_batch(BATCH))


def record_batch(batch: list[_Send], outcomes: list[Outcome], now: dt.datetime) -> int:
    """Record a batch's outcomes in one transaction.

    A message is recorded only while this worker's claim still holds (a worker whose lease
    ran out leaves the row to the one that took it over). The batch is recorded in one
    SAVEPOINT (one read of the rows, their updates and the SMS parts written together);
    if that fails, each message is recorded again in a SAVEPOINT of its own, so a message
    whose recording fails keeps its claim and is sent again when the lease ends (the
    duplicate window) while the others are recorded.
    """
    with transaction():
        # Write first (renewing this worker's leases): on SQLite the transaction then waits for
        # the SMPP reader's short writes instead of failing to upgrade a read lock.
        for token in {send.held.token for send in batch}:
            db.session.execute(
                sa.update(Message).where(Message.claimed_by == token,
                                         Message.id.in_([s.held.id for s in batch if s.held.token == token]))
                .values(claimed_until=now + configured_lease(LEASE_FACTOR))
                .execution_options(synchronize_session=False))
        try:
            with db.session.begin_nested():
                rows = _by_id(Message, [send.held.id for send in batch], populate_existing=True)
                recorded = 0
                for send, outcome in zip(batch, outcomes, strict=True):
                    message = rows.get(send.held.id)
                    if message is not None and message.claimed_by == send.held.token:
                        _record_held(message, outcome, now)
                        recorded += 1
            return recorded
        except Exception:
            log.exception("recording a batch of %d messages failed; recording them one by one", len(batch))
        return sum(_record_one(send, outcome, now) for send, outcome in zip(batch, outcomes, strict=True))


def _record_one(send: _Send, outcome: Outcome, now: dt.datetime) -> int:
    """One message's outcome in its own SAVEPOINT: 1 if recorded, 0 if not ours or failed."""
    try:
        with db.session.begin_nested():
            message = db.session.execute(
                sa.select(Message).where(Message.id == send.held.id, Message.claimed_by == send.held.token)
                .execution_options(populate_existing=True)
            ).scalar_one_or_none()
            if message is None:
                return 0  # our lease ran out and another worker took the message over
            _record_held(message, outcome, now)
            return 1
    except Exception:
        log.exception("recording message %s failed; it is sent again after its lease", send.held.id)
        return 0


def _record_held(message: Message, outcome: Outcome, now: dt.datetime) -> None:
    record(message, outcome, now)
    message.claimed_by = message.claimed_until = None


def _by_id(model: Any, ids: list[Any], *, populate_existing: bool = False) -> dict[Any, Any]:
    """Rows of ``model`` by primary key, read in one query."""
    if not ids:
        return {}
    query = sa.select(model).where(model.id.in_(ids))
    if populate_existing:
        query = query.execution_options(populate_existing=True)
    return {row.id: row for row in db.session.execute(query).scalars()}


def _preferences(batch: list[tuple[Message, CancellationRequest | None]]) -> dict[str, SmsPreference | None]:
    """The SMS preferences of a batch's numbers in one query (None: the number has none)."""
    hashes = {address.hashed for message, req in batch
              if (address := address_for(message, req)) is not None and address.channel == MessageChannel.SMS}
    if not hashes:
        return {}
    found = db.session.execute(sa.select(SmsPreference).where(SmsPreference.recipient_hash.in_(hashes))).scalars()
    return {**dict.fromkeys(hashes), **{pref.recipient_hash: pref for pref in found}}


def prepare(message: Message, now: dt.datetime,
            preferences: Mapping[str, SmsPreference | None] | None = None) -> Outgoing | None:
    """The message ready to go, or None when it was settled here (skipped, no channel, waits).

    ``preferences`` holds the batch's SMS preferences read beforehand (a number not in it is read here).
    """
    req = db.session.get(CancellationRequest, message.request_id) if message.request_id else None
    reason = not_true_anymore(message, req, now)
    if reason:
        message.status, message.failure_reason = MessageStatus.SKIPPED, reason
        return None
    address = address_for(message, req)
    if address is None:
        message.status, message.failure_reason = MessageStatus.NO_CHANNEL, "no number, contact or e-mail"
        if message.kind == MessageKind.ESSENTIAL and req is not None:
            undeliverable(message, req, now)
        return None
    message.channel, message.recipient_masked, message.recipient_hash = address.channel, address.masked, address.hashed
    preference = None
    if address.channel == MessageChannel.SMS:
        preference = preferences[address.hashed] if preferences is not None and address.hashed in preferences \
            else db.session.get(SmsPreference, address.hashed)
    if message.kind == MessageKind.UPDATE and address.channel == MessageChannel.SMS:
        if preference is not None and preference.opted_out:
            message.status, message.failure_reason = MessageStatus.SKIPPED, "opted out of updates"
            return None
        if message.customer_id is not None and over_daily_limit(message, now):
            tz = message.params.get("tz") or settings().CANCELSVC_TIMEZONE
            message.not_before = after_limit(now, tz, quiet_hours())
            return None
    language = preference.language if preference is not None and preference.language else message.language
    message.language = language
    return Outgoing(message.id, address.channel, address.value, address.masked, message.moment, message.kind,
                    composed_text(message, req, language))


def composed_text(message: Message, req: CancellationRequest | None, language: str) -> Composed:
    from cancelsvc.tracking.links import issue_link

    config = settings()
    link = issue_link(req) if req is not None and message.moment not in WITHOUT_LINK else None
    params = {k: v for k, v in message.params.items() if k not in ("tz", "item_key", "inbound_id", "to")}
    return compose(message.moment, language, params, operator=config.CANCELSVC_OPERATOR_NAME,
                   hotline=config.CANCELSVC_HOTLINE, link=link,
                   tz=message.params.get("tz") or config.CANCELSVC_TIMEZONE)


#: Moments whose text carries no link (no token is issued for them).
WITHOUT_LINK = frozenset({Moment.DEACTIVATING, Moment.DEACTIVATED, Moment.REFUND_ISSUED, Moment.FOLLOW_UP,
                          Moment.WITHDRAWN, Moment.REJECTED, Moment.OPTED_OUT, Moment.OPTED_IN,
                          Moment.WITHDRAW_CONFIRM, Moment.FOLLOW_UP_THANKS, Moment.LANGUAGE, Moment.HELP,
                          Moment.TEST})


def not_true_anymore(message: Message, req: CancellationRequest | None, now: dt.datetime) -> str | None:
    """Why a scheduled update no longer applies, or None."""
    if req is None:
        return None
    moment = message.moment
    if moment == Moment.COOLING_OFF_ENDING and (req.state not in (RequestState.IN_PROGRESS, RequestState.READY)
                                                or now >= req.withdraw_until):
        return "the cooling-off period is over or the request closed"
    if moment in (Moment.TODO, Moment.TODO_REMINDER):
        key = message.params.get("item_key")
        item = next((i for i in req.items if i.key == key), None) if key else None
        if req.state != RequestState.IN_PROGRESS or (item is not None and item.status != ItemStatus.TODO):
            return "the to-do is done"
    if moment == Moment.ALL_DONE and req.state != RequestState.READY:
        return "the request moved on"
    if moment == Moment.DEACTIVATING and req.state not in (RequestState.READY, RequestState.COMPLETED):
        return "the request was not deactivated"
    if moment == Moment.FOLLOW_UP and req.follow_up:
        return "the follow-up was already recorded"
    return None


def over_daily_limit(message: Message, now: dt.datetime) -> bool:
    """True when the customer already had their updates by text today (local day)."""
    tz = message.params.get("tz") or settings().CANCELSVC_TIMEZONE
    start, end = local_day_bounds(now, tz)
    sent = db.session.execute(
        sa.select(sa.func.count()).select_from(Message).where(
            Message.customer_id == message.customer_id, Message.counted.is_(True),
            Message.sent_at >= start, Message.sent_at < end)
    ).scalar_one()
    return int(sent) >= settings().CANCELSVC_SMS_DAILY_LIMIT


def record(message: Message, outcome: Outcome, now: dt.datetime) -> None:
    """Apply one transport outcome to the message."""
    message.attempts += 1
    if outcome.accepted:
        message.status, message.sent_at, message.failure_reason = MessageStatus.SENT, now, None
        message.parts = outcome.parts
        message.smsc_id = outcome.smsc_ids[0] if outcome.smsc_ids else None
        message.counted = message.kind == MessageKind.UPDATE and message.channel == MessageChannel.SMS
        if message.channel == MessageChannel.SMS:
            for number, smsc_id in enumerate(outcome.smsc_ids, start=1):
                db.session.add(SmsPart(smsc_id=smsc_id, message_id=message.id, part=number))
        log.info("message %s (%s, %s) sent by %s", message.id, message.moment, message.kind, message.channel)
        return
    message.failure_reason = (outcome.reason or "failed")[:200]
    if outcome.temporary and message.attempts < MAX_ATTEMPTS:
        message.not_before = now + retry_delay(message.attempts)
        log.warning("message %s not sent (%s); retried later", message.id, message.failure_reason)
        return
    message.status = MessageStatus.FAILED
    log.warning("message %s failed: %s", message.id, message.failure_reason)
    if message.kind == MessageKind.ESSENTIAL and message.request_id:
        req = db.session.get(CancellationRequest, message.request_id)
        if req is not None:
            undeliverable(message, req, now)


def undeliverable(message: Message, req: CancellationRequest, now: dt.datetime) -> None:
    """An essential message that reached no one: by e-mail if there is an address, else a call."""
    from cancelsvc.calls import tasks as calls
    from cancelsvc.notifications.queue import queue

    if message.channel != MessageChannel.EMAIL and message.audience != Audience.EMAIL:
        email_copy = Message(audience=Audience.EMAIL, request_id=req.id, params={})
        if address_for(email_copy, req) is not None:
            queue(req, message.moment, message.kind, cause=f"fallback:{message.id}", now=now,
                  params={k: v for k, v in message.params.items() if k != "tz"},
                  audience=Audience.EMAIL, immediate=True, language=message.language)
            return
    if _has_number_to_call(req):
        calls.ensure(req, "undeliverable", now)


def _has_number_to_call(req: CancellationRequest) -> bool:
    from models import Customer

    customer = db.session.get_one(Customer, req.customer_id)
    return bool((req.contact or {}).get("phone") or customer.phone or req.deactivated_at is None)


def retry_delay(attempts: int) -> dt.timedelta:
    """30 s after the first failure, doubling, at most 1 h; ±10 % jitter."""
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 20), MAX_RETRY) * random.uniform(0.9, 1.1)

