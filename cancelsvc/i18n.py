"""Language negotiation: zh-CN by default, en on request (Accept-Language).

Werkzeug parses ``Accept-Language`` (``request.accept_languages``) and Babel's
``negotiate_locale`` picks the response language (``cancelsvc.texts.best_language``); the
same rule serves requests answered before Flask (``cancelsvc.texts.negotiate``).
Flask-Babel (templates, ``flask_babel.gettext``) is given the very ``Translations``
objects that ``cancelsvc.texts`` loads, so there is one catalog per language in memory.
"""

from __future__ import annotations

from typing import Any

from babel.support import NullTranslations
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, Domain
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup
from werkzeug.utils import cached_property

from cancelsvc.texts import BABEL_IDS, DEFAULT, best_language, translations


def current_locale() -> str:
    """The response language of the current request (zh-CN outside a request)."""
    if not has_request_context():
        return DEFAULT
    locale: str | None = g.get("locale")
    if locale is None:
        locale = g.locale = best_language(request.accept_languages)
    return locale


def gettext(message: str, **variables: Any) -> str:
    """``flask_babel.gettext`` for the response language, without its per-call look-ups of
    the domain and the catalog (a page builds a few dozen texts)."""
    text = translations(current_locale()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """``flask_babel.ngettext``, likewise (``num`` is a parameter too)."""
    variables.setdefault("num", num)
    return translations(current_locale()).ungettext(singular, plural, num) % variables


# Jinja's newstyle gettext, with the catalog looked up directly: a console page calls ``_()``
# a few hundred times, and Flask-Babel's per-call look-ups plus Jinja's alias cost more than
# the translation. Same output: the text is safe markup in HTML templates and always goes
# through ``%`` with the keyword arguments (which are escaped).
def _formatted(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    if not eval_ctx.autoescape:
        return text % variables
    # Without arguments ``%`` only turns ``%%`` into ``%``: nothing to escape.
    return Markup(text) % variables if variables else Markup(text % variables)


@pass_eval_context
def template_gettext(eval_ctx: EvalContext, message: str, **variables: Any) -> str:
    text = translations(current_locale()).ugettext(message)
    return _formatted(eval_ctx, text, variables)


@pass_eval_context
def template_ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    text = translations(current_locale()).ungettext(singular, plural, num)
    return _formatted(eval_ctx, text, variables)


@pass_eval_context
def template_pgettext(eval_ctx: EvalContext, context: str, message: str, **variables: Any) -> str:
    variables.setdefault("context", context)
    text = translations(current_locale()).upgettext(context, message)
    return _formatted(eval_ctx, text, variables)


@pass_eval_context
def template_npgettext(eval_ctx: EvalContext, context: str, singular: str, plural: str, num: int,
                       **variables: Any) -> str:
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    text = translations(current_locale()).unpgettext(context, singular, plural, num)
    return _formatted(eval_ctx, text, variables)


def install_template_gettext(app: Flask) -> None:
    """``_``, ``gettext``, ``ngettext``, … in templates (after Flask-Babel installed its own)."""
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext, ngettext=template_ngettext,
                                 pgettext=template_pgettext, npgettext=template_npgettext)


def babel_locale() -> str:
    """Locale selector for Flask-Babel's formatting functions (Babel's identifiers)."""
    return BABEL_IDS[current_locale()]


class CatalogDomain(Domain):
    """Flask-Babel's message domain, reading ``cancelsvc.texts``' catalogs."""

    def get_translations(self) -> NullTranslations:
        return translations(current_locale())


class CatalogBabel(Babel):
    """Flask-Babel, with the catalogs of ``cancelsvc.texts``."""

    @cached_property
    def domain_instance(self) -> Domain:
        return CatalogDomain(domain=self.domain)
