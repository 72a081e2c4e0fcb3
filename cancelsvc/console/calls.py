"""The console's call list: open call tasks, most urgent first, each closed with an outcome."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from cancelsvc.calls import service
from cancelsvc.console import lists
from cancelsvc.console.blueprint import blp
from cancelsvc.console.forms import CallForm, SearchForm
from cancelsvc.console.helpers import staff
from cancelsvc.database import transaction
from cancelsvc.errors import Conflict
from models.base import utcnow

PAGE_SIZE = 25


def _page(status: int = 200, problem: str | None = None, form: CallForm | None = None,
          failed: str | None = None) -> ResponseReturnValue:
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    items, total = service.list_calls(staff(), utcnow(), page, PAGE_SIZE)
    return render_template("console/calls.html", items=lists.due_calls(items), total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), problem=problem, form=form or CallForm(formdata=None),
                           failed=failed, search_form=SearchForm()), status


@blp.get("/calls")
@login_required
def calls() -> ResponseReturnValue:
    return _page()


@blp.post("/calls/<call_id>/close")
@login_required
def close_call(call_id: str) -> ResponseReturnValue:
    principal = staff()
    service.get_call(principal, call_id)  # 404 first
    form = CallForm()
    if not form.validate_on_submit():
        return _page(422, _("Choose how the call went."), form, call_id)
    reached = form.outcome.data != "not_reached"
    try:
        with transaction():
            service.close_call(principal, call_id, reached, form.outcome.data == "reached_yes" if reached else None,
                               (form.comment.data or "").strip() or None, utcnow())
    except Conflict:
        return _page(409, _("This call was already closed."))
    flash(_("The call is closed."), "done")
    return redirect(url_for("console.calls"), 303)
