"""Turn a ``PrecheckOutcome`` into the JSON document the API stores and serves.

``present`` renders every text in one locale; render the same outcome again in another
language with ``present(outcome_from_json(stored), "en")`` (``codec``). The caller adds
``id``, ``msisdn``, ``created_at`` and ``expires_at``, and ``risk`` when a model is
installed (it is ``None`` here).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from cancelsvc.common.money import money_json
from cancelsvc.precheck.result import Alternative, ChecklistItem, Finding, Param, PrecheckOutcome
from cancelsvc.texts import negotiate, render

_CALCULATION_MONEY = frozenset({"subsidy_amount", "cap"})


def present(outcome: PrecheckOutcome, locale: str) -> dict[str, Any]:
    """The pre-check document in ``locale`` ("zh-CN" or "en"; anything else is negotiated)."""
    loc = negotiate(locale)
    texts = _Texts(loc)
    return {
        "account_id": outcome.account_id,
        "channel": outcome.channel,
        "effective_date": outcome.effective_date.isoformat(),
        "result": outcome.result,
        "eligible_now": outcome.eligible_now,
        "can_submit": outcome.can_submit,
        "findings": [_finding(f, texts) for f in outcome.findings],
        "checklist": [_item(i, texts) for i in outcome.checklist],
        "alternatives": [_alternative(a, loc) for a in outcome.alternatives],
        "eta": None
        if outcome.eta is None
        else {"earliest": outcome.eta.earliest.isoformat(), "latest": outcome.eta.latest.isoformat()},
        "risk": None,
        "locale": loc,
    }


def _text_params(subject: Finding | ChecklistItem) -> dict[str, Param]:
    """What the texts of a finding or checklist item can use: its params plus
    ``amount``, ``ref`` (the first ref) and ``est_min``/``est_max``."""
    params: dict[str, Any] = dict(subject.params)
    params["amount"] = subject.amount
    params["ref"] = subject.refs[0] if subject.refs else ""
    if subject.est_working_days is not None:
        params["est_min"], params["est_max"] = subject.est_working_days
    return params


class _Texts:
    """Title and detail of findings and checklist items in one locale.

    A checklist item made from a finding reads exactly like it, so each text is
    rendered once per document.
    """

    __slots__ = ("loc", "_done")

    def __init__(self, loc: str) -> None:
        self.loc = loc
        self._done: dict[tuple[Any, ...], tuple[str, str]] = {}

    def __call__(self, subject: Finding | ChecklistItem) -> tuple[str, str]:
        key = (subject.code, subject.variant, subject.amount, subject.refs, frozenset(subject.params.items()))
        if key not in self._done:
            params = _text_params(subject)
            detail = f"{subject.code}.detail" + (f".{subject.variant}" if subject.variant else "")
            self._done[key] = (
                render(f"{subject.code}.title", self.loc, **params),
                render(detail, self.loc, **params),
            )
        return self._done[key]


def _money(amount: Decimal | None) -> dict[str, str] | None:
    return None if amount is None else money_json(amount)


def _range(est: tuple[int, int] | None) -> dict[str, int] | None:
    return None if est is None else {"min": est[0], "max": est[1]}


def _calculation(calc: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if calc is None:
        return None
    out: dict[str, Any] = {}
    for key, value in calc.items():
        if value is not None and key in _CALCULATION_MONEY:
            value = money_json(value)
        elif isinstance(value, Decimal):
            value = format(value, "f")
        out[key] = value
    return out


def _finding(f: Finding, texts: _Texts) -> dict[str, Any]:
    title, detail = texts(f)
    return {
        "code": f.code,
        "severity": f.severity,
        "title": title,
        "detail": detail,
        "amount": _money(f.amount),
        "refs": list(f.refs),
        "remedies": [
            {"code": r.code, "label": render(f"remedy.{r.code}", texts.loc, **r.params), "self_service": r.self_service}
            for r in f.remedies
        ],
        "est_working_days": _range(f.est_working_days),
        "calculation": _calculation(f.calculation),
    }


def _item(i: ChecklistItem, texts: _Texts) -> dict[str, Any]:
    title, detail = texts(i)
    return {
        "key": i.key,
        "code": i.code,
        "title": title,
        "detail": detail,
        "owner": i.owner,
        "amount": _money(i.amount),
        "est_working_days": _range(i.est_working_days),
        "status": i.status,
        "self_service": i.self_service,
        "required": i.required,
        "refs": list(i.refs),
    }


def _alternative(a: Alternative, loc: str) -> dict[str, Any]:
    params = {**a.params, "effective_date": a.effective_date, "saving": a.saving, "monthly_fee": a.monthly_fee}
    return {
        "code": a.code,
        "title": render(f"alternative.{a.code}.title", loc, **params),
        "detail": render(f"alternative.{a.code}.detail", loc, **params),
        "effective_date": None if a.effective_date is None else a.effective_date.isoformat(),
        "saving": _money(a.saving),
        "monthly_fee": _money(a.monthly_fee),
        "refs": list(a.refs),
    }
