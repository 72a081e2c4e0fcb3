"""Working days on the mainland-China calendar.

Statutory holidays and the make-up working weekends (调休上班) come from the ``holidays``
package's China calendar; operators add their own closing days through
``CANCELSVC_EXTRA_HOLIDAYS``. Conventions (docs/precheck.md):

* ``add_working_days(d, 0)`` is ``d`` itself, working day or not: adding nothing moves
  nothing, and the to-dos that take "0 working days" (paying online, a video check) can
  be done on any day.
* ``add_working_days(d, n)`` for ``n > 0`` counts ``n`` working days after ``d`` (``d``
  itself is never counted), so the result is always a working day.
* An extra holiday wins over a make-up working weekend.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=128)
def china_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """``(days off, make-up working weekend days)`` of ``year`` in mainland China."""
    # A make-up working day can belong to a neighbouring year's holiday (a Saturday in
    # late December worked for New Year), so the neighbours are populated too.
    cn = holidays.country_holidays("CN", years=range(year - 1, year + 2))
    days_off = frozenset(d for d in cn if d.year == year)
    workdays = frozenset(d for d in cn.weekend_workdays if d.year == year)
    return days_off, workdays


class WorkCalendar:
    """Mainland-China working days plus operator-configured extra holidays."""

    __slots__ = ("extra_holidays",)

    def __init__(self, extra_holidays: Iterable[dt.date] = ()) -> None:
        self.extra_holidays = frozenset(extra_holidays)

    def is_working_day(self, d: dt.date) -> bool:
        """True when ``d`` is a working day (make-up working weekends included)."""
        if d in self.extra_holidays:
            return False
        days_off, workdays = china_year(d.year)
        if d.weekday() >= 5:
            return d in workdays
        return d not in days_off

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """The date ``n`` working days after ``d`` (``d`` itself when ``n`` is 0)."""
        if n < 0:
            raise ValueError(f"n must be zero or more, got {n}")
        while n:
            d += _ONE_DAY
            if self.is_working_day(d):
                n -= 1
        return d

    def next_working_day(self, d: dt.date) -> dt.date:
        """``d`` when it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``(start, end]``: how many ``add_working_days`` steps apart."""
        count, d = 0, start
        while d < end:
            d += _ONE_DAY
            count += self.is_working_day(d)
        return count

    def add_working_days_dt(self, instant: dt.datetime, n: int, tz: str | dt.tzinfo) -> dt.datetime:
        """``instant`` moved by ``n`` working days in timezone ``tz``, same local time."""
        zone = ZoneInfo(tz) if isinstance(tz, str) else tz
        local = local_datetime(instant, zone)
        day = self.add_working_days(local.date(), n)
        return dt.datetime.combine(day, local.time(), tzinfo=zone)


def local_datetime(instant: dt.datetime, tz: str | dt.tzinfo) -> dt.datetime:
    """``instant`` in timezone ``tz``; a naive instant is refused (its zone is unknown)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)


def local_date(instant: dt.datetime, tz: str | dt.tzinfo) -> dt.date:
    """The calendar date of ``instant`` in timezone ``tz`` (a customer's "today")."""
    return local_datetime(instant, tz).date()


def parse_extra_holidays(raw: str | None) -> tuple[dt.date, ...]:
    """Parse ``CANCELSVC_EXTRA_HOLIDAYS`` ("2026-12-24,2026-12-31") into sorted dates.

    Blank entries are ignored; anything else that is not a ``YYYY-MM-DD`` date raises
    ``ValueError`` naming the value.
    """
    days: set[dt.date] = set()
    for part in (raw or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if not _ISO_DATE.fullmatch(part):
                raise ValueError
            days.add(dt.date.fromisoformat(part))
        except ValueError:
            raise ValueError(f"CANCELSVC_EXTRA_HOLIDAYS: {part!r} is not a date in YYYY-MM-DD form") from None
    return tuple(sorted(days))
