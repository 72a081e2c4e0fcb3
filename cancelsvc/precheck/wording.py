"""The texts of a pre-check document, in the language it is being dumped in.

``PrecheckSchema``'s text fields (titles, details, remedy labels) are computed from the
outcome's codes and parameters while ``in_language(locale)`` is active. A text depends on
nothing else (the catalogs do not change while the process runs), and the same texts recur
from one pre-check to the next (the same router, fee or membership; a checklist item made
from a finding reads exactly like it), so each is rendered once per process and kept
(``_RENDERED``, emptied when full). Parameters are compared by equality, as the money
formatting's own cache compares them (an amount is rendered to the cent, whatever its
exponent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from cancelsvc.precheck.result import Alternative, ChecklistItem, Finding, Param, Remedy
from cancelsvc.texts import DEFAULT, render

#: (kind, locale, code, …parameters) -> the texts rendered for it.
_RENDERED: dict[tuple[Any, ...], tuple[str, str]] = {}
#: Texts kept at most (a few hundred bytes each).
LIMIT = 20_000


def _kept(key: tuple[Any, ...], make: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    found = _RENDERED.get(key)
    if found is None:
        found = make()
        if len(_RENDERED) >= LIMIT:
            _RENDERED.clear()
        _RENDERED[key] = found
    return found


class _Texts:
    """Title and detail of findings and checklist items in one locale."""

    __slots__ = ("loc", "_last")

    def __init__(self, loc: str) -> None:
        self.loc = loc
        # The subject asked last and its texts (its detail is asked right after its title).
        self._last: tuple[Finding | ChecklistItem | None, tuple[str, str]] = (None, ("", ""))

    def __call__(self, subject: Finding | ChecklistItem) -> tuple[str, str]:
        last, texts = self._last
        if last is not subject:
            key = ("item", self.loc, subject.code, subject.variant, subject.amount, subject.refs,
                   tuple(subject.params.items()))
            texts = _kept(key, lambda: _item_texts(subject, self.loc))
            self._last = (subject, texts)
        return texts


def _item_texts(subject: Finding | ChecklistItem, loc: str) -> tuple[str, str]:
    params = _text_params(subject)
    detail = f"{subject.code}.detail" + (f".{subject.variant}" if subject.variant else "")
    return render(f"{subject.code}.title", loc, **params), render(detail, loc, **params)


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
    loc = _texts().loc
    key = ("remedy", loc, remedy.code, tuple(remedy.params.items()))
    return _kept(key, lambda: (render(f"remedy.{remedy.code}", loc, **remedy.params), ""))[0]


def _alternative_texts(a: Alternative) -> tuple[str, str]:
    loc = _texts().loc
    key = ("alternative", loc, a.code, a.effective_date, a.saving, a.monthly_fee, tuple(a.params.items()))

    def make() -> tuple[str, str]:
        params = {**a.params, "effective_date": a.effective_date, "saving": a.saving, "monthly_fee": a.monthly_fee}
        return (render(f"alternative.{a.code}.title", loc, **params),
                render(f"alternative.{a.code}.detail", loc, **params))

    return _kept(key, make)


def alternative_title(a: Alternative) -> str:
    return _alternative_texts(a)[0]


def alternative_detail(a: Alternative) -> str:
    return _alternative_texts(a)[1]
