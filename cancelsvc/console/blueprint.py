"""The console's blueprint: language from the session, the signed-in clerk as the caller,
HTML error pages, and template helpers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from cancelsvc.auth.sessions import current_staff
from cancelsvc.console import helpers, labels
from cancelsvc.console.forms import SearchForm
from cancelsvc.database import READ_METHODS, statements_on_their_own
from cancelsvc.errors import AppError, Unprocessable
from cancelsvc.handlers import register_not_found_page
from cancelsvc.i18n import current_locale
from cancelsvc.services import settings

blp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
                static_folder="static", static_url_path="/static")

LOCALES = ("zh-CN", "en")


@blp.before_request
def console_context() -> None:
    """The language chosen in the header wins; the signed-in staff member is the caller.

    Forms carry Flask-WTF's CSRF token, so the API's header check does not apply here.
    """
    if request.method in READ_METHODS:
        statements_on_their_own()  # a page that only reads: no BEGIN/ROLLBACK round trips
    if session.get("locale") in LOCALES:
        g.locale = session["locale"]
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        raise Unprocessable(code="validation")  # no filter holds a NUL (forms: ConsoleForm names the field)
    if request.method == "POST" and request.endpoint != "console.login":
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as error:
            raise CSRFError(str(error)) from None  # → the "page expired" page
    staff = current_staff()
    if staff is not None:
        g.principal = staff


@blp.after_request
def no_store(response: Any) -> Any:
    """Console pages carry customers' data: never cached, never framed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


# Functions the templates call are globals of the template environment, so the macros in
# ``_macros.html`` import without the page's context (Jinja then caches them).
for _name, _function in (("csrf_token", helpers.csrf_token), ("page_language", current_locale), ("money", helpers.money), ("language_return", helpers.language_return), ("item_amount", helpers.item_amount),
                         ("percent", helpers.percent), ("term", helpers.term), ("terms", helpers.terms), ("request_url", helpers.request_url), ("state_tag", helpers.state_tag), ("when", helpers.when), ("day", helpers.day), ("label", labels.label)):
    blp.add_app_template_global(_function, _name)
blp.record_once(lambda state: state.app.jinja_env.globals.update(labels=labels))


@blp.app_context_processor
def template_settings() -> dict[str, object]:
    wired = settings()
    return {"operator_name": wired.CANCELSVC_OPERATOR_NAME, "hotline": wired.CANCELSVC_HOTLINE}


ERROR_TEXT = {
    403: (_l("This is for another role"), _l("Ask a supervisor, or go back to the request.")),
    404: (_l("Nothing here for you"),
          _l("It does not exist, or it belongs to another store. The search box finds what is yours.")),
    409: (_l("This has already moved on"), _l("The request changed its state; open it again to see where it is.")),
    422: (_l("Please check what was entered"), _l("Some of it could not be used; go back and try again.")),
}


def error_page(status: int, code: str) -> ResponseReturnValue:
    """The console's page for an error, with the search box its 404 text points to."""
    title, hint = ERROR_TEXT[status]
    return render_template("console/error.html", title=title, hint=hint, code=code, search_form=SearchForm()), status


@blp.errorhandler(AppError)
def app_error(error: AppError) -> ResponseReturnValue:
    return error_page(error.status if error.status in ERROR_TEXT else 404, error.code)


blp.record_once(lambda state: register_not_found_page(state.app, "/console/", lambda: error_page(404, "not_found")))


@blp.errorhandler(CSRFError)
def csrf_error(error: CSRFError) -> ResponseReturnValue:
    return render_template("console/error.html", title=_("This page has expired"),
                           hint=_("Please go back, reload the page and try again."), code="auth.csrf"), 400
