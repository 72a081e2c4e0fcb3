"""Submitting, reading, withdrawing and ticking off cancellation requests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from cancelsvc import outbox
from cancelsvc.auth.principal import Principal
from cancelsvc.common.paging import offset_of
from cancelsvc.customers.service import can_see_account, shown_msisdn, visible_to
from cancelsvc.errors import Conflict, Forbidden, NotFound, PreconditionFailed, Unprocessable
from cancelsvc.precheck.checklist import ITEM_NODE
from cancelsvc.precheck.codec import outcome_from_json
from cancelsvc.precheck.codes import AmountRole
from cancelsvc.precheck.rules.base import CODES
from cancelsvc.precheck.service import VALIDITY
from cancelsvc.precheck.snapshot import OpenRequestRef
from cancelsvc.requests.codes import new_tracking_code
from cancelsvc.requests.lifecycle import Change, load_for_change
from cancelsvc.requests.payments import QUOTED_CODES
from cancelsvc.requests.presenter import request_document
from cancelsvc.requests.states import COMPLETED, IN_PROGRESS, OPEN, WITHDRAWN
from cancelsvc.services import settings
from cancelsvc.texts.marks import N_
from models import Account, CancellationRequest, ChecklistEntry, Precheck, db
from models.base import new_uuid, utcnow
from models.vocabulary import ItemStatus, NodeCode

_ACCOUNT_FOR_SUBMIT = (joinedload(Account.customer), joinedload(Account.services))

#: The field of the contact's number, and why the number being cancelled cannot be it.
CONTACT_PHONE = "contact.phone"
SAME_NUMBER = N_("This is the number being cancelled: it stops working. Give another mobile number or an e-mail address.")
#: The codes whose amounts make the refund due (``payments.QUOTED_CODES``: the sums due).
REFUND_CODES = frozenset(code for code, spec in CODES.items() if spec.amount == AmountRole.REFUND)


def actor_of(principal: Principal) -> str:
    """How the timeline names who did something."""
    if principal.kind == "customer":
        return "customer"
    if principal.kind == "staff":
        return principal.role or "clerk"
    return "operator"


class OwnedRequest(Protocol):
    """What the visibility rule reads of a request (an ORM row or a selected row)."""

    @property
    def customer_id(self) -> int: ...

    @property
    def store_code(self) -> str | None: ...


def can_see_request(principal: Principal, req: OwnedRequest) -> bool:
    """The same rule as for the request's account."""
    return visible_to(principal, req.customer_id, req.store_code)


def get_request(principal: Principal, request_id: str) -> CancellationRequest:
    """A request the caller may see (404 otherwise, exactly like a missing one)."""
    req = db.session.get(CancellationRequest, request_id) if len(request_id) <= 36 else None
    if req is None or not can_see_request(principal, req):
        raise NotFound(code="cancellation.not_found")
    return req


def open_request_of(account_id: int) -> OpenRequestRef | None:
    """The account's open request, for the pre-check's ``request.open`` rule."""
    row = db.session.execute(
        sa.select(CancellationRequest.id, CancellationRequest.tracking_code).where(
            CancellationRequest.open_account_id == account_id
        )
    ).first()
    return OpenRequestRef(row.id, row.tracking_code) if row else None


def open_request_columns(account_id: sa.ColumnElement[int]) -> tuple[sa.ScalarSelect[str], sa.ScalarSelect[str]]:
    """The open request of ``account_id`` (id, tracking code) as scalar subqueries, NULL when none.

    Registered with the pre-check's snapshot loading, which reads them in the statement
    that loads the account.
    """
    requests = CancellationRequest.__table__.c
    return (
        sa.select(requests.id).where(requests.open_account_id == account_id).scalar_subquery(),
        sa.select(requests.tracking_code).where(requests.open_account_id == account_id).scalar_subquery(),
    )


def _open_conflict(account_id: int) -> Conflict:
    existing = open_request_of(account_id)
    return Conflict(
        code="request.open",
        id=existing.id if existing else None,
        tracking_code=existing.tracking_code if existing else None,
    )


class Submitted(NamedTuple):
    """A new request with the pre-check and account it came from (already loaded)."""

    request: CancellationRequest
    precheck: Precheck
    account: Account


