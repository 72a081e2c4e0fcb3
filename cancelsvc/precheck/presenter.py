"""The pre-check document, dumped by ``PrecheckSchema`` (its one definition).

``present`` dumps an outcome in one locale (no row: ``id``, ``msisdn``, the instants and
``risk`` are left out, ``risk`` reads ``None``); ``document`` dumps the stored pre-check
with its row's facts. Render a stored outcome again in another language with
``present(outcome_from_json(stored), "en")`` (``codec``). Both dump through a compiled
plan of the schema (``common.dumping``): the same output as ``PrecheckSchema().dump``,
several times faster (a pre-check is dumped on every POST).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cancelsvc.common.dumping import Dumper
from cancelsvc.precheck import wording
from cancelsvc.precheck.result import PrecheckOutcome
from cancelsvc.precheck.schemas import PrecheckSchema
from cancelsvc.texts import negotiate

#: A pre-check can be submitted for this long (domain.md §3); it binds the quoted amounts.
VALIDITY = dt.timedelta(hours=24)

_DUMPER = Dumper(PrecheckSchema())


@dataclass(frozen=True, slots=True)
class PrecheckView:
    """What ``PrecheckSchema`` dumps: the outcome's fields, and the stored row's when known."""

    outcome: PrecheckOutcome
    locale: str
    risk: dict[str, Any] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.outcome, name)


@dataclass(frozen=True, slots=True)
class StoredPrecheckView(PrecheckView):
    id: str = ""
    msisdn: str = ""
    created_at: dt.datetime = dt.datetime.min

    @property
    def expires_at(self) -> dt.datetime:
        return self.created_at + VALIDITY


def dump(view: PrecheckView) -> dict[str, Any]:
    """``view`` as the pre-check document, texts in ``view.locale``."""
    with wording.in_language(view.locale):
        return _DUMPER.dump(view)


def present(outcome: PrecheckOutcome, locale: str) -> dict[str, Any]:
    """The outcome as a pre-check document in ``locale`` ("zh-CN" or "en"; anything else is
    negotiated), without the stored row's fields."""
    return dump(PrecheckView(outcome, negotiate(locale)))
