"""Running and reading pre-checks: load, evaluate, store; never changes account data."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from cachetools import LRUCache

from cancelsvc.auth.principal import Principal
from cancelsvc.common.fields import EARLIEST, LATEST, out_of_range_message
from cancelsvc.customers.service import can_see_account, find_visible, shown_msisdn
from cancelsvc.errors import NotFound, Unprocessable
from cancelsvc.precheck.codec import outcome_from_json, outcome_to_text
from cancelsvc.precheck.engine import EffectiveDateInPast, evaluate, resolve_effective_date
from cancelsvc.precheck.presenter import VALIDITY, StoredPrecheckView, dump
from cancelsvc.precheck.result import PrecheckOutcome
from cancelsvc.sending import send
from cancelsvc.services import services
from cancelsvc.texts import negotiate
from cancelsvc.texts.marks import N_
from cancelsvc.workdays import local_date
from models import Account, Precheck, db
from models.base import EncodedJson, new_uuid, utcnow

__all__ = ["VALIDITY", "Ran", "document", "get_precheck", "kept_document", "ran_document", "run_precheck",
           "visible_precheck"]


_PRECHECKS = cast(sa.Table, Precheck.__table__)
# The outcome is bound as the JSON text ``outcome_to_text`` encoded (once, not as a dict
# encoded again by the column).
_INSERT = _PRECHECKS.insert().values(outcome=sa.bindparam("outcome_text", type_=EncodedJson()))


class Ran(NamedTuple):
    """A pre-check just run and stored: what its document needs besides the caller."""

    id: str
    outcome: PrecheckOutcome
    msisdn: str
    risk: dict[str, Any] | None
    created_at: dt.datetime


def run_precheck(
    principal: Principal, account_ref: str, channel: str, effective: dt.date | str
) -> Ran:
    """Evaluate every rule for the account and store the result (caller commits)."""
    wired = services()
    default_timezone = wired.settings.CANCELSVC_TIMEZONE
    snap = find_visible(
        principal, account_ref,
        lambda account_id: wired.snapshots.by_id(account_id, default_timezone),
        lambda msisdn: wired.snapshots.by_msisdn(msisdn, default_timezone),
    ).snap
    now = utcnow()
    today = local_date(now, snap.timezone)
    try:
        effective_date = resolve_effective_date(effective, today)
    except EffectiveDateInPast:
        raise Unprocessable(
            code="precheck.effective_date_past",
            errors={"effective_date": [N_("Choose today ({today}) or a later date.").format(today=today.isoformat())]},
        ) from None
    if not EARLIEST <= effective_date <= LATEST:  # the console's dates come here unchecked
        raise Unprocessable(errors={"effective_date": [out_of_range_message()]})
    outcome = evaluate(
        snap, channel, effective_date, today, now, wired.calendar,
        cooling_off_hours=wired.settings.CANCELSVC_COOLING_OFF_HOURS,
    )
    risk, features = wired.risk.assess(snap, outcome)
    ran = Ran(new_uuid(), outcome, snap.msisdn, risk, now)
    # A Core INSERT without an ORM object (the stored pre-check is never changed
    # afterwards, so the unit of work would only add cost here), sent now and awaited when
    # the caller's transaction ends: the document is built while the server writes.
    send(_INSERT, {
        "id": ran.id, "account_id": snap.id, "channel": channel, "effective_date": effective_date,
        "asap": effective == "asap", "result": outcome.result, "can_submit": outcome.can_submit,
        "eligible_now": outcome.eligible_now, "outcome_text": outcome_to_text(outcome), "risk": risk,
        "features": features, "created_by": principal.caller_key, "created_at": now,
    })
    return ran


def get_precheck(principal: Principal, precheck_id: str) -> Precheck:
    """A stored pre-check the caller may see (404 otherwise)."""
    return visible_precheck(principal, precheck_id)[0]


def visible_precheck(principal: Principal, precheck_id: str) -> tuple[Precheck, str]:
    """``get_precheck`` and the account's number (read with the visibility check, for ``document``)."""
    row = db.session.get(Precheck, precheck_id) if len(precheck_id) <= 36 else None
    if row is None:
        raise NotFound(code="precheck.not_found")
    account = db.session.execute(_ACCOUNT_REF, {"id": row.account_id}).first()
    if account is None or not can_see_account(principal, account):
        raise NotFound(code="precheck.not_found")
    return row, account.msisdn


_ACCOUNT_REF = sa.select(Account.id, Account.customer_id, Account.store_code, Account.msisdn).where(
    Account.id == sa.bindparam("id"))


#: Documents of stored pre-checks, per pre-check, language and shown number (a few KB each).
_KEPT: LRUCache[tuple[str, str, str], dict[str, Any]] = LRUCache(1024)
_KEPT_LOCK = threading.Lock()


def kept_document(principal: Principal, row: Precheck, locale: str, msisdn: str) -> dict[str, Any]:
    """``document`` of a stored pre-check, for pages that only read it: a stored pre-check
    never changes, so its document is built once per language and shown number (decoding
    the outcome and dumping it was most of a console page's work). The same dict is
    returned to several callers: never change it."""
    key = (row.id, negotiate(locale), shown_msisdn(principal, msisdn))
    with _KEPT_LOCK:
        doc = _KEPT.get(key)
    if doc is None:
        doc = document(principal, row, locale, msisdn=msisdn)
        with _KEPT_LOCK:
            _KEPT[key] = doc
    return doc


def document(principal: Principal, row: Precheck, locale: str, msisdn: str | None = None) -> dict[str, Any]:
    """The stored pre-check as served, with every text in ``locale`` (pass ``msisdn`` when known)."""
    if msisdn is None:
        msisdn = db.session.execute(sa.select(Account.msisdn).where(Account.id == row.account_id)).scalar_one()
    return _document(principal, row.id, outcome_from_json(row.outcome), msisdn, row.risk, row.created_at, locale)


def ran_document(principal: Principal, ran: Ran, locale: str) -> dict[str, Any]:
    """The pre-check just run as served (the same document ``document`` gives once it is stored)."""
    return _document(principal, ran.id, ran.outcome, ran.msisdn, ran.risk, ran.created_at, locale)


def _document(principal: Principal, id_: str, outcome: PrecheckOutcome, msisdn: str, risk: dict[str, Any] | None,
              created_at: dt.datetime, locale: str) -> dict[str, Any]:
    loc = negotiate(locale)
    return dump(StoredPrecheckView(
        outcome, loc, risk=services().risk.present(risk, loc) if risk else None,
        id=id_, msisdn=shown_msisdn(principal, msisdn), created_at=created_at,
    ))
