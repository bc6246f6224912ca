"""Dates of recurring meetings: monthly, 逢四 (4th, 14th, 24th), weekly, one-off.

Pure functions of a rule and a date range, so the periodic task that creates
meetings ahead can run any number of times and always find the same dates.
"""

import calendar
import datetime
from collections.abc import Iterator

from core.calendar import add_months, previous_month

FENGSI_DAYS = (4, 14, 24)
#: Meetings of a series exist this many calendar months ahead.
AHEAD_MONTHS = 2


def ahead_until(today: datetime.date) -> datetime.date:
    """Return the last day up to which a series' meetings are created."""
    return add_months(today, AHEAD_MONTHS)


def missed_month(today: datetime.date) -> datetime.date:
    """Return the month whose meetings a body that must meet monthly is
    checked for on ``today``: the last finished month."""
    return previous_month(today)


def _months(start: datetime.date, end: datetime.date) -> Iterator[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        month += 1
        if month == 13:
            year, month = year + 1, 1


def nth_weekday(year: int, month: int, nth: int, weekday: int) -> datetime.date | None:
    """Return the ``nth`` (1–5, or -1 for the last) ``weekday`` (0 = Monday) of a
    month, or None when the month has no such day (a fifth Monday)."""
    days = [
        datetime.date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if datetime.date(year, month, d).weekday() == weekday
    ]
    if nth == -1:
        return days[-1]
    return days[nth - 1] if 1 <= nth <= len(days) else None


def occurrence_dates(
    *,
    kind: str,
    start: datetime.date,
    end: datetime.date,
    day_of_month: int | None = None,
    nth: int | None = None,
    weekday: int | None = None,
    first_date: datetime.date | None = None,
) -> list[datetime.date]:
    """Return the dates of a series between ``start`` and ``end`` inclusive.

    ``kind`` is one of ``monthly_day`` (``day_of_month``; a 31st falls on the
    month's last day), ``monthly_weekday`` (``nth`` ``weekday``), ``fengsi``
    (4th, 14th, 24th), ``weekly`` (``weekday``) and ``once`` (``first_date``).
    """
    if end < start:
        return []
    dates: list[datetime.date] = []
    if kind == "once":
        dates = [first_date] if first_date else []
    elif kind == "fengsi":
        dates = [
            datetime.date(y, m, d) for y, m in _months(start, end) for d in FENGSI_DAYS
        ]
    elif kind == "monthly_day":
        for y, m in _months(start, end):
            last = calendar.monthrange(y, m)[1]
            dates.append(datetime.date(y, m, min(day_of_month, last)))
    elif kind == "monthly_weekday":
        for y, m in _months(start, end):
            day = nth_weekday(y, m, nth, weekday)
            if day is not None:
                dates.append(day)
    elif kind == "weekly":
        day = start + datetime.timedelta(days=(weekday - start.weekday()) % 7)
        while day <= end:
            dates.append(day)
            day += datetime.timedelta(days=7)
    else:
        raise ValueError(f"unknown recurrence kind {kind!r}")
    return [d for d in dates if start <= d <= end]