def submit(principal: Principal, precheck_id: str, reason: str | None, comment: str | None,
           contact: Mapping[str, str | None] | None = None) -> Submitted:
    """Turn a fresh, submittable pre-check into a request (the caller's transaction commits it).

    ``contact`` (``phone``/``email``, already validated) is how to reach the customer
    once the number is gone.
    """
    precheck = db.session.get(Precheck, precheck_id) if len(precheck_id) <= 36 else None
    # The customer (time zone) and services (restore point) come with the account: one query.
    account = (db.session.get(Account, precheck.account_id, options=_ACCOUNT_FOR_SUBMIT)
               if precheck is not None else None)
    if precheck is None or account is None or not can_see_account(principal, account):
        raise Unprocessable(code="cancellation.precheck_unknown",
                            errors={"precheck_id": [N_("No pre-check with this id for this caller.")]})
    now = utcnow()
    if now - precheck.created_at > VALIDITY:
        raise Unprocessable(code="cancellation.precheck_stale",
                            errors={"precheck_id": [N_("This pre-check is older than 24 hours; run a new one.")]})
    if not precheck.can_submit:
        raise Unprocessable(code="cancellation.precheck_blocked",
                            errors={"precheck_id": [N_("This pre-check has blockers; resolve them first.")]})
    if contact and contact.get("phone") == account.msisdn:  # it stops working with the cancellation
        raise Unprocessable(errors={CONTACT_PHONE: [SAME_NUMBER]})
    outcome = outcome_from_json(precheck.outcome)
    items = [
        ChecklistEntry(
            position=n, key=item.key, code=item.code, refs=list(item.refs), owner=item.owner,
            required=item.required, self_service=item.self_service, amount=item.amount,
            est_min=item.est_working_days[0] if item.est_working_days else None,
            est_max=item.est_working_days[1] if item.est_working_days else None,
            status=item.status,
        )
        for n, item in enumerate(outcome.checklist)
    ]
    quoted = sum((i.amount or Decimal("0")) for i in items if i.code in QUOTED_CODES)
    refund = sum((f.amount or Decimal("0")) for f in outcome.findings if f.code in REFUND_CODES)
    cooling = timedelta(hours=settings().CANCELSVC_COOLING_OFF_HOURS)
    snap_tz = account.customer.timezone or settings().CANCELSVC_TIMEZONE
    req = CancellationRequest(
        id=new_uuid(),
        tracking_code=new_tracking_code(),
        account_id=account.id,
        open_account_id=account.id,
        precheck_id=precheck.id,
        customer_id=account.customer_id,
        store_code=account.store_code,
        channel=precheck.channel,
        state=IN_PROGRESS,
        version=0,
        paid_total=Decimal("0"),
        refunded_total=Decimal("0"),
        last_changed_at=now,
        effective_date=precheck.effective_date,
        timezone=snap_tz,
        reason=reason,
        comment=comment,
        contact=_contact(contact),
        submitted_at=now,
        withdraw_until=now + cooling,
        quoted_total=quoted,
        refund_due=refund,
        restore_point=restore_point(account),
        nodes={},
        eta={},
        created_by=principal.caller_key,
        items=items,
        timeline=[],  # a new request: no lazy load of an empty timeline
    )
    change = Change(req, actor_of(principal), principal.caller_key, now=now)
    change.note(NodeCode.SUBMITTED, "submitted")
    account_id = account.id
    try:
        # The UNIQUE open_account_id refuses a second open request for the account, also
        # when two submissions race. The request is derived before its INSERT, so it is
        # written once with its nodes, ETA and version. A refusal undoes only this
        # SAVEPOINT (the request, its audit record and events): whatever the caller did
        # before stays in its transaction.
        with db.session.begin_nested():
            db.session.add(req)
            change.finish("cancellation.created")
            db.session.flush()
    except IntegrityError:
        raise _open_conflict(account_id) from None

    outbox.publish(outbox.CANCELLATION_CREATED, req.id,
                   {"id": req.id, "tracking_code": req.tracking_code, "state": req.state, "version": req.version})
    return Submitted(req, precheck, account)


def _contact(contact: Mapping[str, str | None] | None) -> dict[str, str] | None:
    kept = {k: v for k, v in (contact or {}).items() if v}
    return kept or None


