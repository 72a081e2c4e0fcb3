"""Language negotiation: zh-CN by default, en on request (Accept-Language).

Werkzeug parses ``Accept-Language`` (``request.accept_languages``) and Babel's
``negotiate_locale`` picks the response language (``cancelsvc.texts.best_language``); the
same rule serves requests answered before Flask (``cancelsvc.texts.negotiate``).
Flask-Babel (templates, ``flask_babel.gettext``) is given the very ``Translations``
objects that ``cancelsvc.texts`` loads, so there is one catalog per language in memory.
"""

from __future__ import annotations

from babel.support import NullTranslations
from flask import g, has_request_context, request
from flask_babel import Babel, Domain
from werkzeug.utils import cached_property

from cancelsvc.texts import DEFAULT, best_language, translations

_BABEL_IDS = {"zh-CN": "zh_Hans_CN", "en": "en"}


def current_locale() -> str:
    """The response language of the current request (zh-CN outside a request)."""
    if not has_request_context():
        return DEFAULT
    if "locale" not in g:
        g.locale = best_language(request.accept_languages)
    return g.locale


def babel_locale() -> str:
    """Locale selector for Flask-Babel's formatting functions (Babel's identifiers)."""
    return _BABEL_IDS[current_locale()]


class CatalogDomain(Domain):
    """Flask-Babel's message domain, reading ``cancelsvc.texts``' catalogs."""

    def get_translations(self) -> NullTranslations:
        return translations(current_locale())


class CatalogBabel(Babel):
    """Flask-Babel, with the catalogs of ``cancelsvc.texts``."""

    @cached_property
    def domain_instance(self) -> Domain:
        return CatalogDomain(domain=self.domain)
