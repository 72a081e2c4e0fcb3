"""Console forms (Flask-WTF, CSRF included). Field checks here are about the form only
(present, length); the rules themselves live in the services and schemas."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel.support import NullTranslations, Translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp
from wtforms.widgets import HiddenInput

from cancelsvc.common.schemas import NUL_MESSAGE
from cancelsvc.console.labels import REASONS
from cancelsvc.i18n import current_locale
from cancelsvc.texts import babel_locale


@lru_cache(maxsize=4)
def _wtforms_translations(locale: str) -> NullTranslations:
    return Translations.load(messages_path(), [str(babel_locale(locale))], domain="wtforms")


class ConsoleForm(FlaskForm):
    """Every console form: a NUL character in any field is an error of that field (as in the API).

    WTForms' own messages come from its catalog, loaded once per language (Flask-WTF reads
    the file again on every request).
    """

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> NullTranslations:
            return _wtforms_translations(current_locale())

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and "\x00" in field.data:
                field.errors = [*field.errors, _(NUL_MESSAGE)]
                valid = False
        return valid


def version_field() -> IntegerField:
    """The request version the page showed, sent back hidden (``hidden_tag`` renders it)."""
    return IntegerField(_l("Version of the request"), widget=HiddenInput(), validators=[InputRequired()])


class LoginForm(ConsoleForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class SearchForm(ConsoleForm):
    q = StringField(_l("Number, tracking code, name or ID card"), validators=[DataRequired(), Length(max=100)])


class PrecheckForm(ConsoleForm):
    when = RadioField(_l("Cancel"), choices=[("asap", _l("As soon as possible")), ("date", _l("On a date"))],
                      default="asap", validators=[InputRequired()])
    effective_date = StringField(_l("Date (YYYY-MM-DD)"), validators=[Optional(), Length(max=10)])


class SubmitForm(ConsoleForm):
    precheck_id = HiddenField(validators=[DataRequired(), Length(max=36)])
    submission_key = HiddenField(validators=[DataRequired(), Length(max=64)])
    reason = SelectField(_l("Reason"), choices=[("", _l("Not given")), *REASONS.items()], validators=[Optional()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=1000)])
    contact_phone = StringField(_l("Another mobile number"), validators=[Optional(), Length(max=32)])
    contact_email = StringField(_l("E-mail address"), validators=[Optional(), Length(max=254)])


class ItemForm(ConsoleForm):
    """Tick an item off (done) or waive it, on the request version the page showed."""

    version = version_field()
    key = HiddenField(validators=[DataRequired(), Length(max=120)])
    status = HiddenField(validators=[DataRequired(), Regexp("^(done|waived)$")])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class FollowUpForm(ConsoleForm):
    version = version_field()
    satisfied = RadioField(_l("Is the customer satisfied?"), choices=[("yes", _l("Yes")), ("no", _l("No"))],
                           validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=1000)])


class WithdrawForm(ConsoleForm):
    version = version_field()
    confirm = BooleanField(_l("The customer wants to withdraw this request"), validators=[DataRequired()])


class CallForm(ConsoleForm):
    outcome = RadioField(_l("Outcome"), choices=[("reached_yes", _l("Reached: satisfied")),
                                                 ("reached_no", _l("Reached: not satisfied")),
                                                 ("not_reached", _l("Not reached: try again later"))],
                         validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=1000)])
