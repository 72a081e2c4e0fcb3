"""Composing a message in its language: the text message, or an e-mail's subject, text and HTML.

Stored parameters are plain JSON (``Message.params``); here they become the customer's
words: instants and dates in the request's timezone and the message's language, amounts
as money, codes as terms. The link is issued only when the message is sent and never
stored or logged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from cancelsvc.notifications.smsparts import segment
from cancelsvc.texts import babel_locale, format_money, render, term

#: Parameters that hold an instant (ISO 8601, shown as a short local date and time).
INSTANTS = ("withdraw_until", "due", "eta")
#: Parameters that hold a day (ISO 8601 date).
DAYS = ("deactivate_on", "date")
#: Parameters that name a term of a group (``term.<group>.<value>``); ``item`` and ``hold``
#: are shown as terms by ``texts.render`` itself.
TERMS = {"next_step": "item", "state": "state"}


@dataclass(frozen=True)
class Composed:
    text: str  # the text message, signed
    subject: str
    body: str  # the e-mail's plain text
    html: str

    @property
    def parts(self) -> int:
        return segment(self.text).parts


def template_key(moment: str, params: dict[str, Any]) -> str:
    """``sms.<moment>`` or one of its variants (``params["variant"]``)."""
    variant = params.get("variant")
    return f"sms.{moment}.{variant}" if variant else f"sms.{moment}"


def compose(moment: str, language: str, params: dict[str, Any], *, operator: str, hotline: str,
            link: str | None = None, tz: str = "Asia/Shanghai") -> Composed:
    """The message ``moment`` in ``language`` with ``params`` (see ``texts.messages``: ``sms.*``)."""
    values = shown(params, language, tz)
    values.update(operator=operator, hotline=hotline, link=link or "")
    body = render(template_key(moment, params), language, **values)
    text = render("sms.signed", language, operator=operator, text=body)
    code = params.get("code")
    subject = (render("mail.subject", language, code=code) if code
               else render("mail.subject.general", language, operator=operator))
    greeting = render("mail.greeting", language)
    plain = f"{greeting}\n\n{body}\n\n{operator}\n"
    linked = escape(body)
    if link:
        linked = linked.replace(escape(link), f'<a href="{escape(link)}">{escape(link)}</a>')
    html = (f'<!doctype html><html lang="{language}"><body><p>{escape(greeting)}</p>'
            f"<p>{linked}</p><p>{escape(operator)}</p></body></html>")
    return Composed(text, subject, plain, html)


def shown(params: dict[str, Any], language: str, tz: str) -> dict[str, Any]:
    """The parameters as the customer reads them."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        if value is None or name == "variant":
            continue
        if name in INSTANTS:
            out[name] = short_instant(dt.datetime.fromisoformat(value), language, tz)
        elif name in DAYS:
            out[name] = short_day(dt.date.fromisoformat(value), language)
        elif name == "amount":
            out[name] = format_money(Decimal(value), language)
        elif name in TERMS:
            out[name] = term(TERMS[name], value, language)
        elif name == "step":
            out[name] = render(f"node.{value}.title", language)
        else:
            out[name] = str(value)
    return out


@lru_cache(maxsize=4096)
def short_instant(instant: dt.datetime, language: str, tz: str) -> str:
    """``12月31日 23:59`` / ``Dec 31, 23:59`` in ``tz``."""
    local = instant.astimezone(ZoneInfo(tz))
    joiner = " " if language == "zh-CN" else ", "
    return short_day(local.date(), language) + joiner + format_skeleton("Hm", local, locale=babel_locale(language))


@lru_cache(maxsize=4096)
def short_day(day: dt.date, language: str) -> str:
    """``12月31日`` / ``Dec 31``."""
    return format_skeleton("MMMd", day, locale=babel_locale(language))
