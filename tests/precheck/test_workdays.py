"""The mainland-China working-day calendar (domain.md §3.2)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cancelsvc.workdays import WorkCalendar, china_year, local_date, parse_extra_holidays

SHANGHAI = ZoneInfo("Asia/Shanghai")
d = dt.date

# The published schedules, as the holidays package holds them.
MAKE_UP_WORKDAYS = {
    2025: {d(2025, 1, 26), d(2025, 2, 8), d(2025, 4, 27), d(2025, 9, 28), d(2025, 10, 11)},
    2026: {d(2026, 1, 4), d(2026, 2, 14), d(2026, 2, 28), d(2026, 5, 9), d(2026, 9, 20), d(2026, 10, 10)},
}


@pytest.mark.parametrize("year", sorted(MAKE_UP_WORKDAYS))
def test_make_up_working_weekends_come_from_the_holidays_package(year):
    _, workdays = china_year(year)
    assert workdays == MAKE_UP_WORKDAYS[year]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Spring Festival 2026: Sun 02-15 to Mon 02-23 off; Sat 02-14 and Sat 02-28 worked.
        (d(2026, 2, 13), True),
        (d(2026, 2, 14), True),
        (d(2026, 2, 15), False),
        (d(2026, 2, 16), False),  # New Year's Eve
        (d(2026, 2, 17), False),
        (d(2026, 2, 20), False),
        (d(2026, 2, 21), False),
        (d(2026, 2, 23), False),
        (d(2026, 2, 24), True),
        (d(2026, 2, 28), True),
        (d(2026, 3, 1), False),
        # Make-up working Sundays.
        (d(2026, 1, 4), True),
        (d(2026, 9, 20), True),
        (d(2025, 1, 26), True),
        (d(2025, 9, 28), True),
        (d(2026, 1, 11), False),  # an ordinary Sunday
        # Spring Festival 2025: 01-28 to 02-04 off; Sat 02-08 worked.
        (d(2025, 1, 27), True),
        (d(2025, 1, 28), False),
        (d(2025, 2, 4), False),
        (d(2025, 2, 5), True),
        (d(2025, 2, 8), True),
        # National Day 2026: 10-01 to 10-07 off; Sat 10-10 worked.
        (d(2026, 10, 1), False),
        (d(2026, 10, 7), False),
        (d(2026, 10, 8), True),
        (d(2026, 10, 10), True),
        # New Year 2026: 01-01 to 01-03 off.
        (d(2026, 1, 1), False),
        (d(2026, 1, 2), False),
        (d(2026, 1, 5), True),
    ],
)
def test_is_working_day(calendar, day, working):
    assert calendar.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (d(2026, 2, 13), 0, d(2026, 2, 13)),
        (d(2026, 2, 17), 0, d(2026, 2, 17)),  # zero moves nothing, holiday or not
        (d(2026, 2, 13), 1, d(2026, 2, 14)),  # the make-up Saturday counts
        (d(2026, 2, 13), 2, d(2026, 2, 24)),
        (d(2026, 2, 13), 7, d(2026, 3, 2)),
        (d(2026, 2, 15), 1, d(2026, 2, 24)),  # from inside the holiday
        (d(2026, 9, 30), 1, d(2026, 10, 8)),
        (d(2026, 10, 8), 1, d(2026, 10, 9)),
        (d(2026, 10, 9), 1, d(2026, 10, 10)),  # Saturday, worked
        (d(2026, 11, 23), 5, d(2026, 11, 30)),
        (d(2025, 12, 31), 1, d(2026, 1, 4)),  # across the year: 01-01..03 off, Sun 01-04 worked
    ],
)
def test_add_working_days(calendar, start, n, expected):
    assert calendar.add_working_days(start, n) == expected


def test_negative_days_are_refused(calendar):
    with pytest.raises(ValueError):
        calendar.add_working_days(d(2026, 1, 5), -1)


def test_extra_holidays():
    calendar = WorkCalendar([d(2026, 12, 24), d(2026, 2, 14)])
    assert not calendar.is_working_day(d(2026, 12, 24))
    assert not calendar.is_working_day(d(2026, 2, 14))  # an extra holiday wins over a make-up day
    assert calendar.add_working_days(d(2026, 12, 23), 1) == d(2026, 12, 25)
    assert WorkCalendar().add_working_days(d(2026, 12, 23), 1) == d(2026, 12, 24)


def test_next_working_day_and_counting(calendar):
    assert calendar.next_working_day(d(2026, 2, 15)) == d(2026, 2, 24)
    assert calendar.next_working_day(d(2026, 2, 24)) == d(2026, 2, 24)
    assert calendar.working_days_between(d(2026, 2, 13), d(2026, 3, 2)) == 7


def test_add_working_days_dt_keeps_the_local_time(calendar):
    evening = dt.datetime(2026, 2, 13, 18, 0, tzinfo=SHANGHAI)
    assert calendar.add_working_days_dt(evening, 1, "Asia/Shanghai") == dt.datetime(2026, 2, 14, 18, 0, tzinfo=SHANGHAI)
    # 20:00 UTC on 02-13 is 04:00 on Saturday 02-14 in Shanghai.
    utc = dt.datetime(2026, 2, 13, 20, 0, tzinfo=dt.UTC)
    assert calendar.add_working_days_dt(utc, 1, SHANGHAI) == dt.datetime(2026, 2, 24, 4, 0, tzinfo=SHANGHAI)
    with pytest.raises(ValueError):
        calendar.add_working_days_dt(dt.datetime(2026, 2, 13, 18, 0), 1, SHANGHAI)


def test_local_date():
    assert local_date(dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.UTC), "Asia/Shanghai") == d(2026, 11, 24)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-12-24,2026-12-31", (d(2026, 12, 24), d(2026, 12, 31))),
        (" 2026-12-31 , 2026-12-24 ,", (d(2026, 12, 24), d(2026, 12, 31))),
        ("2026-12-24,2026-12-24", (d(2026, 12, 24),)),
        ("", ()),
        (None, ()),
    ],
)
def test_parse_extra_holidays(raw, expected):
    assert parse_extra_holidays(raw) == expected


@pytest.mark.parametrize("bad", ["2026-13-01", "20261224", "xmas", "2026-12-24;2026-12-31"])
def test_parse_extra_holidays_names_the_bad_value(bad):
    with pytest.raises(ValueError, match="CANCELSVC_EXTRA_HOLIDAYS") as err:
        parse_extra_holidays(f"2026-12-24,{bad}")
    assert repr(bad) in str(err.value)


@given(
    st.dates(min_value=d(2024, 1, 1), max_value=d(2027, 12, 31)),
    st.integers(min_value=1, max_value=40),
)
def test_add_working_days_lands_on_a_working_day_n_steps_away(start, n):
    calendar = WorkCalendar()
    result = calendar.add_working_days(start, n)
    assert calendar.is_working_day(result)
    assert calendar.working_days_between(start, result) == n
    assert calendar.add_working_days(calendar.add_working_days(start, 1), n - 1) == result


def test_years_are_computed_once():
    china_year.cache_clear()
    calendar = WorkCalendar()
    for _ in range(3):
        calendar.add_working_days(d(2026, 1, 5), 30)
    assert china_year.cache_info().misses == 1
