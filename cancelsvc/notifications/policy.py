"""When a message may go: quiet hours in the customer's timezone and the daily limit of updates.

Plain functions of their inputs (tested without an app): ``CANCELSVC_QUIET_HOURS`` is
``HH:MM-HH:MM`` (may wrap past midnight; empty for none); nothing we start is sent inside
it, it waits for the end. Confirmations of the customer's own action go at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

#: Updates of one request created within this time of each other are merged into the latest.
MERGE_WINDOW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class QuietHours:
    start: dt.time
    end: dt.time

    @classmethod
    def parse(cls, raw: str) -> QuietHours | None:
        """``"21:00-08:00"`` → quiet from 21:00 to 08:00; empty → none."""
        if not raw.strip():
            return None
        first, _, last = raw.strip().partition("-")
        return cls(dt.time.fromisoformat(first), dt.time.fromisoformat(last))

    def contains(self, local: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, instant: dt.datetime, tz: str) -> dt.datetime:
        """``instant`` itself when outside quiet hours, else the end of the quiet period (UTC)."""
        zone = ZoneInfo(tz)
        local = instant.astimezone(zone)
        if not self.contains(local.time().replace(tzinfo=None)):
            return instant
        end_day = local.date()
        if self.start > self.end and local.time().replace(tzinfo=None) >= self.start:
            end_day += dt.timedelta(days=1)
        return dt.datetime.combine(end_day, self.end, tzinfo=zone).astimezone(dt.UTC)


def allowed_at(instant: dt.datetime, tz: str, quiet: QuietHours | None) -> dt.datetime:
    """The first instant from ``instant`` outside quiet hours."""
    return quiet.next_allowed(instant, tz) if quiet else instant


def local_day_bounds(instant: dt.datetime, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants at which the customer's local day of ``instant`` starts and ends."""
    zone = ZoneInfo(tz)
    day = instant.astimezone(zone).date()
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    return start.astimezone(dt.UTC), (start + dt.timedelta(days=1)).astimezone(dt.UTC)


def after_limit(instant: dt.datetime, tz: str, quiet: QuietHours | None) -> dt.datetime:
    """When an update held back by the daily limit may go: the next local day, outside quiet hours."""
    _, tomorrow = local_day_bounds(instant, tz)
    return allowed_at(tomorrow, tz, quiet)


def latest_allowed_before(instant: dt.datetime, tz: str, quiet: QuietHours | None) -> dt.datetime:
    """The latest instant at or before ``instant`` outside quiet hours (a warning that must
    arrive before something happens at night goes the evening before)."""
    if quiet is None:
        return instant
    zone = ZoneInfo(tz)
    at = instant
    for _ in range(24 * 4 + 1):
        if not quiet.contains(at.astimezone(zone).time().replace(tzinfo=None)):
            return at
        at -= dt.timedelta(minutes=15)
    return instant
