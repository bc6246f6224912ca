"""Moments for test data that stay right on every date the suite runs at.

The suite runs under a pinned clock that may sit on the first half hour of a
month; data meant for "this month" must then still fall in this month and not
after now. These helpers place it there with the platform's calendar.
"""

import datetime

from core import calendar


def month(months_ago: int = 0) -> datetime.date:
    """Return the first day of the local month ``months_ago`` months back."""
    return calendar.add_months(calendar.month_start(calendar.today()), -months_ago)


def moment(
    months_ago: int = 0, day: int = 10, hour: int = 19, minute: int = 0
) -> datetime.datetime:
    """Return local ``day`` at ``hour``:``minute`` of the month ``months_ago``
    back, or, when that is not yet past, a moment of this month before now."""
    first = month(months_ago)
    wanted = calendar.local_datetime(
        first.replace(day=min(day, calendar.month_end(first).day)),
        datetime.time(hour, minute),
    )
    now = calendar.now()
    if wanted < now:
        return wanted
    start = calendar.month_bounds(first)[0]
    # Spread what falls in the elapsed part of this month by the asked day/hour.
    elapsed = now - start
    share = (day * 24 + hour + minute / 60) / (32 * 24)
    return start + elapsed * share
