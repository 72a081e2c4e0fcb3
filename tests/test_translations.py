"""The gettext catalogs: complete, consistent with the code, and used for every text."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from cancelsvc.texts import CATALOG_NAMES, TRANSLATIONS_DIR
from cancelsvc.texts.validation import MARSHMALLOW_MESSAGES, translate_message

ROOT = Path(__file__).resolve().parent.parent
#: The keywords ``make translations`` extracts with (see the Makefile).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "NP_": ((1, "c"), 2),
            "NPN_": ((1, "c"), 2, 3), "_l": None, "lazy_gettext": None}
_PERCENT = re.compile(r"%\((\w+)\)s")


def catalog(locale: str) -> Catalog:
    with (TRANSLATIONS_DIR / CATALOG_NAMES[locale] / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=CATALOG_NAMES[locale])


def entries(cat: Catalog) -> list[Message]:
    return [m for m in cat if m.id]


def forms(value: Any) -> list[str]:
    return list(value) if isinstance(value, (tuple, list)) else [value]


def placeholders(text: str) -> set[str]:
    """``%(name)s`` and ``{name}`` placeholders (``{{`` is a literal brace)."""
    names = set(_PERCENT.findall(text))
    try:
        names |= {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        pass
    return names


@pytest.mark.parametrize("locale", sorted(CATALOG_NAMES))
def test_every_msgid_has_a_translation(locale):
    missing = [(m.context, m.id) for m in entries(catalog(locale)) if not all(forms(m.string))]
    assert missing == []


def test_both_catalogs_have_the_same_msgids():
    def ids(locale: str) -> set[tuple[Any, Any]]:
        return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in entries(catalog(locale))}

    assert ids("zh-CN") == ids("en")


@pytest.mark.parametrize("locale", sorted(CATALOG_NAMES))
def test_placeholders_are_the_same_in_msgid_and_msgstr(locale):
    wrong = []
    for m in entries(catalog(locale)):
        expected = set().union(*(placeholders(text) for text in forms(m.id)))
        for text in forms(m.string):
            if placeholders(text) != expected:
                wrong.append((m.context, forms(m.id)[0], text))
    assert wrong == []


def test_the_chinese_catalog_translates_every_text():
    """Only codes and formats may read the same in Chinese as in English."""
    same = [m.id for m in entries(catalog("zh-CN")) if forms(m.string) == forms(m.id)]
    assert same == []


#: ASCII punctuation touching a Chinese character (after placeholders and links are set aside).
_ASCII_BESIDE_CHINESE = re.compile(r"[\u4e00-\u9fff][?:;!(),]|[?:;!(,]\s*[\u4e00-\u9fff]|\)[\u4e00-\u9fff]")


def test_chinese_texts_use_full_width_punctuation():
    """？：（） and friends in Chinese, so a page never mixes "改变主意了?" with "改变主意了？"."""
    wrong = []
    for m in entries(catalog("zh-CN")):
        for text in forms(m.string):
            bare = re.sub(r"https?://\S+", "", _PERCENT.sub("X", text))
            if _ASCII_BESIDE_CHINESE.search(bare):
                wrong.append(text)
    assert wrong == []


def test_the_catalogs_hold_exactly_the_texts_the_code_marks():
    """``make translations`` was run after the last change of a text in code or templates."""
    mapping = [("cancelsvc/**.py", "python"), ("cancelsvc/**/templates/**.html", "jinja2")]
    found = set()
    for _, _, message, _, context in extract_from_dir(str(ROOT), mapping, keywords=KEYWORDS,
                                                      comment_tags=(), strip_comment_tags=True):
        found.add((context, message if isinstance(message, str) else tuple(message)))
    for locale in CATALOG_NAMES:
        ids = {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in entries(catalog(locale))}
        assert ids == found, (locale, sorted(ids ^ found, key=str)[:10])


def test_marshmallow_messages_cover_what_marshmallow_says():
    """Every built-in message of the fields and validators we use has a translation."""
    from marshmallow import Schema, fields, validate

    used = {
        fields.Field, fields.String, fields.Integer, fields.Float, fields.Decimal, fields.Boolean, fields.Date,
        fields.DateTime, fields.AwareDateTime, fields.List, fields.Dict, fields.Nested, fields.Email,
    }
    messages = {m for cls in used for m in getattr(cls, "default_error_messages", {}).values()}
    messages |= set(Schema._default_error_messages.values())
    messages |= {validate.Length.message_min, validate.Length.message_max, validate.Length.message_all,
                 validate.Length.message_equal, validate.OneOf.default_message, validate.Regexp.default_message,
                 validate.Equal.default_message}
    templates = {m.replace("{obj_type}", "datetime").replace("{awareness}", "aware") for m in messages}
    # "cannot be formatted" is said only when dumping a response, never in a problem.
    templates = {t for t in templates if "cannot be formatted" not in t}
    assert templates - set(MARSHMALLOW_MESSAGES) == set()


@pytest.mark.parametrize(
    ("message", "zh"),
    [
        ("Missing data for required field.", "请填写这一项。"),
        ("Unknown field.", "请删除这个未定义的字段。"),
        ("Longer than maximum length 36.", "请不要超过 36 个字符。"),
        ("Must be one of: app, web.", "请填写以下之一：app, web。"),
        ("Must be greater than or equal to 1 and less than or equal to 5.", "请填写 1 到 5 之间（含）的值。"),
        ("Must be greater than or equal to 1.", "请填写大于或等于 1 的值。"),
        ('Enter money as an object like {"amount": "12.34", "currency": "CNY"}.',
         '请按 {"amount": "12.34", "currency": "CNY"} 的格式填写金额。'),
        ("Choose today (2026-11-23) or a later date.", "请选择今天（2026-11-23）或之后的日期。"),
        ("+86 12345 is not a mobile number; enter one such as 13800138000 or +8613800138000.",
         "+86 12345 不是手机号码，请按 13800138000 或 +8613800138000 的格式填写。"),
        ("Give a phone number, an e-mail address or both.", "请留一个手机号、一个电子邮箱，或两者都留。"),
        ("Say whether the customer is satisfied.", "请选择客户是否满意。"),
        ("Something nobody translated.", "Something nobody translated."),
    ],
)
def test_validation_messages_are_translated(message, zh):
    assert translate_message(message, "zh-CN") == zh
    assert translate_message(message, "en") == message


@pytest.mark.parametrize(("lang", "title", "message"), [
    (None, "请检查以下填写内容", "请填写这一项。"),
    ("zh-CN", "请检查以下填写内容", "请填写这一项。"),
    ("en", "Please check the following fields", "Missing data for required field."),
])
def test_a_validation_problem_speaks_the_response_language(client: FlaskClient, api_key, lang, title, message):
    headers = {"Authorization": f"Bearer {api_key('precheck')}", **({"Accept-Language": lang} if lang else {})}
    response = client.post("/api/v1/prechecks", json={"channel": "app", "effective_date": "soon"}, headers=headers)
    body = response.get_json()
    assert response.status_code == 422 and response.headers["Content-Language"] == (lang or "zh-CN")
    assert body["title"] == title
    assert body["errors"]["account"] == [message]
    expected = "请填写 \"asap\" 或 YYYY-MM-DD 格式的日期。" if lang != "en" else 'Enter "asap" or a date as YYYY-MM-DD.'
    assert body["errors"]["effective_date"] == [expected]


@pytest.mark.parametrize(("lang", "html_lang", "title"), [
    (None, "zh-CN", "销户服务台"), ("zh-TW", "zh-CN", "销户服务台"), ("en-GB", "en", "Cancellation desk"),
])
def test_console_pages_follow_the_negotiated_language(client: FlaskClient, lang, html_lang, title):
    page = client.get("/console/login", headers={"Accept-Language": lang} if lang else {}).get_data(as_text=True)
    assert f'<html lang="{html_lang}">' in page
    assert f"<h1>{title}</h1>" in page


#: Used only by operator commands (``flask keys``, ``flask users``, ``flask data import``), which
#: answer in English like every command.
_COMMAND_ONLY = ("cancelsvc/auth/keys.py", "cancelsvc/auth/sessions.py", "cancelsvc/imports/")


def _unmarked_messages(path: Path) -> list[str]:
    """Messages raised as a plain or formatted string literal rather than a marked msgid."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        said: list[ast.expr] = []
        if node.func.id == "ValidationError" and node.args:
            said.append(node.args[0])
        for keyword in node.keywords:
            if node.func.id == "Unprocessable" and keyword.arg == "errors" and isinstance(keyword.value, ast.Dict):
                said += [e for v in keyword.value.values if isinstance(v, ast.List) for e in v.elts]
        found += [f"{path.relative_to(ROOT)}:{e.lineno}" for e in said
                  if isinstance(e, ast.JoinedStr) or (isinstance(e, ast.Constant) and isinstance(e.value, str))]
    return found


def test_every_validation_message_the_code_raises_is_a_msgid():
    """A message written as a bare string would reach a zh-CN caller in English."""
    unmarked = [where for path in sorted((ROOT / "cancelsvc").rglob("*.py"))
                if not str(path.relative_to(ROOT)).startswith(_COMMAND_ONLY) for where in _unmarked_messages(path)]
    assert unmarked == []


@pytest.mark.parametrize(("contact", "zh", "en"), [
    ({}, "请留一个手机号、一个电子邮箱，或两者都留。", "Give a phone number, an e-mail address or both."),
    ({"phone": "12345"}, "12345 不是手机号码，请按 13800138000 或 +8613800138000 的格式填写。",
     "12345 is not a mobile number; enter one such as 13800138000 or +8613800138000."),
])
def test_a_contact_problem_speaks_the_response_language(client: FlaskClient, api_key, contact, zh, en):
    headers = {"Authorization": f"Bearer {api_key('cancellations:write')}", "Idempotency-Key": "contact-language"}
    body = {"precheck_id": "missing", "contact": contact}
    for lang, message in (("zh-CN", zh), ("en", en)):
        response = client.post("/api/v1/cancellations", json=body, headers={**headers, "Accept-Language": lang})
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["errors"]["contact.phone"] == [message], response.get_json()
