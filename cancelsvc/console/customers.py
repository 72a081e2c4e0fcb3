"""Console pages for the customer at the counter: the account, the pre-check, submission."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError

from cancelsvc.console.blueprint import blp
from cancelsvc.console.forms import PrecheckForm, SearchForm, SubmitForm
from cancelsvc.console.helpers import staff
from cancelsvc.customers import service as customers
from cancelsvc.database import transaction
from cancelsvc.errors import AppError, Conflict, Unprocessable
from cancelsvc.i18n import current_locale
from cancelsvc.idempotency import once
from cancelsvc.precheck import service as prechecks
from cancelsvc.requests import service as requests_service
from cancelsvc.requests.schemas import ContactSchema
from cancelsvc.requests.service import CONTACT_PHONE, SAME_NUMBER


def _account_page(account_id: int, form: PrecheckForm, status: int = 200,
                  error: str | None = None) -> ResponseReturnValue:
    principal = staff()
    account = customers.get_account(principal, account_id)
    return render_template(
        "console/account.html", account=account, customer=account.customer, form=form, error=error,
        holdings=customers.holdings(account), family=customers.family_members(account),
        requests=customers.requests_of(account.id),
        search_form=SearchForm(),
    ), status


@blp.get("/accounts/<int:account_id>")
@login_required
def account(account_id: int) -> ResponseReturnValue:
    return _account_page(account_id, PrecheckForm())


@blp.post("/accounts/<int:account_id>/precheck")
@login_required
def run_precheck(account_id: int) -> ResponseReturnValue:
    """A counter pre-check with an effective date (``asap`` or a date)."""
    principal = staff()
    form = PrecheckForm()
    customers.get_account(principal, account_id)  # 404 before anything else
    if not form.validate_on_submit():
        return _account_page(account_id, form, 422)
    effective: dt.date | str = "asap"
    if form.when.data == "date":
        try:
            effective = dt.date.fromisoformat(form.effective_date.data or "")
        except ValueError:
            form.effective_date.errors = [_("Write the date as YYYY-MM-DD, e.g. 2026-12-31.")]
            return _account_page(account_id, form, 422)
    try:
        with transaction():
            ran = prechecks.run_precheck(principal, str(account_id), "counter", effective)
            precheck_id = ran.id
    except Unprocessable as error:
        form.effective_date.errors = [_("Please choose today or a later date.")] \
            if error.code == "precheck.effective_date_past" else [str(error.detail or error.code)]
        return _account_page(account_id, form, 422)
    return redirect(url_for("console.precheck", precheck_id=precheck_id))


def _precheck_page(precheck_id: str, form: SubmitForm, status: int = 200,
                   error: str | None = None) -> ResponseReturnValue:
    principal = staff()
    row, msisdn = prechecks.visible_precheck(principal, precheck_id)
    doc = prechecks.kept_document(principal, row, current_locale(), msisdn)
    if not form.submission_key.data:
        form.submission_key.data = secrets.token_urlsafe(24)
    form.precheck_id.data = row.id
    open_request = requests_service.open_request_of(row.account_id)
    return render_template("console/precheck.html", doc=doc, row=row, form=form, error=error,
                           open_request=open_request, search_form=SearchForm()), status


@blp.get("/prechecks/<precheck_id>")
@login_required
def precheck(precheck_id: str) -> ResponseReturnValue:
    return _precheck_page(precheck_id, SubmitForm(formdata=None))


@blp.post("/prechecks/<precheck_id>/submit")
@login_required
def submit(precheck_id: str) -> ResponseReturnValue:
    """Submit the request for the customer: the API's ``submit``, once per form (a double-click submits once)."""
    principal = staff()
    form = SubmitForm()
    if not form.validate_on_submit() or form.precheck_id.data != precheck_id:
        return _precheck_page(precheck_id, form, 422)
    contact_in = {k: v for k, v in (("phone", form.contact_phone.data), ("email", form.contact_email.data)) if v}
    contact = None
    if contact_in:
        try:
            contact = ContactSchema().load(contact_in)
        except ValidationError as error:
            messages: dict[str, Any] = error.messages  # type: ignore[assignment]
            form.contact_phone.errors = [_("This is not a mobile number we can call.")] if "phone" in messages else []
            form.contact_email.errors = [_("This is not an e-mail address.")] if "email" in messages else []
            return _precheck_page(precheck_id, form, 422)
    reason = form.reason.data or None
    comment = (form.comment.data or "").strip() or None
    fingerprint = hashlib.sha256(repr((precheck_id, reason, comment, contact)).encode()).hexdigest()

    def effect() -> dict[str, Any]:
        submitted = requests_service.submit(principal, precheck_id, reason, comment, contact)
        return {"id": submitted.request.id}

    try:
        result, _replayed = once(f"console-submit:{form.submission_key.data}", fingerprint, effect)
    except Conflict as error:
        if error.code == "request.open":
            return _precheck_page(precheck_id, form, 409, _("This number already has a request in progress."))
        raise
    except Unprocessable as error:
        if CONTACT_PHONE in (error.errors or {}):
            form.contact_phone.errors = [_(SAME_NUMBER)]
            return _precheck_page(precheck_id, form, 422)
        texts = {
            "cancellation.precheck_stale": _("This pre-check is over 24 hours old; run a new one and submit."),
            "cancellation.precheck_blocked": _("A few things need sorting out first; after that you can submit."),
            "idempotency.mismatch": _("This form was already sent with other details; the request is below."),
        }
        return _precheck_page(precheck_id, form, 422, texts.get(error.code, str(error.detail or error.code)))
    except AppError:
        raise
    flash(_("The request is submitted. Print the checklist for the customer: it carries the tracking link."), "done")
    return redirect(url_for("console.request_page", request_id=result["id"]), 303)
