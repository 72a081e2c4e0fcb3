"""Small helpers for the console's views and templates: the caller, formatting, statuses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import g, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from cancelsvc import texts
from cancelsvc.auth.principal import Principal
from cancelsvc.auth.sessions import current_staff
from cancelsvc.console import labels
from cancelsvc.i18n import current_locale, gettext
from cancelsvc.precheck.codes import AmountRole
from cancelsvc.precheck.rules.base import CODES
from cancelsvc.services import settings
from cancelsvc.texts import format_day, format_money
from cancelsvc.texts.marks import N_

#: What Werkzeug's default route converter leaves unquoted in a path segment.
_SEGMENT_SAFE = "!$&'()*+,/:;=@"


def staff() -> Principal:
    """The signed-in staff member (views are behind ``login_required``)."""
    principal = current_staff()
    assert principal is not None
    return principal


def csrf_token() -> str:
    """The form token (Flask-WTF's), made once per request: a call list has a form per call."""
    token: str | None = g.get("console_csrf")
    if token is None:
        token = g.console_csrf = generate_csrf()
    return token


#: The page a form answered with a page of its own (an error, a confirmation) belongs to.
_PAGE_OF_FORM = {
    "console.submit": ("console.precheck", "precheck_id"), "console.run_precheck": ("console.account", "account_id"),
    "console.item_action": ("console.request_page", "request_id"),
    "console.follow_up": ("console.request_page", "request_id"),
    "console.withdraw": ("console.request_page", "request_id"), "console.close_call": ("console.calls", None),
}


def language_return() -> str:
    """Where the language switch leads back to: this page; after a form, the page the form
    is on (what was typed is not sent again), or the work queue after a search (nothing
    searched goes into a URL)."""
    if request.method == "GET":
        return request.full_path
    endpoint, argument = _PAGE_OF_FORM.get(request.endpoint or "", ("console.home", None))
    args = request.view_args or {}
    return url_for(endpoint, **({argument: args[argument]} if argument and argument in args else {}))


def request_url(request_id: str) -> str:
    """``url_for("console.request_page", request_id=…)``, for the rows of the lists."""
    return row_link("console.request_page", "request_id")(request_id)


_PLACEHOLDER = "0row0"


def row_link(endpoint: str, name: str) -> Callable[[str], str]:
    """``url_for(endpoint, name=value)`` as a function of ``value``, for the rows of a list:
    the path around the row's id is built once per request, and each row only adds its
    (quoted) id."""
    paths: dict[str, tuple[str, str]] = g.setdefault("console_row_urls", {})
    around = paths.get(endpoint)
    if around is None:
        values: dict[str, Any] = {name: _PLACEHOLDER}
        before, after = url_for(endpoint, **values).split(_PLACEHOLDER)
        around = paths[endpoint] = (before, after)
    before, after = around
    return lambda value: before + quote(value, safe=_SEGMENT_SAFE) + after


def state_tag(state: str) -> Markup:
    """A request's state as a coloured tag, in the page's language."""
    return state_tag_in(state, current_locale())


@lru_cache(maxsize=64)
def state_tag_in(state: str, locale: str) -> Markup:
    """``state_tag``, ``locale`` being the page's language (see ``labels.word``)."""
    return Markup('<span class="tag tag-{}">{}</span>').format(state, labels.word(labels.STATES, state, locale))


def _decimal(value: Any) -> Decimal:
    """The amount of a money object, or an amount as it is."""
    return Decimal(value["amount"]) if isinstance(value, dict) else Decimal(value)


def money(value: Any) -> str:
    """A money object or amount, formatted for the page's language."""
    if value is None:
        return ""
    return format_money(_decimal(value), current_locale())


#: How an amount that is not a sum due reads (``AmountRole`` of its finding code).
_NOT_DUE = {
    AmountRole.REPLACEMENT: N_("%(amount)s if not returned"),
    AmountRole.REFUND: N_("%(amount)s back to the customer"),
    AmountRole.SHOWN: N_("%(amount)s, for information"),
}


def item_amount(code: str, value: Any) -> str:
    """The amount of a finding or to-do as the customer should read it: a sum due as it is;
    a replacement fee, a refund or a sum shown for information says so (none of them is
    part of the total to pay). Empty when there is no amount."""
    if value is None or _decimal(value) == 0:
        return ""
    shown = money(value)
    spec = CODES.get(code)
    wording = _NOT_DUE.get(spec.amount) if spec is not None and spec.amount is not None else None
    return gettext(wording, amount=shown) if wording else shown


def term(group: str, value: str | None) -> str:
    """A vocabulary value the customer texts also name (devices, holds, …), in the page's language."""
    return texts.term(group, value, current_locale()) if value else ""


def terms(group: str, values: list[str]) -> str:
    """Several ``term``s listed the page language's way (``A、B`` / ``A, B``)."""
    locale = current_locale()
    return texts.join_list([texts.term(group, v, locale) for v in values], locale)


def percent(value: Any) -> str:
    """A rate (a decimal fraction, number or text) as a percentage: ``0.30`` -> ``30%``."""
    return f"{format((Decimal(value) * 100).normalize(), 'f')}%"


def when(value: Any, with_time: bool = True) -> str:
    """An instant (datetime or ISO text) in the operator's time zone, formatted for the language."""
    return when_in(value, current_locale(), local_zone(), with_time)


def when_in(value: Any, locale: str, zone: ZoneInfo, with_time: bool = True) -> str:
    """``when`` in ``locale`` and ``zone`` (the lists look both up once per page)."""
    if value in (None, ""):
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(moment, dt.datetime):
        local = moment.astimezone(zone)
        day = format_day(local.date(), locale)
        return f"{day} {local.hour:02d}:{local.minute:02d}" if with_time else day
    return format_day(moment, locale)


def local_zone() -> ZoneInfo:
    """The operator's time zone."""
    return _zone(settings().CANCELSVC_TIMEZONE)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def day(value: Any) -> str:
    if value in (None, ""):
        return ""
    return format_day(dt.date.fromisoformat(value) if isinstance(value, str) else value, current_locale())
