"""Console pages for one request: checklist (tick, waive), timeline, follow-up, withdrawal, printout."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import segno
import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from cancelsvc.calls import service as calls
from cancelsvc.common.masking import mask_msisdn
from cancelsvc.console.blueprint import blp
from cancelsvc.console.forms import FollowUpForm, ItemForm, SearchForm, WithdrawForm
from cancelsvc.console.helpers import staff
from cancelsvc.database import transaction
from cancelsvc.errors import Conflict, Forbidden, PreconditionFailed
from cancelsvc.i18n import current_locale
from cancelsvc.requests import service
from cancelsvc.requests.presenter import request_document
from cancelsvc.requests.progress import ITEM_NODE
from cancelsvc.services import settings
from models import Account, CancellationRequest, Customer, Precheck, Store, db
from models.base import utcnow
from models.vocabulary import ItemStatus

STALE = "stale"


def _document(req: CancellationRequest) -> tuple[dict[str, Any], Any]:
    row = db.session.execute(
        sa.select(Account.msisdn, Customer.name, Customer.phone, Customer.email)
        .join(Customer, Customer.id == Account.customer_id).where(Account.id == req.account_id)
    ).one()
    return request_document(req, current_locale(), row.msisdn), row


def _request_page(request_id: str, status: int = 200, kept: dict[str, Any] | None = None,
                  problem: str | None = None) -> ResponseReturnValue:
    """The request as it is now; ``kept`` is what the clerk typed into a form that could not be used."""
    principal = staff()
    req = service.get_request(principal, request_id)
    doc, who = _document(req)
    can_waive = principal.role in ("supervisor", "admin")
    return render_template(
        "console/request.html", req=req, doc=doc, who=who, problem=problem, kept=kept or {},
        can_waive=can_waive, search_form=SearchForm(),
    ), status


@blp.get("/requests/<request_id>")
@login_required
def request_page(request_id: str) -> ResponseReturnValue:
    return _request_page(request_id)


@blp.post("/requests/<request_id>/items")
@login_required
def item_action(request_id: str) -> ResponseReturnValue:
    """Tick an item off or waive it: the API's ``patch_item``, optimistic on the form's version."""
    principal = staff()
    form = ItemForm()
    service.get_request(principal, request_id)  # 404 first
    kept = {"key": form.key.data, "note": form.note.data, "status": form.status.data}
    if not form.validate_on_submit():
        return _request_page(request_id, 422, problem=_("Please check the item and the note."), kept=kept)
    note = (form.note.data or "").strip() or None
    if form.status.data == ItemStatus.WAIVED and not note:
        return _request_page(request_id, 422, problem=_("Say why the item is waived."), kept=kept)
    try:
        with transaction():
            req = service.get_request(principal, request_id)
            service.patch_item(principal, req, form.key.data or "", form.status.data or "", note,
                               form.version.data or 0)
    except PreconditionFailed:
        return _request_page(request_id, 409, problem=_(
            "Someone else changed this request; here it is as it is now. What you typed is kept below."), kept=kept)
    except Forbidden as error:
        if error.code == "cancellation.waiver_needs_supervisor":
            return _request_page(request_id, 403, problem=_(
                "Waivers are confirmed by a supervisor: ask one to waive this item."), kept=kept)
        raise
    except Conflict:
        return _request_page(request_id, 409, problem=_("This request is already closed; nothing was changed."))
    flash(_("Saved: the checklist is up to date."), "done")
    return redirect(url_for("console.request_page", request_id=request_id, _anchor="checklist"), 303)


@blp.post("/requests/<request_id>/follow-up")
@login_required
def follow_up(request_id: str) -> ResponseReturnValue:
    """Record the follow-up call (like the ``followup.recorded`` event)."""
    principal = staff()
    form = FollowUpForm()
    service.get_request(principal, request_id)
    kept = {"follow_comment": form.comment.data}
    if not form.validate_on_submit():
        return _request_page(request_id, 422, problem=_("Say whether the customer is satisfied."), kept=kept)
    try:
        with transaction():
            calls.record_follow_up(principal, request_id, form.satisfied.data == "yes",
                                   (form.comment.data or "").strip() or None, utcnow(),
                                   version=form.version.data)
    except PreconditionFailed:
        return _request_page(request_id, 409, problem=_(
            "Someone else changed this request; here it is as it is now. What you typed is kept below."), kept=kept)
    flash(_("The follow-up call is recorded."), "done")
    return redirect(url_for("console.request_page", request_id=request_id, _anchor="follow-up"), 303)


@blp.route("/requests/<request_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(request_id: str) -> ResponseReturnValue:
    """Withdraw for the customer, after a confirmation step."""
    principal = staff()
    req = service.get_request(principal, request_id)
    form = WithdrawForm()
    if not form.is_submitted():
        form.version.data = req.version
        doc, who = _document(req)
        return render_template("console/withdraw.html", req=req, doc=doc, who=who, form=form,
                               search_form=SearchForm())
    if not form.validate():
        doc, who = _document(req)
        return render_template("console/withdraw.html", req=req, doc=doc, who=who, form=form,
                               search_form=SearchForm()), 422
    if form.version.data != req.version:
        return _request_page(request_id, 409, problem=_(
            "Someone else changed this request; here it is as it is now. Check it before withdrawing."))
    try:
        with transaction():
            service.withdraw(principal, service.get_request(principal, request_id))
    except Conflict:
        return _request_page(request_id, 409, problem=_("This request can no longer be withdrawn."))
    flash(_("The request is withdrawn: the line, its services and its credit stay exactly as they were."), "done")
    return redirect(url_for("console.request_page", request_id=request_id), 303)


@lru_cache(maxsize=256)
def _qr_code(url: str, title: str) -> Markup:
    """The QR code of a tracking link as inline SVG; a request's link never changes, and
    encoding one takes longer than the rest of the printout."""
    return Markup(segno.make(url, error="m").svg_inline(scale=4, title=title, omitsize=False))


@blp.get("/requests/<request_id>/print")
@login_required
def print_page(request_id: str) -> ResponseReturnValue:
    """An A4 page for the customer: masked number, tracking code and QR code, checklist, fees."""
    principal = staff()
    req = service.get_request(principal, request_id)
    doc, who = _document(req)
    store = db.session.execute(sa.select(Store).where(Store.code == req.store_code)).scalar_one_or_none() \
        if req.store_code else None
    url = f"{settings().CANCELSVC_PUBLIC_URL}/t/{req.tracking_code}"
    qr = _qr_code(url, _("Tracking page"))
    from cancelsvc.precheck import service as prechecks

    # The request's own pre-check: whoever sees the request sees it (same account, no second check).
    pre = prechecks.kept_document(principal, db.session.get_one(Precheck, req.precheck_id), current_locale(),
                                  who.msisdn)
    fees = [f for f in pre["findings"] if f.get("calculation")]  # the amounts are in the to-do list
    due = {n["code"]: n["due_at"] for n in doc["progress"]["nodes"]}
    deadlines = {i["key"]: due.get(ITEM_NODE.get(i["code"], "")) for i in doc["checklist"]}
    return render_template("console/print.html", req=req, doc=doc, who=who, store=store, url=url, qr=qr,
                           masked=mask_msisdn(who.msisdn), fees=fees, deadlines=deadlines, printed_at=utcnow())
