"""Small helpers for the console's views and templates: the caller, formatting, statuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import g, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from cancelsvc import texts
from cancelsvc.auth.principal import Principal
from cancelsvc.auth.sessions import current_staff
from cancelsvc.console import labels
from cancelsvc.i18n import current_locale
from cancelsvc.services import settings
from cancelsvc.texts import format_day, format_money

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


def request_url(request_id: str) -> str:
    """``url_for("console.request_page", request_id=…)``, for the rows of the lists."""
    return _row_url("console.request_page", "request_id", request_id)


def close_call_url(call_id: str) -> str:
    """``url_for("console.close_call", call_id=…)``, for the call list's forms."""
    return _row_url("console.close_call", "call_id", call_id)


_PLACEHOLDER = "0row0"


def _row_url(endpoint: str, name: str, value: str) -> str:
    """The lists link every row: the path around the row's id is built once per request,
    and each row only adds its (quoted) id."""
    paths: dict[str, tuple[str, str]] = g.setdefault("console_row_urls", {})
    around = paths.get(endpoint)
    if around is None:
        values: dict[str, Any] = {name: _PLACEHOLDER}
        before, after = url_for(endpoint, **values).split(_PLACEHOLDER)
        around = paths[endpoint] = (before, after)
    return around[0] + quote(value, safe=_SEGMENT_SAFE) + around[1]


def state_tag(state: str) -> Markup:
    """A request's state as a coloured tag, in the page's language."""
    return _state_tag(state, current_locale())


@lru_cache(maxsize=64)
def _state_tag(state: str, locale: str) -> Markup:  # ``locale`` is the page's: ``label`` reads it
    return Markup('<span class="tag tag-{}">{}</span>').format(state, labels.label(labels.STATES, state))


def money(value: Any) -> str:
    """A money object or amount, formatted for the page's language."""
    if value is None:
        return ""
    amount = Decimal(value["amount"]) if isinstance(value, dict) else Decimal(value)
    return format_money(amount, current_locale())


def term(group: str, value: str | None) -> str:
    """A vocabulary value the customer texts also name (devices, holds, …), in the page's language."""
    return texts.term(group, value, current_locale()) if value else ""


def percent(value: Any) -> str:
    """A rate (a decimal fraction, number or text) as a percentage: ``0.30`` -> ``30%``."""
    return f"{format((Decimal(value) * 100).normalize(), 'f')}%"


def when(value: Any, with_time: bool = True) -> str:
    """An instant (datetime or ISO text) in the operator's time zone, formatted for the language."""
    if value in (None, ""):
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    locale = current_locale()
    if isinstance(moment, dt.datetime):
        local = moment.astimezone(_zone(settings().CANCELSVC_TIMEZONE))
        day = format_day(local.date(), locale)
        return f"{day} {local.hour:02d}:{local.minute:02d}" if with_time else day
    return format_day(moment, locale)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def day(value: Any) -> str:
    if value in (None, ""):
        return ""
    return format_day(dt.date.fromisoformat(value) if isinstance(value, str) else value, current_locale())