def restore_point(account: Account) -> dict[str, Any]:
    """What withdrawal must give back exactly: services, family membership, credit."""
    return {
        "services": {s.code: s.status for s in account.services},
        "family_group_id": account.family_group_id,
        "family_role": account.family_role,
        "prepaid_credit": format(account.prepaid_credit, "f"),
        "status": account.status,
    }


def restore_account(req: CancellationRequest) -> None:
    """Put the account back as it was at submission."""
    account = db.session.get_one(Account, req.account_id)
    point = req.restore_point
    for service in account.services:
        if service.code in point["services"]:
            service.status = point["services"][service.code]
    account.family_group_id = point["family_group_id"]
    account.family_role = point["family_role"]
    account.prepaid_credit = Decimal(point["prepaid_credit"])
    account.status = point["status"]


def withdraw(principal: Principal | None, req: CancellationRequest, *, public: bool = False) -> CancellationRequest:
    """Withdraw before deactivation (public tracking links only during cooling-off)."""
    req = load_for_change(req.id)
    now = utcnow()
    if req.state == COMPLETED:
        raise Conflict(code="cancellation.already_deactivated")
    if req.state not in OPEN:
        raise Conflict(code="cancellation.closed", state=req.state)
    if public and now >= req.withdraw_until:
        raise Conflict(code="cancellation.cooling_off_over")
    actor = "customer" if principal is None else actor_of(principal)
    change = Change(req, actor, principal.caller_key if principal else "public:tracking", now=now)
    restore_account(req)
    change.move_to(WITHDRAWN)
    req.closed_by = actor
    change.note(NodeCode.COOLING_OFF, "withdrawn")
    change.finish("cancellation.withdrawn")
    return req


def patch_item(principal: Principal, req: CancellationRequest, key: str, status: str, note: str | None,
               if_match_version: int) -> CancellationRequest:
    """A clerk ticks an item off (done) or a supervisor waives it; optimistic on ``version``."""
    req = load_for_change(req.id)
    if req.version != if_match_version:
        raise PreconditionFailed(code="precondition.failed", version=req.version)
    if req.state not in OPEN:
        raise Conflict(code="cancellation.closed", state=req.state)
    # Waivers need a supervisor's authority: clerks and system keys (the customer's app) may not waive.
    if status == ItemStatus.WAIVED and not (principal.is_staff and principal.role in ("supervisor", "admin")):
        raise Forbidden(code="cancellation.waiver_needs_supervisor")
    item = next((i for i in req.items if i.key == key), None)
    if item is None:
        candidates = [i for i in req.items if i.code == key]
        if len(candidates) > 1:
            raise Unprocessable(code="cancellation.item_ambiguous",
                                errors={"code": [N_("Several items have code {code}; use one of: {keys}.").format(
                                    code=key, keys=", ".join(i.key for i in candidates))]})
        item = candidates[0] if candidates else None
    if item is None:
        raise NotFound(code="cancellation.item_not_found")
    change = Change(req, actor_of(principal), principal.caller_key)
    change.audit_data = {"item": item.key, "status": status, "note": note}
    if change.close_item(item, status, note):
        # Items of no node (notices such as loyalty points) are noted under "submitted".
        change.note(ITEM_NODE.get(item.code, NodeCode.SUBMITTED), f"item_{status}", item=item.code)
    change.finish(f"cancellation.item_{status}")
    return req


def full_document(principal: Principal, req: CancellationRequest, locale: str) -> dict[str, Any]:
    """The request document as ``principal`` may see it (the number masked for some callers)."""
    number = db.session.execute(sa.select(Account.msisdn).where(Account.id == req.account_id)).scalar_one()
    return request_document(req, locale, shown_msisdn(principal, number))


def my_requests(principal: Principal, page: int = 1, page_size: int = 25) -> tuple[list[CancellationRequest], int]:
    """One page of the calling customer's requests, newest first, and how many there are."""
    mine = CancellationRequest.customer_id == principal.customer_id
    total = db.session.execute(sa.select(sa.func.count()).select_from(CancellationRequest).where(mine)).scalar_one()
    offset = offset_of(page, page_size)
    if offset is None:
        return [], int(total)
    rows = db.session.execute(
        sa.select(CancellationRequest).where(mine)
        .order_by(CancellationRequest.submitted_at.desc(), CancellationRequest.id)
        .limit(page_size).offset(offset)
    ).scalars()
    return list(rows), int(total)

