"""present(): the stored document; codec: outcome JSON round trip and re-rendering."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from cancelsvc.precheck.codec import outcome_from_json, outcome_to_json
from cancelsvc.precheck.presenter import present

LATER = dt.date(2026, 12, 5)


def test_sample_document_in_chinese(run, sample):
    doc = present(run(sample), "zh-CN")
    assert {
        k: doc[k]
        for k in ("account_id", "channel", "effective_date", "result", "eligible_now", "can_submit", "risk", "locale")
    } == {
        "account_id": 1,
        "channel": "app",
        "effective_date": "2026-11-23",
        "result": "yellow",
        "eligible_now": False,
        "can_submit": True,
        "risk": None,
        "locale": "zh-CN",
    }
    first = doc["findings"][0]
    assert first["amount"] == {"amount": "62.55", "currency": "CNY"}
    assert first["est_working_days"] == {"min": 1, "max": 4}
    assert first["calculation"] == {
        "kind": "handset_subsidy",
        "remaining_days": 38,
        "total_days": 729,
        "remaining_months": 2,
        "rate": None,
        "monthly_commitment": {"amount": "99.00", "currency": "CNY"},
        "subsidy_amount": {"amount": "1200.00", "currency": "CNY"},
        "cap": {"amount": "198.00", "currency": "CNY"},
        "cap_applied": False,
    }
    assert first["remedies"][1] == {
        "code": "fee.schedule_at_end",
        "label": "改在 2026年12月31日 合约到期时销户，无需支付",
        "self_service": True,
    }
    assert doc["findings"][1]["calculation"]["rate"] == "0.30"
    waived = next(f for f in doc["findings"] if f["code"] == "contract.waived")
    assert waived["amount"] == {"amount": "0.00", "currency": "CNY"}
    assert "¥200.00 已全额免除" in waived["detail"]
    assert doc["eta"] == {"earliest": "2026-11-30", "latest": "2026-12-02"}
    schedule = doc["alternatives"][0]
    assert schedule["code"] == "schedule_at_contract_end"
    assert schedule["effective_date"] == "2027-05-31"
    assert schedule["saving"] == {"amount": "331.35", "currency": "CNY"}
    assert schedule["title"] == "在 2027年5月31日 合约到期时销户，节省 ¥331.35"
    device = next(i for i in doc["checklist"] if i["code"] == "device.return")
    assert device["title"] == "归还租用的路由器（ONT-123）"
    assert "¥300.00" in device["detail"]
    assert device["key"] == "device.return:ONT-123"


def test_document_is_plain_json(run, rich):
    doc = present(run(rich, effective_date=LATER), "en")
    assert json.loads(json.dumps(doc)) == doc
    assert doc["eta"] is None and doc["alternatives"] == []


def test_locale_is_negotiated(run, sample):
    assert present(run(sample), "en-GB,en;q=0.9")["locale"] == "en"
    assert present(run(sample), "de")["locale"] == "zh-CN"


@pytest.mark.parametrize("fixture", ["sample", "rich"])
def test_outcome_json_round_trip(request, run, fixture):
    outcome = run(request.getfixturevalue(fixture), effective_date=LATER)
    stored = json.loads(json.dumps(outcome_to_json(outcome)))
    restored = outcome_from_json(stored)
    assert restored == outcome
    amounts = [f.amount for f in restored.findings if f.amount is not None]
    assert amounts and all(isinstance(a, Decimal) for a in amounts)
    # Re-rendering the stored outcome in another language gives what a fresh render gives.
    assert present(restored, "en") == present(outcome, "en")
    assert present(restored, "zh-CN") != present(restored, "en")


def test_outcome_json_version_is_checked(run, sample):
    stored = outcome_to_json(run(sample))
    with pytest.raises(ValueError, match="version"):
        outcome_from_json({**stored, "version": 99})


def test_stored_amounts_are_exact_strings(run, sample):
    stored = outcome_to_json(run(sample))
    assert stored["findings"][0]["amount"] == {"$dec": "62.55"}
    assert stored["effective_date"] == {"$date": "2026-11-23"}


@pytest.mark.parametrize("fixture", ["sample", "rich"])
def test_texts_kept_from_one_document_to_the_next_read_the_same(request, run, fixture, monkeypatch):
    from cancelsvc.precheck import wording

    outcome = run(request.getfixturevalue(fixture))
    monkeypatch.setattr(wording, "_RENDERED", {})
    fresh = {locale: present(outcome, locale) for locale in ("zh-CN", "en")}
    rendered = []
    monkeypatch.setattr(wording, "render", lambda *args, **kwargs: rendered.append(args) or "")
    assert {locale: present(outcome, locale) for locale in ("zh-CN", "en")} == fresh
    assert rendered == []  # every text came from what the first documents rendered


def test_kept_texts_are_emptied_when_full(run, sample, monkeypatch):
    from cancelsvc.precheck import wording

    monkeypatch.setattr(wording, "_RENDERED", {})
    monkeypatch.setattr(wording, "LIMIT", 5)
    doc = present(run(sample), "en")
    assert 0 < len(wording._RENDERED) <= 5
    assert present(run(sample), "en") == doc
