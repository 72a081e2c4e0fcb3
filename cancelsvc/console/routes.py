"""Console views: thin, all checks live in ``cancelsvc.auth.sessions``."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from cancelsvc.auth.sessions import check_credentials
from cancelsvc.console.forms import LoginForm
from cancelsvc.extensions import limiter
from cancelsvc.i18n import current_locale

blp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")


@blp.app_context_processor
def page_helpers() -> dict[str, object]:
    return {"csrf_token": generate_csrf, "page_language": current_locale}


@blp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = check_credentials(form.username.data or "", form.password.data or "")
        if user is not None:
            login_user(user)
            return redirect(url_for("console.home"))
        error = gettext("That username and password do not match; please try again")
    status = 401 if error else 200
    return render_template("console/login.html", form=form, error=error), status


@blp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    logout_user()
    return redirect(url_for("console.login"))


@blp.get("/")
@login_required
def home() -> ResponseReturnValue:
    return render_template("console/home.html", user=current_user)
