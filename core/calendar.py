"""The platform's one calendar: local days and months in ``Asia/Shanghai``.

Everything that reasons in days or months asks here: "today", "this month", "the
month of this moment", "three months back", "the bounds of a month". A month is
never a number of days: months are counted on the calendar (31 January plus one
month is the last day of February), and a local day starts at local midnight,
which in Shanghai is 16:00 UTC of the day before. The current instant comes from
``django.utils.timezone.now`` so that a pinned test clock moves all of it.
"""

import calendar as _stdlib_calendar
import datetime
import zoneinfo
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

__all__ = [
    "add_months",
    "add_years",
    "as_local",
    "day_bounds",
    "iter_months",
    "local_date",
    "local_datetime",
    "localnow",
    "month_bounds",
    "month_end",
    "month_of",
    "month_start",
    "months_between",
    "months_range",
    "next_month",
    "now",
    "parse_month",
    "parse_quarter",
    "previous_month",
    "quarter_label",
    "quarter_months",
    "quarter_of",
    "quarter_start",
    "reminder_at",
    "today",
    "zone",
]


def zone() -> zoneinfo.ZoneInfo:
    """Return the platform's time zone (``settings.TIME_ZONE``, Asia/Shanghai)."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


# --- now ---------------------------------------------------------------------


def now() -> datetime.datetime:
    """Return the current instant (aware, UTC), from Django's clock."""
    return timezone.now()


def localnow() -> datetime.datetime:
    """Return the current instant as a local (Shanghai) aware datetime."""
    return timezone.now().astimezone(zone())


def today() -> datetime.date:
    """Return today's local date."""
    return localnow().date()


def as_local(moment: datetime.datetime) -> datetime.datetime:
    """Return an aware ``moment`` in local time; a naive one is taken as local."""
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=zone())
    return moment.astimezone(zone())


def local_date(value: datetime.datetime | datetime.date) -> datetime.date:
    """Return the local date of an aware datetime (or a date unchanged)."""
    if isinstance(value, datetime.datetime):
        return as_local(value).date()
    return value


def local_datetime(
    day: datetime.date, time: datetime.time = datetime.time()
) -> datetime.datetime:
    """Return the aware instant of local ``time`` on local ``day``."""
    return datetime.datetime.combine(day, time, tzinfo=zone())


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Return the aware instants of local midnight of ``day`` and of the next day."""
    return local_datetime(day), local_datetime(day + datetime.timedelta(days=1))


def reminder_at(
    starts_at: datetime.datetime,
    *,
    days_before: int = 1,
    at: datetime.time = datetime.time(8),
) -> datetime.datetime:
    """Return when a "the day before" reminder of something starting at
    ``starts_at`` is due: local ``at`` (08:00, not in the night) on the local
    day ``days_before`` days before it."""
    day = local_date(starts_at) - datetime.timedelta(days=days_before)
    return local_datetime(day, at)


# --- months ------------------------------------------------------------------


def month_start(value: datetime.date | datetime.datetime) -> datetime.date:
    """Return the first day of the (local) month of ``value``."""
    return local_date(value).replace(day=1)


#: The month of an aware datetime or a date, as its first day.
month_of = month_start


def month_end(value: datetime.date | datetime.datetime) -> datetime.date:
    """Return the last day of the (local) month of ``value``."""
    day = local_date(value)
    return day.replace(day=_stdlib_calendar.monthrange(day.year, day.month)[1])


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return ``day`` moved by ``months`` calendar months (negative goes back).

    The day of the month is kept where the target month has it, else the
    target month's last day is taken: 31 January + 1 month = 28/29 February.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _stdlib_calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def add_years(day: datetime.date, years: int) -> datetime.date:
    """Return ``day`` moved by whole years (29 February becomes 28 February)."""
    return add_months(day, 12 * years)


def next_month(value: datetime.date | datetime.datetime) -> datetime.date:
    """Return the first day of the month after the month of ``value``."""
    return add_months(month_start(value), 1)


def previous_month(value: datetime.date | datetime.datetime) -> datetime.date:
    """Return the first day of the month before the month of ``value``."""
    return add_months(month_start(value), -1)


def month_bounds(
    value: datetime.date | datetime.datetime,
) -> tuple[datetime.datetime, datetime.datetime]:
    """Return the aware instants at which the local month of ``value`` starts
    and the next one starts (a half-open range)."""
    first = month_start(value)
    return local_datetime(first), local_datetime(add_months(first, 1))


def months_range(
    first: datetime.date, last: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """Return the aware instants from the start of ``first``'s month to the
    start of the month after ``last``'s (a half-open range)."""
    return month_bounds(first)[0], month_bounds(last)[1]


def iter_months(first: datetime.date, last: datetime.date) -> Iterator[datetime.date]:
    """Yield the first day of every month from ``first``'s to ``last``'s."""
    month, end = month_start(first), month_start(last)
    while month <= end:
        yield month
        month = add_months(month, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Return the first day of every month from ``first``'s to ``last``'s."""
    return list(iter_months(first, last))


def parse_month(text: str) -> datetime.date:
    """Return the first day of a ``YYYY-MM`` month; ValueError when it is not one."""
    return datetime.datetime.strptime(text.strip(), "%Y-%m").date()


def quarter_of(value: datetime.date | datetime.datetime) -> tuple[int, int]:
    """Return (year, quarter 1–4) of the local date of ``value``."""
    day = local_date(value)
    return day.year, (day.month - 1) // 3 + 1


def quarter_start(value: datetime.date | datetime.datetime) -> datetime.date:
    """Return the first day of the (local) quarter of ``value``."""
    year, quarter = quarter_of(value)
    return datetime.date(year, 3 * quarter - 2, 1)


def quarter_months(value: datetime.date | datetime.datetime) -> list[datetime.date]:
    """Return the first days of the three months of the quarter of ``value``."""
    first = quarter_start(value)
    return [add_months(first, n) for n in range(3)]


def quarter_label(value: datetime.date | datetime.datetime) -> str:
    """Return the quarter of ``value`` as ``YYYY-Qn`` (2026-Q3)."""
    year, quarter = quarter_of(value)
    return f"{year}-Q{quarter}"


def parse_quarter(text: str) -> datetime.date:
    """Return the first day of a ``YYYY-Qn`` quarter; ValueError when it is
    not one."""
    year, sep, quarter = text.strip().upper().partition("-Q")
    if not sep or not year.isdigit() or len(year) != 4:
        raise ValueError(f"not a quarter: {text!r}")
    if quarter not in ("1", "2", "3", "4"):
        raise ValueError(f"not a quarter: {text!r}")
    return datetime.date(int(year), 3 * int(quarter) - 2, 1)
