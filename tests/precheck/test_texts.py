"""Customer texts: complete in both languages, every placeholder provided, a positive tone."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from cancelsvc import texts
from cancelsvc.precheck.checklist import PROCEDURAL_CODES
from cancelsvc.precheck.fees import KINDS
from cancelsvc.precheck.presenter import present
from cancelsvc.precheck.rules import CODES, REMEDIES
from cancelsvc.requests.textkeys import PROGRESS_TEXT_KEYS
from cancelsvc.texts import format_day, format_money, negotiate, placeholders, render, translations
from cancelsvc.texts.marks import Plural
from cancelsvc.texts.messages import MESSAGES
from ml import FEATURES

ALTERNATIVES = ("schedule_at_contract_end", "pause_number", "downgrade_plan")
LATER = dt.date(2026, 12, 5)  # after the sample's video service renews (12-01)


def required_keys() -> set[str]:
    keys = set()
    for code, spec in CODES.items():
        keys.add(f"{code}.title")
        keys.update(f"{code}.detail" if v is None else f"{code}.detail.{v}" for v in spec.variants)
    for code in PROCEDURAL_CODES:
        keys.update({f"{code}.title", f"{code}.detail"})
    keys.update(f"remedy.{code}" for code in REMEDIES)
    for code in ALTERNATIVES:
        keys.update({f"alternative.{code}.title", f"alternative.{code}.detail"})
    keys.update(f"term.contract.{kind}" for kind in KINDS)
    keys.update({"term.device.other", "term.contract.other", "term.waiver.other"})
    keys.update(PROGRESS_TEXT_KEYS)
    keys.update(f"risk.{name}" for name in FEATURES)
    # Messages to customers (cancelsvc.notifications): their own test renders each one.
    keys.update(k for k in MESSAGES if k.startswith(("sms.", "mail.")))
    return keys


def templates(key, locale):
    """Every wording of the text ``key`` in ``locale`` (both forms of a text with a count)."""
    entry, catalog = MESSAGES[key], translations(locale)
    if isinstance(entry, Plural):
        return [catalog.unpgettext(key, entry.singular, entry.plural, n) for n in (1, 2)]
    return [catalog.upgettext(key, entry)]


def test_every_code_remedy_alternative_and_item_has_a_text():
    missing = required_keys() - set(MESSAGES)
    assert not missing, sorted(missing)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_text_is_translated(locale):
    for key, entry in MESSAGES.items():
        source = [entry.singular, entry.plural] if isinstance(entry, Plural) else [entry]
        for text in templates(key, locale):
            assert text.strip(), (locale, key)
            assert locale == "en" or text not in source, (locale, key)


def test_no_unused_texts():
    unused = set(MESSAGES) - required_keys()
    assert {k for k in unused if not k.startswith("term.")} == set()


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_placeholders_match_across_languages(key):
    names = {frozenset(placeholders(t)) for locale in ("zh-CN", "en") for t in templates(key, locale)}
    assert len(names) == 1, key
    assert all(re.fullmatch(r"[a-z_]+", name) for name in next(iter(names)))


def coverage_outcomes(run, account, sample, rich):
    """Outcomes that, together, use every finding code, variant, remedy, item and alternative."""
    return [
        run(rich, effective_date=LATER),
        run(rich, channel="counter", effective_date=LATER),
        run(account(status="cancelled", family_role="member", prepaid_credit=Decimal("9.00"))),
        run(account(bills=[{}])),
        run(sample),
        run(
            account(plan_monthly_fee=Decimal("99.00"), contracts=[{"kind": "fixed_term", "fixed_penalty": Decimal(50)}])
        ),
    ]


def test_coverage_outcomes_exercise_every_text(run, account, sample, rich):
    used = set()
    for outcome in coverage_outcomes(run, account, sample, rich):
        for f in outcome.findings:
            used.add((f.code, f.variant))
            used.update(("remedy", r.code) for r in f.remedies)
        used.update((i.code, i.variant) for i in outcome.checklist)
        used.update(("alternative", a.code) for a in outcome.alternatives)
    expected = {(code, v) for code, spec in CODES.items() for v in spec.variants}
    expected |= {(code, None) for code in PROCEDURAL_CODES}
    expected |= {("remedy", code) for code in REMEDIES}
    expected |= {("alternative", code) for code in ALTERNATIVES}
    assert expected - used == set()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_template_gets_its_placeholders(run, account, sample, rich, locale):
    for outcome in coverage_outcomes(run, account, sample, rich):
        doc = present(outcome, locale)  # render raises KeyError on a missing parameter
        for text in _texts_of(doc):
            assert text and "{" not in text and "}" not in text, text
            assert "None" not in text, text


def _texts_of(doc):
    for f in doc["findings"]:
        yield f["title"]
        yield f["detail"]
        yield from (r["label"] for r in f["remedies"])
    for i in doc["checklist"]:
        yield i["title"]
        yield i["detail"]
    for a in doc["alternatives"]:
        yield a["title"]
        yield a["detail"]


ZH_REFUSALS = ("无法", "不能", "不可以", "不允许", "不予", "禁止", "拒绝", "违约金", "罚款", "罚金")
EN_REFUSALS = re.compile(
    r"\b(cannot|can't|can not|unable|not allowed|not possible|impossible|penalt\w*|refuse\w*|denied|forbidden|"
    r"must not)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_tone_no_bare_refusals(key):
    for zh in templates(key, "zh-CN"):
        assert not [w for w in ZH_REFUSALS if w in zh], zh
    for en in templates(key, "en"):
        assert not EN_REFUSALS.search(en), en


def test_fee_detail_walks_through_the_calculation(run, sample):
    outcome = run(sample)
    zh = present(outcome, "zh-CN")["findings"][0]
    en = present(outcome, "en")["findings"][0]
    assert zh["title"] == "合约 K-1 的提前解约支持金：¥62.55"
    assert "¥1,200.00 × 38 ÷ 729 = ¥62.55" in zh["detail"]
    assert "共 729 天，还剩 38 天" in zh["detail"]
    assert "2026年12月31日" in zh["detail"]
    assert "CN¥1,200.00 × 38 ÷ 729 = CN¥62.55" in en["detail"]
    assert "December 31, 2026" in en["detail"]
    plan_zh = present(outcome, "zh-CN")["findings"][1]["detail"]
    assert "还剩 7 个月" in plan_zh and "¥128.00 × 7 个月 × 30%" in plan_zh and "¥268.80" in plan_zh


@pytest.mark.parametrize(
    ("amount", "locale", "expected"),
    [
        (Decimal("300"), "zh-CN", "¥300.00"),
        (Decimal("1300.5"), "zh-CN", "¥1,300.50"),
        (Decimal("0.005"), "zh-CN", "¥0.01"),  # half-up
        (Decimal("300"), "en", "CN¥300.00"),
        (Decimal("1300.5"), "en", "CN¥1,300.50"),
    ],
)
def test_money_format(amount, locale, expected):
    assert format_money(amount, locale) == expected


@pytest.mark.parametrize(("locale", "expected"), [("zh-CN", "2026年11月23日"), ("en", "November 23, 2026")])
def test_date_format(locale, expected):
    assert format_day(dt.date(2026, 11, 23), locale) == expected


def test_render_formats_parameters_for_the_locale():
    kw = {"device": "router", "serial": "ONT-1", "amount": Decimal("300"), "est_min": 5, "est_max": 7}
    assert render("device.return.title", "zh-CN", **kw) == "归还租用的路由器（ONT-1）"
    assert render("device.return.title", "en", **kw) == "Return the rented router (ONT-1)"
    assert "¥300.00" in render("device.return.detail", "zh-CN", **kw)
    assert "CN¥300.00" in render("device.return.detail", "en-US", **kw)
    # Unknown enumeration values fall back to the group's generic word.
    assert render("device.return.title", "en", **{**kw, "device": "hologram"}) == "Return the rented device (ONT-1)"
    periods = {"periods": ("2026-09", "2026-10")}
    assert render("balance.disputed.detail", "zh-CN", **periods).startswith("2026-09、2026-10 的账单")
    assert "2026-09, 2026-10" in render("balance.disputed.detail", "en", **periods)


def test_render_names_a_missing_parameter():
    with pytest.raises(KeyError, match="serial"):
        render("device.return.title", "en", device="router")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "zh-CN"),
        ("", "zh-CN"),
        ("zh-CN", "zh-CN"),
        ("en", "en"),
        ("EN", "en"),
        ("en_US", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-TW", "zh-CN"),
        ("zh-Hans-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("fr-FR, en;q=0.5", "en"),
        ("fr", "zh-CN"),
        ("en;q=0, zh;q=0.1", "zh-CN"),
        ("en;q=0.8, zh-CN;q=0.9", "zh-CN"),
        ("en;q=oops", "zh-CN"),
        ("zh-HK, en;q=0.9", "zh-CN"),
        ("zh-Hans-CN, en;q=0.8", "zh-CN"),
        ("zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7", "zh-CN"),
        ("en-GB,zh;q=0.5", "en"),
        ("en;q=0.5, zh-CN;q=0.5", "en"),
        ("de,*;q=0.5", "zh-CN"),
        ("*", "zh-CN"),
    ],
)
def test_negotiate(value, expected):
    assert negotiate(value) == expected


def test_texts_module_exposes_locales():
    assert texts.LOCALES == ("zh-CN", "en") and texts.DEFAULT == "zh-CN"
