"""The texts of a pre-check document, in the language it is being dumped in.

``PrecheckSchema``'s text fields (titles, details, remedy labels) are computed from the
outcome's codes and parameters while ``in_language(locale)`` is active; a checklist item
made from a finding reads exactly like it, so each text is rendered once per document.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from cancelsvc.precheck.result import Alternative, ChecklistItem, Finding, Param, Remedy
from cancelsvc.texts import DEFAULT, render


class _Texts:
    """Title and detail of findings and checklist items in one locale, rendered once each."""

    __slots__ = ("loc", "_done")

    def __init__(self, loc: str) -> None:
        self.loc = loc
        self._done: dict[tuple[Any, ...], tuple[str, str]] = {}

    def __call__(self, subject: Finding | ChecklistItem) -> tuple[str, str]:
        key = (subject.code, subject.variant, subject.amount, subject.refs, frozenset(subject.params.items()))
        found = self._done.get(key)
        if found is None:
            params = _text_params(subject)
            detail = f"{subject.code}.detail" + (f".{subject.variant}" if subject.variant else "")
            found = self._done[key] = (
                render(f"{subject.code}.title", self.loc, **params),
                render(detail, self.loc, **params),
            )
        return found


_CURRENT: ContextVar[_Texts | None] = ContextVar("precheck_texts", default=None)


def _texts() -> _Texts:
    texts = _CURRENT.get()
    if texts is None:  # dumped outside ``in_language``: the default language
        texts = _Texts(DEFAULT)
        _CURRENT.set(texts)
    return texts


@contextmanager
def in_language(loc: str) -> Iterator[None]:
    """Texts computed inside are in ``loc`` ("zh-CN" or "en")."""
    token = _CURRENT.set(_Texts(loc))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def _text_params(subject: Finding | ChecklistItem) -> dict[str, Param]:
    """What the texts of a finding or checklist item can use: its params plus
    ``amount``, ``ref`` (the first ref) and ``est_min``/``est_max``."""
    params: dict[str, Any] = dict(subject.params)
    params["amount"] = subject.amount
    params["ref"] = subject.refs[0] if subject.refs else ""
    if subject.est_working_days is not None:
        params["est_min"], params["est_max"] = subject.est_working_days
    return params


def title(subject: Finding | ChecklistItem) -> str:
    return _texts()(subject)[0]


def detail(subject: Finding | ChecklistItem) -> str:
    return _texts()(subject)[1]


def remedy_label(remedy: Remedy) -> str:
    return render(f"remedy.{remedy.code}", _texts().loc, **remedy.params)


def _alternative_params(a: Alternative) -> dict[str, Any]:
    return {**a.params, "effective_date": a.effective_date, "saving": a.saving, "monthly_fee": a.monthly_fee}


def alternative_title(a: Alternative) -> str:
    return render(f"alternative.{a.code}.title", _texts().loc, **_alternative_params(a))


def alternative_detail(a: Alternative) -> str:
    return render(f"alternative.{a.code}.detail", _texts().loc, **_alternative_params(a))
