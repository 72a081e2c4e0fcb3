"""Every message template, in both languages, with the longest plausible values, fits in two
SMS parts (UCS-2 70/67 for Chinese or any text outside GSM-7, GSM-7 160/153 otherwise)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from cancelsvc.notifications.compose import compose, short_day, short_instant
from cancelsvc.notifications.smsparts import segment
from cancelsvc.texts import LOCALES, render, term
from cancelsvc.texts.messages import MESSAGES
from models.vocabulary import ITEM_NODES, HoldKind, Moment, RequestState

CODE = "ABCDEFGHJKMN"  # 12 characters
HOST = "track.customer-care.example.cn"  # 30 characters
LINK = f"https://{HOST}/t/{CODE}?k=7KQ3M9X2PR"
HOTLINE = "40088812345"  # 11 digits
OPERATOR = "中国移动通信"  # the signature's longest plausible operator name
OPERATOR_EN = "ChinaMobile"
STORES = {"zh-CN": "北京朝阳大悦城旗舰营业厅", "en": "Chaoyang Joy"}  # 12 characters each
TZ = "Asia/Shanghai"
ITEMS = [key.removeprefix("term.item.") for key in MESSAGES if key.startswith("term.item.")]


def longest(values: list[str], language: str, render_one: Any) -> str:
    return max(values, key=lambda v: segment(render_one(v, language)).units)


def long_params(moment: str, language: str) -> list[dict[str, Any]]:
    """Every variant of ``moment`` with its longest values."""
    instant = max((dt.datetime(2026, m, 28, 15, 59, tzinfo=dt.UTC) for m in range(1, 13)),
                  key=lambda i: len(short_instant(i, language, TZ)))
    day = max((dt.date(2026, m, 28) for m in range(1, 13)), key=lambda d: len(short_day(d, language)))
    base: dict[str, Any] = {
        "code": CODE, "withdraw_until": instant.isoformat(), "due": instant.isoformat(), "eta": instant.isoformat(),
        "deactivate_on": day.isoformat(), "date": day.isoformat(), "amount": "99999.99",
        "store": STORES[language], "number": "138****8000", "contact": "c***************@example-mail.com",
        "confirm": "4821",
        "item": longest(ITEMS, language, lambda v, lang: term("item", v, lang)),
        "next_step": longest(ITEMS, language, lambda v, lang: term("item", v, lang)),
        "hold": longest(list(HoldKind), language, lambda v, lang: term("hold", v, lang)),
        "state": longest(list(RequestState), language, lambda v, lang: term("state", v, lang)),
        "step": longest(list(ITEM_NODES), language, lambda v, lang: render(f"node.{v}.title", lang)),
    }
    variants = [k.removeprefix(f"sms.{moment}.") for k in MESSAGES if k.startswith(f"sms.{moment}.")]
    return [base] + [{**base, "variant": v} for v in variants]


CASES = [(m, lang) for m, lang in itertools.product(
    list(Moment), LOCALES)]


@pytest.mark.parametrize(("moment", "language"), CASES)
def test_every_message_fits_in_two_parts(moment: str, language: str) -> None:
    operator = OPERATOR if language == "zh-CN" else OPERATOR_EN
    for params in long_params(moment, language):
        text = compose(moment, language, params, operator=operator, hotline=HOTLINE, link=LINK, tz=TZ).text
        seg = segment(text)
        assert seg.parts <= 2, f"{moment}/{params.get('variant')} in {language}: {seg} {text!r}"
        if language == "en":
            assert seg.encoding == "gsm7", f"English text outside GSM-7: {text!r}"


@pytest.mark.parametrize("language", LOCALES)
def test_the_follow_up_answers_fit_in_one_part(language: str) -> None:
    for key in ("sms.follow_up_thanks", "sms.follow_up_thanks.sorry"):
        assert segment(render("sms.signed", language, operator=OPERATOR if language == "zh-CN" else OPERATOR_EN, text=render(key, language))).parts == 1


def test_a_message_is_signed_carries_the_link_and_reads_in_its_language() -> None:
    params = {"code": CODE, "withdraw_until": "2026-12-31T15:59:00+00:00", "variant": "nothing"}
    zh = compose("submitted", "zh-CN", params, operator="移动", hotline="10086", link=LINK, tz=TZ)
    assert zh.text.startswith("【移动】您的销户申请已受理，单号ABCDEFGHJKMN")
    assert "12月31日 23:59前可随时撤回" in zh.text and zh.text.endswith(LINK)
    en = compose("submitted", "en", params, operator="Mobile", hotline="10086", link=LINK, tz=TZ)
    assert en.text.startswith("[Mobile] Cancellation request ABCDEFGHJKMN received.")
    assert "until Dec 31, 23:59." in en.text
    assert en.subject == "About your cancellation ABCDEFGHJKMN"
    assert f'<a href="{LINK}">' in en.html and "<p>Hello,</p>" in en.html


@pytest.mark.parametrize(("text", "encoding", "units", "parts"), [
    ("a" * 160, "gsm7", 160, 1),
    ("a" * 161, "gsm7", 161, 2),
    ("a" * 306, "gsm7", 306, 2),
    ("a" * 307, "gsm7", 307, 3),
    ("[" * 80, "gsm7", 160, 1),  # extension characters take two septets
    ("€" * 81, "gsm7", 162, 2),
    ("中" * 70, "ucs2", 70, 1),
    ("中" * 71, "ucs2", 71, 2),
    ("中" * 134, "ucs2", 134, 2),
    ("中" * 135, "ucs2", 135, 3),
    ("a" * 69 + "中", "ucs2", 70, 1),  # one character outside GSM-7 makes the whole text UCS-2
    ("😀" * 35, "ucs2", 70, 1),  # outside the BMP: two UTF-16 units each
])
def test_parts_are_counted_by_encoding(text: str, encoding: str, units: int, parts: int) -> None:
    assert segment(text) == (s := segment(text)) and (s.encoding, s.units, s.parts) == (encoding, units, parts)


def test_the_docs_list_every_message_in_both_languages() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "notifications.md").read_text(encoding="utf-8")
    for key in (k for k in MESSAGES if k.startswith("sms.") and k != "sms.signed"):
        moment, _, variant = key.removeprefix("sms.").partition(".")
        row = f"| `{moment}`" + (f" ({variant})" if variant else "") + " |"
        assert row in doc, f"docs/notifications.md has no row for {key}"
