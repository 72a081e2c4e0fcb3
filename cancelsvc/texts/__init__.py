"""Human texts in zh-CN (default) and en, through gettext catalogs.

The catalogs are ``cancelsvc/translations/{zh_CN,en}/LC_MESSAGES/messages.po`` (compiled
to ``.mo`` by ``make translations``); Flask-Babel reads the same files for templates and
``flask_babel.gettext``. This module renders texts in an explicit language, which is what
stored outcomes and cached documents need:

- ``render(key, locale, **params)``: a customer text named by a stable key
  (``texts.messages``), its parameters formatted for the locale: ``Decimal`` is money
  (zh-CN ``¥1,300.50``, en ``CN¥1,300.50``), ``date`` a long date (``2026年11月23日`` /
  ``November 23, 2026``), a tuple a list, and the parameters named in ``TERM_PARAMS`` the
  localised term;
- ``gettext(msgid, locale)``: any other msgid (problem titles, validation messages);
- ``negotiate(header)`` / ``best_language(accept)``: ``"zh-CN"`` or ``"en"`` from an
  Accept-Language value, parsed by Werkzeug and matched by Babel's ``negotiate_locale``.

One ``babel.support.Translations`` object per language is loaded once; each rendered
template is cached per key and language, so the hot path is two dict look-ups and a ``%``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date
from babel.numbers import format_currency
from babel.support import NullTranslations, Translations
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from cancelsvc.common.money import CURRENCY, q
from cancelsvc.texts.marks import Plural
from cancelsvc.texts.messages import MESSAGES

DEFAULT = "zh-CN"
LOCALES = ("zh-CN", "en")
#: Response language -> catalog folder under ``cancelsvc/translations``.
CATALOG_NAMES = {"zh-CN": "zh_CN", "en": "en"}
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
DOMAIN = "messages"

#: Parameter name -> term group: its value is a code shown as ``term.<group>.<code>``.
TERM_PARAMS = {"device": "device", "contract_kind": "contract", "reason": "waiver", "hold": "hold", "item": "item"}

#: Each language as Babel names it (Flask-Babel's locale and the number and date formats).
BABEL_IDS = {"zh-CN": "zh_Hans_CN", "en": "en"}
_LIST_SEPARATOR = {"zh-CN": "、", "en": ", "}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


class CatalogMissing(RuntimeError):
    """A compiled catalog is missing: run ``make translations``."""


#: Language tags Babel's ``negotiate_locale`` may answer, and the language each stands for.
_NEGOTIABLE = {"zh-cn": "zh-CN", "zh": "zh-CN", "en": "en"}


def best_language(accept: LanguageAccept) -> str:
    """The response language for a parsed Accept-Language (Werkzeug's ``LanguageAccept``).

    The client's languages in order of preference (quality values honoured, ``q=0``
    refuses one) go to Babel's ``negotiate_locale``, which takes the first one that
    matches exactly or by its primary language: any Chinese variant reads zh-CN, any
    English variant en; nothing acceptable gives the default, zh-CN.
    """
    preferred = [tag.replace("_", "-") for tag, quality in accept if quality > 0]
    found = negotiate_locale(preferred, list(_NEGOTIABLE), sep="-")
    return _NEGOTIABLE[found.lower()] if found else DEFAULT


@lru_cache(maxsize=256)
def negotiate(value: str | None) -> str:
    """``"zh-CN"`` or ``"en"`` from an Accept-Language header or a locale name."""
    if not value:
        return DEFAULT
    if value in CATALOG_NAMES:
        return value
    return best_language(parse_accept_header(value, LanguageAccept))


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> NullTranslations:
    """The compiled catalog of ``locale`` ("zh-CN" or "en"), loaded once."""
    name = CATALOG_NAMES[locale]
    mo = TRANSLATIONS_DIR / name / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.is_file():
        raise CatalogMissing(f"{mo} is missing: run `make translations` to compile the catalogs")
    return Translations.load(str(TRANSLATIONS_DIR), [name], DOMAIN)


@lru_cache(maxsize=len(LOCALES))
def babel_locale(locale: str) -> Locale:
    """The Babel locale for one of ``LOCALES``."""
    return Locale.parse(BABEL_IDS[locale])


@lru_cache(maxsize=8192)
def format_money(amount: Decimal, locale: str) -> str:
    """``¥300.00`` (zh-CN) / ``CN¥300.00`` (en)."""
    return format_currency(q(amount), CURRENCY, locale=babel_locale(negotiate(locale)))


@lru_cache(maxsize=4096)
def format_day(day: dt.date, locale: str) -> str:
    """``2026年11月23日`` (zh-CN) / ``November 23, 2026`` (en)."""
    return format_date(day, "long", locale=babel_locale(negotiate(locale)))


def placeholders(template: str) -> tuple[str, ...]:
    """The named ``%(name)s`` placeholders of ``template``, in order, without repeats."""
    return tuple(dict.fromkeys(_PLACEHOLDER.findall(template)))


def gettext(message: str, locale: str) -> str:
    """``message`` (a msgid) in ``locale``."""
    return translations(negotiate(locale)).ugettext(message)


#: (key, locale) -> (translated template, its placeholders); plural texts are not cached.
_TEMPLATES: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}


def _template(key: str, locale: str) -> tuple[str, tuple[str, ...]]:
    entry = MESSAGES[key]  # KeyError for an unknown key
    if isinstance(entry, Plural):
        raise TypeError(f"text {key!r} has a count: use render()")
    template = translations(locale).upgettext(key, entry)
    found = _TEMPLATES[key, locale] = (template, placeholders(template))
    return found


def term(group: str, value: str, locale: str) -> str:
    """A localised enumeration value; ``term.<group>.other`` or the raw value otherwise."""
    locale = negotiate(locale)
    if f"term.{group}.{value}" in MESSAGES:
        return render(f"term.{group}.{value}", locale)
    if f"term.{group}.other" in MESSAGES:
        return render(f"term.{group}.other", locale)
    return value


def render(key: str, locale: str, **params: Any) -> str:
    """The text ``key`` in ``locale`` with ``params`` formatted for that locale.

    Extra parameters are ignored; a missing one raises ``KeyError`` naming it.
    """
    locale = negotiate(locale)
    cached = _TEMPLATES.get((key, locale))
    if cached is None:
        entry = MESSAGES[key]
        if isinstance(entry, Plural):
            if entry.param not in params:
                raise KeyError(f"text {key!r} needs parameter {entry.param!r}")
            template = translations(locale).unpgettext(key, entry.singular, entry.plural, int(params[entry.param]))
            cached = (template, placeholders(template))
        else:
            cached = _template(key, locale)
    template, names = cached
    if not names:
        return template
    values = {}
    for name in names:
        if name not in params:
            raise KeyError(f"text {key!r} needs parameter {name!r}")
        values[name] = _format(name, params[name], locale)
    return template % values


def _format(name: str, value: Any, locale: str) -> str:
    if name in TERM_PARAMS and isinstance(value, str):
        return term(TERM_PARAMS[name], value, locale)
    if isinstance(value, Decimal):
        return format_money(value, locale)
    if isinstance(value, dt.date):
        return format_day(value, locale)
    if isinstance(value, (tuple, list)):
        return join_list([_format("", v, locale) for v in value], locale)
    return str(value)


def join_list(items: list[str], locale: str) -> str:
    """Words listed in ``locale``'s way: ``A、B、C`` / ``A, B, C``."""
    return _LIST_SEPARATOR[locale].join(items)
