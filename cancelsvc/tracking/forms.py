"""The tracking page's forms (Flask-WTF, CSRF included); checks here are about the form only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional


class VerifyForm(FlaskForm):
    verify_code = StringField(_l("Last 4 digits of the number you are cancelling"),
                              validators=[InputRequired(), Length(max=8)])


class WithdrawForm(FlaskForm):
    #: Empty on the page's button (→ the confirmation step), "yes" from the confirmation step.
    confirm = HiddenField()


class FeedbackForm(FlaskForm):
    satisfied = RadioField(_l("Are you satisfied with how the cancellation went?"),
                           choices=[("yes", _l("Yes, satisfied")), ("no", _l("No, not satisfied"))],
                           validators=[InputRequired()])
    comment = TextAreaField(_l("Anything you want to tell us (optional)"), validators=[Optional(), Length(max=1000)])


class LanguageForm(FlaskForm):
    locale = HiddenField()
