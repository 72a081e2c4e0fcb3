"""The customer's tracking page, ``/t/<code>``: follow the cancellation like a parcel.

Server-rendered and complete without JavaScript (a small script only reloads the page when
``progress.json``'s ETag changes). A browser reads a code's page after the last 4 digits of
the number were right, or with a link token from a message (``tracking.links``); either
gives a cookie for that code only (``tracking.access``). Wrong digits, unknown codes and bad
tokens count against the same counters as the API's public tracking
(``tracking.routes``): per code and per client, in the shared rate-limit storage.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, g, make_response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError, validate_csrf
from markupsafe import Markup
from wtforms import ValidationError

from cancelsvc.auth.principal import Principal
from cancelsvc.calls import service as calls
from cancelsvc.common.responses import presented
from cancelsvc.database import READ_METHODS, statements_on_their_own, transaction
from cancelsvc.errors import AppError, Conflict, NotFound
from cancelsvc.extensions import limiter
from cancelsvc.handlers import register_not_found_page
from cancelsvc.i18n import current_locale
from cancelsvc.requests import service as requests_service
from cancelsvc.requests.caching import cache_headers, is_current, not_modified
from cancelsvc.requests.codes import normalise
from cancelsvc.requests.presenter import public_document
from cancelsvc.services import settings
from cancelsvc.tracking import access, view
from cancelsvc.tracking.forms import FeedbackForm, LanguageForm, VerifyForm, WithdrawForm
from cancelsvc.tracking.links import verify_link
from cancelsvc.tracking.service import (
    per_client_limit,
    per_code_limit,
    rate_key_code,
    request_and_store_by_code,
    request_by_code,
    store,
    verified_request,
)
from models import CancellationRequest, Store, db
from models.base import utcnow
from models.vocabulary import RequestState

blp = Blueprint("tracking_page", __name__, url_prefix="/t", template_folder="templates",
                static_folder="static", static_url_path="/_static")

LOCALES = ("zh-CN", "en")
#: No third-party resource, no inline script, no framing.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


# --- Request context ---------------------------------------------------------------------

@blp.before_request
def page_context() -> None:
    """The language the customer chose wins; every form carries Flask-WTF's CSRF token."""
    g.tracking_failed = False  # set by a wrong guess; the rate limiter reads it after the view
    g.pop("tracking_access", None)
    if request.method in READ_METHODS:
        statements_on_their_own()  # the page and progress.json only read: no BEGIN/ROLLBACK round trips
    if session.get("locale") in LOCALES:
        g.locale = session["locale"]
    if request.method == "POST":
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as error:
            raise CSRFError(str(error)) from None


@blp.after_request
def page_headers(response: Response) -> Response:
    """Never indexed, never framed, nothing to other sites (not even the link's token as referrer)."""
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = CSP
    return response


@lru_cache(maxsize=64)
def tel(number: str) -> Markup:
    """A phone number the customer can tap to call (a page names the same few numbers on every card)."""
    return Markup('<a href="tel:{}">{}</a>').format(re.sub(r"[^0-9+]", "", number), number)


@blp.app_context_processor
def page_helpers() -> dict[str, object]:
    return {"page_language": current_locale, "hotline": settings().CANCELSVC_HOTLINE,
            "operator_name": settings().CANCELSVC_OPERATOR_NAME, "tel": tel}


# --- Guesses are counted like the API's ----------------------------------------------------

def _guessed_wrong(response: Response) -> bool:
    return bool(g.get("tracking_failed"))


def _has_access() -> bool:
    """Whether this browser has access to the code in the path (checked once per request)."""
    if "tracking_access" not in g:
        code = normalise((request.view_args or {}).get("code", ""))
        g.tracking_access = code is not None and access.granted(request, code)
    return bool(g.tracking_access)


def guarded(view_function: Callable[..., Any]) -> Callable[..., Any]:
    """The API's per-client and per-code counters (same scopes, same storage); a browser
    with access to the code is not checked, a wrong guess is counted."""
    for decorate in (
        limiter.shared_limit(per_client_limit, scope="track-client", deduct_when=_guessed_wrong,
                             exempt_when=_has_access),
        limiter.shared_limit(per_code_limit, scope="track-code", key_func=rate_key_code,
                             deduct_when=_guessed_wrong, exempt_when=_has_access),
    ):
        view_function = decorate(view_function)
    return view_function


