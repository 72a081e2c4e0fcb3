"""Quiet hours and the daily limit's day, in the customer's timezone."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cancelsvc.notifications.policy import QuietHours, after_limit, allowed_at, local_day_bounds

QUIET = QuietHours.parse("21:00-08:00")
SH = "Asia/Shanghai"  # UTC+8


def utc(h: int, m: int = 0, day: int = 1) -> dt.datetime:
    return dt.datetime(2026, 12, day, h, m, tzinfo=dt.UTC)


@pytest.mark.parametrize(("at", "expected"), [
    (utc(2), utc(2)),  # 10:00 local: at once
    (utc(12, 59), utc(12, 59)),  # 20:59 local
    (utc(13), utc(0, day=2)),  # 21:00 local: quiet, waits for 08:00 next day
    (utc(15, 30), utc(0, day=2)),  # 23:30 local
    (utc(18), utc(0, day=2)),  # 02:00 local, next day already: same morning
    (utc(23, 59), utc(0, day=2)),  # 07:59 local
    (utc(0, day=2), utc(0, day=2)),  # 08:00 local: the quiet period has ended
])
def test_quiet_hours_wait_for_their_end_in_the_customers_timezone(at: dt.datetime, expected: dt.datetime) -> None:
    assert allowed_at(at, SH, QUIET) == expected


def test_quiet_hours_inside_one_day_and_none() -> None:
    lunch = QuietHours.parse("12:00-14:00")
    assert allowed_at(utc(4, 30), SH, lunch) == utc(6)  # 12:30 local → 14:00
    assert allowed_at(utc(15), SH, None) == utc(15)
    assert QuietHours.parse("") is None


@given(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1), timezones=st.just(dt.UTC)),
       st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"]))
def test_the_allowed_instant_is_never_earlier_never_quiet_and_within_a_night(at: dt.datetime, tz: str) -> None:
    allowed = allowed_at(at, tz, QUIET)
    assert at <= allowed <= at + dt.timedelta(hours=11, minutes=1)
    from zoneinfo import ZoneInfo

    assert not QUIET.contains(allowed.astimezone(ZoneInfo(tz)).time().replace(tzinfo=None))  # type: ignore[union-attr]


def test_an_update_over_the_limit_waits_for_the_next_local_morning() -> None:
    start, end = local_day_bounds(utc(17), SH)  # 01:00 local on Dec 2
    assert (start, end) == (utc(16), utc(16, day=2))
    assert after_limit(utc(5), SH, QUIET) == utc(0, day=2)  # 13:00 local → 08:00 next day
