"""Customer-facing texts in zh-CN (default) and en.

Catalogs map a stable key to a ``str.format`` template with named placeholders. Keys:
``<finding code>.title`` / ``.detail[.<variant>]``, ``remedy.<code>``,
``alternative.<code>.title`` / ``.detail``, ``<checklist code>.title`` / ``.detail`` for
the procedural items, and ``term.<group>.<value>`` for enumerations shown in a sentence.

``render`` formats parameters for the locale: ``Decimal`` is money (zh-CN ``¥1,300.50``,
en ``CN¥1,300.50``), ``date`` a long date (``2026年11月23日`` / ``November 23, 2026``), a
tuple a list, and the parameters named in ``TERM_PARAMS`` the localised term.
"""

from __future__ import annotations

import datetime as dt
import string
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency

from cancelsvc.common.money import CURRENCY, q
from cancelsvc.texts import en, zh_cn

DEFAULT = "zh-CN"
LOCALES = ("zh-CN", "en")
CATALOGS: dict[str, dict[str, str]] = {"zh-CN": zh_cn.MESSAGES, "en": en.MESSAGES}

#: Parameter name -> term group: its value is a code shown as ``term.<group>.<code>``.
TERM_PARAMS = {"device": "device", "contract_kind": "contract", "reason": "waiver", "hold": "hold", "item": "item"}

_BABEL_IDS = {"zh-CN": "zh_Hans_CN", "en": "en"}
_LIST_SEPARATOR = {"zh-CN": "、", "en": ", "}


def negotiate(value: str | None) -> str:
    """``"zh-CN"`` or ``"en"`` from an Accept-Language header or a locale name.

    Quality values are honoured (``q=0`` refuses a language); any Chinese variant reads
    zh-CN, any English variant en; nothing acceptable gives the default, zh-CN.
    """
    if not value:
        return DEFAULT
    if value in CATALOGS:
        return value
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(value.split(",")):
        tag, _, rest = part.partition(";")
        tag = tag.strip().lower().replace("_", "-")
        quality = 1.0
        for param in rest.split(";"):
            name, _, raw = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(raw)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        if tag == "zh" or tag.startswith("zh-"):
            lang = "zh-CN"
        elif tag == "en" or tag.startswith("en-"):
            lang = "en"
        elif tag == "*":
            lang = DEFAULT
        else:
            continue
        key = (-quality, position, lang)
        if best is None or key < best:
            best = key
    return best[2] if best else DEFAULT


@lru_cache(maxsize=len(LOCALES))
def babel_locale(locale: str) -> Locale:
    """The Babel locale for one of ``LOCALES``."""
    return Locale.parse(_BABEL_IDS[locale])


@lru_cache(maxsize=8192)
def format_money(amount: Decimal, locale: str) -> str:
    """``¥300.00`` (zh-CN) / ``CN¥300.00`` (en)."""
    return format_currency(q(amount), CURRENCY, locale=babel_locale(negotiate(locale)))


@lru_cache(maxsize=4096)
def format_day(day: dt.date, locale: str) -> str:
    """``2026年11月23日`` (zh-CN) / ``November 23, 2026`` (en)."""
    return format_date(day, "long", locale=babel_locale(negotiate(locale)))


@lru_cache(maxsize=4096)
def placeholders(template: str) -> tuple[str, ...]:
    """The named placeholders of ``template``, in order, without repeats."""
    names = (name for _, name, _, _ in string.Formatter().parse(template) if name)
    return tuple(dict.fromkeys(names))


def term(group: str, value: str, locale: str) -> str:
    """A localised enumeration value; ``term.<group>.other`` or the raw value otherwise."""
    catalog = CATALOGS[negotiate(locale)]
    return catalog.get(f"term.{group}.{value}") or catalog.get(f"term.{group}.other", value)


def render(key: str, locale: str, **params: Any) -> str:
    """The text ``key`` in ``locale`` with ``params`` formatted for that locale.

    Extra parameters are ignored; a missing one raises ``KeyError`` naming it.
    """
    locale = negotiate(locale)
    template = CATALOGS[locale][key]
    names = placeholders(template)
    if not names:
        return template
    values = {}
    for name in names:
        if name not in params:
            raise KeyError(f"text {key!r} needs parameter {name!r}")
        values[name] = _format(name, params[name], locale)
    return template.format_map(values)


def _format(name: str, value: Any, locale: str) -> str:
    if name in TERM_PARAMS and isinstance(value, str):
        return term(TERM_PARAMS[name], value, locale)
    if isinstance(value, Decimal):
        return format_money(value, locale)
    if isinstance(value, dt.date):
        return format_day(value, locale)
    if isinstance(value, (tuple, list)):
        return _LIST_SEPARATOR[locale].join(_format("", v, locale) for v in value)
    return str(value)