@blp.errorhandler(RateLimitExceeded)
def rate_limited(error: RateLimitExceeded) -> ResponseReturnValue:
    current = limiter.current_limit
    now = utcnow()
    if current is not None and current.breached:
        again = dt.datetime.fromtimestamp(current.reset_at, dt.UTC)
    else:
        again = now + dt.timedelta(seconds=int(error.limit.limit.get_expiry()))
    wait = max(int((again - now).total_seconds()) + 1, 1)
    local = again.astimezone(ZoneInfo(settings().CANCELSVC_TIMEZONE))
    body = render_template("tracking/limited.html", at=f"{local:%H:%M}", minutes=max((wait + 59) // 60, 1))
    return body, 429, {"Retry-After": str(wait)}


@blp.errorhandler(CSRFError)
def page_expired(error: CSRFError) -> ResponseReturnValue:
    return render_template("tracking/message.html", title=_("This page has expired"),
                           text=_("Please go back, reload the page and try again."),
                           code=(request.view_args or {}).get("code")), 400


def not_found_page() -> ResponseReturnValue:
    return render_template("tracking/message.html", title=_("Nothing here"),
                           text=_("Check the tracking code in your message or on your printout."), code=None), 404


@blp.errorhandler(AppError)
def app_error(error: AppError) -> ResponseReturnValue:
    return not_found_page()


blp.record_once(lambda state: register_not_found_page(state.app, "/t/", not_found_page))


# --- Views ----------------------------------------------------------------------------------

@blp.route("/<code>", methods=["GET"])
@guarded
def page(code: str) -> ResponseReturnValue:
    """The page with access to the code, the 4-digit form otherwise; ``?k=`` opens it from a message."""
    canonical = normalise(code)
    if canonical is not None and canonical != code:
        query: dict[str, Any] = dict(request.args.items())
        return redirect(url_for("tracking_page.page", code=canonical, **query), 308)
    token = request.args.get("k")
    if canonical is not None and token is not None:
        req = verify_link(canonical, token)
        if req is None:
            g.tracking_failed = True
            return _verify_page(code, _("This link has expired or is not complete. Enter the last 4 digits of "
                                        "the number you are cancelling instead."))
        # Shown here rather than after a redirect: a cookie set by a page opened from another
        # app is SameSite=Strict, and a redirect would still count as coming from that app.
        return access.grant(make_response(_tracking_page(req)), canonical)
    if canonical is not None and _has_access():
        found = request_and_store_by_code(canonical)
        if found is not None:
            req, msisdn, shop = found
            return access.grant(make_response(_tracking_page(req, msisdn=msisdn, shop=shop)), canonical)
    return _verify_page(code)


@blp.route("/<code>", methods=["POST"])
@guarded
def verify(code: str) -> ResponseReturnValue:
    """Check the 4 digits: right → access to this code and the page; wrong or unknown → the form."""
    form = VerifyForm()
    canonical = normalise(code)
    try:
        if not form.validate() or canonical is None:
            raise NotFound(code="tracking.not_found")
        verified_request(canonical, form.verify_code.data)
    except NotFound:
        g.tracking_failed = True
        return _verify_page(code, _("That does not match. Check the last 4 digits of the number you are "
                                    "cancelling and the tracking code, then try again."))
    return access.grant(make_response(redirect(url_for("tracking_page.page", code=canonical), 303)), canonical)


@blp.get("/<code>/progress.json")
def progress(code: str) -> ResponseReturnValue:
    """The public progress document for the page's refresh, with its ETag (access only)."""
    req, msisdn = _with_access(code)
    locale = current_locale()
    if is_current(request.if_none_match, req.version, locale):
        response = not_modified(req.version, req.state, locale)
    else:
        response = cache_headers(presented(public_document(req, locale, msisdn)), req.version, req.state, locale)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Cookie"
    return response


@blp.post("/<code>/withdraw")
def withdraw(code: str) -> ResponseReturnValue:
    """Withdraw during cooling-off: the button leads to a confirmation step, which withdraws."""
    req, msisdn = _with_access(code)
    form = WithdrawForm()
    doc = public_document(req, current_locale(), msisdn)
    if not doc["can_withdraw"]:
        return _tracking_page(req, msisdn=msisdn, problem=_cannot_withdraw(req), status=409)
    if form.confirm.data != "yes":
        until = view.build(req, doc, None, current_locale(), utcnow()).withdraw_until
        return render_template("tracking/withdraw.html", code=req.tracking_code, msisdn=doc["msisdn"],
                               until=until, form=form)
    try:
        with transaction():
            requests_service.withdraw(None, req, public=True)
    except Conflict:
        db.session.expire_all()
        return _tracking_page(db.session.get_one(CancellationRequest, req.id), msisdn=msisdn,
                              problem=_cannot_withdraw(req), status=409)
    return redirect(url_for("tracking_page.page", code=req.tracking_code), 303)


@blp.post("/<code>/feedback")
def feedback(code: str) -> ResponseReturnValue:
    """After deactivation: satisfied or not, recorded like ``followup.recorded`` (once);
    "not satisfied" puts a priority call on the store's call list."""
    req, msisdn = _with_access(code)
    if req.state != RequestState.COMPLETED:
        return _tracking_page(req, msisdn=msisdn, status=409, problem=_(
            "You can tell us how it went once your number is deactivated."))
    form = FeedbackForm()
    if not form.validate():
        return _tracking_page(req, msisdn=msisdn, status=422, form=form,
                              problem=_("Please choose whether you are satisfied."))
    customer = Principal(kind="customer", ref=f"tracking:{req.tracking_code}", customer_id=req.customer_id)
    with transaction():
        calls.record_follow_up(customer, req.id, form.satisfied.data == "yes",
                               (form.comment.data or "").strip() or None, utcnow())
    return redirect(url_for("tracking_page.page", code=req.tracking_code, _anchor="feedback"), 303)


@blp.post("/<code>/language")
def language(code: str) -> ResponseReturnValue:
    """The language switch; the session remembers it."""
    form = LanguageForm()
    if form.locale.data in LOCALES:
        session["locale"] = form.locale.data
    canonical = normalise(code)
    return redirect(url_for("tracking_page.page", code=canonical) if canonical else request.path, 303)


# --- Helpers --------------------------------------------------------------------------------

def _with_access(code: str) -> tuple[CancellationRequest, str]:
    """The request of a code this browser has access to; 404 otherwise (nothing to guess here)."""
    canonical = normalise(code)
    if canonical is None or not _has_access():
        raise NotFound(code="tracking.not_found")
    found = request_by_code(canonical)
    if found is None:
        raise NotFound(code="tracking.not_found")
    return found


def _verify_page(code: str, problem: str | None = None) -> ResponseReturnValue:
    return render_template("tracking/verify.html", code=normalise(code) or code, form=VerifyForm(formdata=None),
                           problem=problem), 200


def _tracking_page(req: CancellationRequest, *, msisdn: str | None = None, problem: str | None = None,
                   status: int = 200, form: FeedbackForm | None = None,
                   shop: Store | None = None) -> ResponseReturnValue:
    """The page; ``shop`` is the request's store when it was read with the request."""
    if msisdn is None:
        found = request_by_code(req.tracking_code)
        assert found is not None
        msisdn = found[1]
    locale = current_locale()
    doc = public_document(req, locale, msisdn)
    page_view = view.build(req, doc, None, locale, utcnow())
    if page_view.cards and req.store_code:  # the store is named on the to-do cards only
        page_view.store = shop or store(req.store_code)
    if page_view.feedback_open and form is None:
        form = FeedbackForm(formdata=None)
    return render_template("tracking/page.html", v=page_view, problem=problem, feedback_form=form), status


def _cannot_withdraw(req: CancellationRequest) -> str:
    if req.state == RequestState.COMPLETED:
        return _("Your number is already deactivated, so the request can no longer be withdrawn.")
    if req.state in (RequestState.WITHDRAWN, RequestState.REJECTED):
        return _("This request is already closed; nothing was changed.")
    return _("The cooling-off period has ended, so the request can no longer be withdrawn online. If something is "
             "wrong, call us on %(hotline)s.", hotline=settings().CANCELSVC_HOTLINE)
