"""Console views: sign-in, the work queue, search and the language switch. Thin: every rule
lives in the services; the other pages are in ``customers``, ``requests`` and ``calls``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from cancelsvc.auth.sessions import check_credentials
from cancelsvc.calls import service as calls
from cancelsvc.console import lists
from cancelsvc.console.blueprint import LOCALES, blp
from cancelsvc.console.forms import LoginForm, SearchForm
from cancelsvc.console.helpers import staff
from cancelsvc.customers import search as customer_search
from cancelsvc.customers import service as customer_service
from cancelsvc.extensions import limiter
from cancelsvc.requests import queue
from models.base import utcnow
from models.vocabulary import OPEN_STATES

PAGE_SIZE = 25


@blp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = check_credentials(form.username.data or "", form.password.data or "")
        if user is not None:
            session.permanent = True  # expires CANCELSVC_CONSOLE_IDLE_MINUTES after the last request
            login_user(user)
            return redirect(url_for("console.home"))
        error = _("That username and password do not match; please try again")
    status = 401 if error else 200
    return render_template("console/login.html", form=form, error=error), status


@blp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    logout_user()
    return redirect(url_for("console.login"))


@blp.post("/language")
def language() -> ResponseReturnValue:
    """The language switch in the header; remembered in the session."""
    chosen = request.form.get("locale")
    if chosen in LOCALES:
        session["locale"] = chosen
    back = request.form.get("next") or ""
    parts = urlsplit(back)
    safe = not parts.scheme and not parts.netloc and back.startswith("/console")
    return redirect(back if safe else url_for("console.home"))


def _flag(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


@blp.get("/")
@login_required
def home() -> ResponseReturnValue:
    """The store's work queue and the calls that are due."""
    principal = staff()
    args = request.args
    page = max(1, min(args.get("page", 1, type=int) or 1, 10_000))
    state = args.get("state") if args.get("state") in OPEN_STATES else None
    waiting = args.get("waiting_on") if args.get("waiting_on") in queue.WAITING_ON else None
    store = (args.get("store") or None) if principal.sees_everything else None
    breached = True if args.get("breached") == "1" else None
    result = queue.list_requests(principal, queue.QueueFilter(
        state=state, store=store[:32] if store else None, breached=breached, waiting_on=waiting, open_only=True,
    ), page, PAGE_SIZE)
    due_calls, calls_total = calls.list_calls(principal, utcnow(), 1, 10)
    pages = max(1, -(-result.total // PAGE_SIZE))
    filters: dict[str, Any] = {"state": state or "", "waiting_on": waiting or "", "store": store or "",
                               "breached": "1" if breached else ""}
    return render_template("console/queue.html", user=current_user, rows=lists.queue_rows(result.rows),
                           stores=customer_service.stores(principal),
                           total=result.total, page=page, pages=pages, filters=filters,
                           calls=lists.due_calls(due_calls), calls_total=calls_total, search_form=SearchForm())


@blp.post("/search")
@login_required
def search() -> ResponseReturnValue:
    """One box; a POST, so nothing searched goes into a URL or a log."""
    form = SearchForm()
    results: list[dict[str, Any]] = []
    searched = form.validate_on_submit()
    if searched:
        results = customer_search.search(staff(), form.q.data or "")
    status = 200 if searched or not form.errors else 422
    return render_template("console/search.html", form=form, search_form=form, results=results,
                           searched=searched), status


# The other pages register themselves on the blueprint.
from cancelsvc.console import calls as _calls  # noqa: E402,F401
from cancelsvc.console import customers as _customers  # noqa: E402,F401
from cancelsvc.console import requests as _requests  # noqa: E402,F401
