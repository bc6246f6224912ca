"""Which months the statistics cover: pure functions of a local date, so that
every day of any year can be checked without a database.

Months come from ``core.calendar``; none is a number of days.
"""

import datetime

from core import calendar

#: A period asked for without a start covers this many months up to its end.
DEFAULT_MONTHS = 12
#: The nightly rebuild covers the months whose records still change: action
#: items fall due and are done, hours are verified, wishes fulfilled.
NIGHTLY_MONTHS = 13
#: In its first days a month's predecessor still changes (late ratings, fees
#: entered after the month ends): the refresh keeps it fresh that long.
LAST_MONTH_GRACE_DAYS = 7


def default_start(end: datetime.date) -> datetime.date:
    """Return the first month of the default period that ends in ``end``'s month."""
    return calendar.add_months(calendar.month_start(end), -(DEFAULT_MONTHS - 1))


def refresh_months(today: datetime.date) -> set[datetime.date]:
    """Return the months the five-minute refresh always rebuilds on ``today``:
    this month, and last month during the first days of this one."""
    months = {calendar.month_start(today)}
    if today.day <= LAST_MONTH_GRACE_DAYS:
        months.add(calendar.previous_month(today))
    return months


def nightly_months(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Return the first and last month the nightly rebuild covers on ``today``."""
    last = calendar.month_start(today)
    return calendar.add_months(last, -(NIGHTLY_MONTHS - 1)), last


def month_ranges(
    months: set[datetime.date],
) -> list[tuple[datetime.date, datetime.date]]:
    """Return runs of consecutive months, as (first, last) pairs."""
    ranges: list[list[datetime.date]] = []
    for month in sorted(months):
        if ranges and calendar.next_month(ranges[-1][1]) == month:
            ranges[-1][1] = month
        else:
            ranges.append([month, month])
    return [(first, last) for first, last in ranges]
