"""Kept public documents: served again only while exact."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cancelsvc.requests.kept import KEEP_SECONDS, KeptDocuments, valid_until

NOW = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)


def _doc(**instants: dt.datetime | None) -> dict[str, Any]:
    def iso(at: dt.datetime | None) -> str | None:
        return at.isoformat() if at else None

    return {"withdraw_until": iso(instants.get("withdraw_until")),
            "nodes": [{"expected_at": iso(instants.get("expected_at")), "due_at": iso(instants.get("due_at"))}]}


def test_a_document_is_exact_until_the_first_instant_ahead_it_names() -> None:
    soon = NOW + dt.timedelta(seconds=4)
    assert valid_until(_doc(withdraw_until=soon), NOW) == soon
    assert valid_until(_doc(due_at=soon, expected_at=NOW + dt.timedelta(seconds=9)), NOW) == soon
    past, far = NOW - dt.timedelta(hours=1), NOW + dt.timedelta(days=2)
    assert valid_until(_doc(withdraw_until=past, expected_at=far), NOW) == NOW + dt.timedelta(seconds=KEEP_SECONDS)


def test_kept_while_exact_rebuilt_otherwise() -> None:
    kept, built = KeptDocuments(), []

    def build(now: dt.datetime) -> dict[str, Any]:
        built.append(now)
        return _doc(due_at=NOW + dt.timedelta(seconds=10))

    key = ("request", 1, "zh-CN", "+86 138****8000")
    first = kept.get(key, NOW, build)
    assert kept.get(key, NOW + dt.timedelta(seconds=9), build) is first
    kept.get(key, NOW + dt.timedelta(seconds=10), build)  # the due time came: a step may now be late
    kept.get(("request", 2, "zh-CN", "+86 138****8000"), NOW + dt.timedelta(seconds=10), build)  # a new version
    kept.get(key, NOW - dt.timedelta(seconds=1), build)  # a clock set back
    assert built == [NOW, NOW + dt.timedelta(seconds=10), NOW + dt.timedelta(seconds=10), NOW - dt.timedelta(seconds=1)]
