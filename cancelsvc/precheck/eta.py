"""When the number can be deactivated (domain.md §2.4, working days per §3.2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from cancelsvc.precheck.result import ChecklistItem, Eta
from cancelsvc.workdays import WorkCalendar, local_date


def compute_eta(
    checklist: Iterable[ChecklistItem],
    *,
    today: dt.date,
    now: dt.datetime,
    timezone: str,
    effective_date: dt.date,
    calendar: WorkCalendar,
    cooling_off_hours: int,
) -> Eta:
    """The latest of: today + the largest estimate of the required items (min for
    ``earliest``, max for ``latest``) in working days; the end of the cooling-off that
    would start now, as a date in the customer's timezone; the effective date."""
    estimates = [i.est_working_days for i in checklist if i.required and i.est_working_days]
    most_min = max((e[0] for e in estimates), default=0)
    most_max = max((e[1] for e in estimates), default=0)
    cooling_off_ends = local_date(now + dt.timedelta(hours=cooling_off_hours), timezone)
    floor = max(cooling_off_ends, effective_date)
    return Eta(
        earliest=max(calendar.add_working_days(today, most_min), floor),
        latest=max(calendar.add_working_days(today, most_max), floor),
    )
