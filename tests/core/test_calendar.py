"""The calendar and every month computation are right on every day of four
years (2027–2030, with the leap day of 2028), at the instants that break naive
arithmetic: local midnight is 16:00 UTC of the day before. No database."""

import ast
import calendar as stdlib_calendar
import datetime
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings

from core import calendar
from deliberation.recurrence import ahead_until, missed_month, occurrence_dates
from stats.periods import (
    DEFAULT_MONTHS,
    NIGHTLY_MONTHS,
    default_start,
    month_ranges,
    nightly_months,
    refresh_months,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC
FIRST, LAST = datetime.date(2027, 1, 1), datetime.date(2030, 12, 31)
DAYS = [FIRST + datetime.timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
#: Local times of day at which month and day edges go wrong.
EDGE_TIMES = [
    datetime.time(0, 0, 0),
    datetime.time(0, 0, 30),
    datetime.time(0, 30),
    datetime.time(7, 59, 59),
    datetime.time(8, 0),
    datetime.time(12, 0),
    datetime.time(16, 0),
    datetime.time(23, 30),
    datetime.time(23, 59, 59),
]


def _oracle_add_months(day: datetime.date, months: int) -> datetime.date:
    """Month arithmetic spelled out year by year, independently of the module."""
    year, month = day.year, day.month
    step = 1 if months >= 0 else -1
    for _ in range(abs(months)):
        month += step
        if month == 13:
            year, month = year + 1, 1
        if month == 0:
            year, month = year - 1, 12
    return datetime.date(
        year, month, min(day.day, stdlib_calendar.monthrange(year, month)[1])
    )


def test_calendar_days_has_four_years_with_a_leap_day():
    """The matrix covers 1,461 days, 29 February 2028 among them."""
    assert len(DAYS) == 1461
    assert datetime.date(2028, 2, 29) in DAYS


def test_calendar_local_day_and_month_of_every_instant():
    """An instant's local day and month are those of Shanghai, whatever the
    UTC date says: 00:30 on the 1st is still the previous day in UTC."""
    for day in DAYS:
        for time in EDGE_TIMES:
            local = datetime.datetime.combine(day, time, tzinfo=SHANGHAI)
            moment = local.astimezone(UTC)
            assert calendar.local_date(moment) == day
            assert calendar.month_of(moment) == day.replace(day=1)
            assert calendar.as_local(moment) == local
            assert calendar.local_datetime(day, time) == local
        start, end = calendar.day_bounds(day)
        assert start.astimezone(UTC).hour == 16
        assert (start.astimezone(UTC) + datetime.timedelta(hours=8)).date() == day
        assert end - start == datetime.timedelta(days=1)


def test_calendar_today_follows_the_clock_in_shanghai(pinned_clock):
    """At 00:30 in Shanghai on the 1st "today" and "this month" are the 1st's."""
    for day in (datetime.date(2027, 5, 1), datetime.date(2027, 1, 1)):
        pinned_clock.move_to(
            datetime.datetime.combine(day, datetime.time(0, 30), SHANGHAI)
        )
        assert calendar.now().astimezone(UTC).date() == day - datetime.timedelta(days=1)
        assert calendar.today() == day
        assert calendar.month_start(calendar.today()) == day
        assert calendar.localnow().tzinfo is not None


def test_calendar_month_start_end_and_bounds_of_every_day():
    """Month start, end and bounds hold every day of the matrix."""
    for day in DAYS:
        first, last = calendar.month_start(day), calendar.month_end(day)
        assert first == day.replace(day=1)
        assert last.day == stdlib_calendar.monthrange(day.year, day.month)[1]
        assert first <= day <= last
        start, end = calendar.month_bounds(day)
        assert start == datetime.datetime.combine(first, datetime.time(), SHANGHAI)
        assert end == datetime.datetime.combine(
            last + datetime.timedelta(days=1), datetime.time(), SHANGHAI
        )
        for time in EDGE_TIMES:
            moment = datetime.datetime.combine(day, time, SHANGHAI).astimezone(UTC)
            assert start <= moment < end
        assert calendar.next_month(day) == last + datetime.timedelta(days=1)
        assert calendar.previous_month(day) == calendar.month_start(
            first - datetime.timedelta(days=1)
        )


def test_calendar_add_months_on_every_day():
    """Adding and subtracting up to 25 months agrees with month-by-month
    counting; a day the target month lacks becomes its last day."""
    for day in DAYS:
        for months in range(-25, 26):
            assert calendar.add_months(day, months) == _oracle_add_months(
                day, months
            ), (day, months)
        assert calendar.add_years(day, 1) == _oracle_add_months(day, 12)


def test_calendar_add_months_named_cases():
    """The cases people remember."""
    add = calendar.add_months
    assert add(datetime.date(2027, 1, 31), 1) == datetime.date(2027, 2, 28)
    assert add(datetime.date(2028, 1, 31), 1) == datetime.date(2028, 2, 29)
    assert add(datetime.date(2027, 3, 31), -1) == datetime.date(2027, 2, 28)
    assert add(datetime.date(2026, 12, 1), -1) == datetime.date(2026, 11, 1)
    assert add(datetime.date(2026, 12, 1), -2) == datetime.date(2026, 10, 1)
    assert add(datetime.date(2027, 1, 15), -13) == datetime.date(2025, 12, 15)
    assert calendar.add_years(datetime.date(2028, 2, 29), 1) == datetime.date(
        2027 + 2, 2, 28
    )


def test_calendar_months_between_and_parse():
    """Month lists include both ends, one entry per calendar month."""
    for day in DAYS:
        back = calendar.add_months(day, -12)
        months = calendar.months_between(back, day)
        assert len(months) == 13
        assert len(set(months)) == 13
        assert all(m.day == 1 for m in months)
        assert months[0] == back.replace(day=1) and months[-1] == day.replace(day=1)
    assert calendar.parse_month("2027-02") == datetime.date(2027, 2, 1)
    with pytest.raises(ValueError):
        calendar.parse_month("2027-13")
    assert calendar.quarter_of(datetime.date(2027, 12, 31)) == (2027, 4)


def test_stats_periods_on_every_day():
    """The API's default period is twelve whole months up to the end's; the
    refresh keeps this month, and last month during the first week; the
    nightly rebuild covers thirteen months up to this one."""
    for day in DAYS:
        start = default_start(day)
        assert len(calendar.months_between(start, day)) == DEFAULT_MONTHS
        months = refresh_months(day)
        assert calendar.month_start(day) in months
        assert (calendar.previous_month(day) in months) == (day.day <= 7)
        assert len(months) == (2 if day.day <= 7 else 1)
        first, last = nightly_months(day)
        assert last == calendar.month_start(day)
        assert len(calendar.months_between(first, last)) == NIGHTLY_MONTHS
        assert month_ranges(months) == [(min(months), max(months))]


def test_stats_month_ranges_split_gaps():
    """Separate months are refreshed as separate runs, across a year edge."""
    d = datetime.date
    months = {d(2026, 11, 1), d(2026, 12, 1), d(2027, 1, 1), d(2027, 5, 1)}
    assert month_ranges(months) == [
        (d(2026, 11, 1), d(2027, 1, 1)),
        (d(2027, 5, 1), d(2027, 5, 1)),
    ]


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("monthly_day", {"day_of_month": 31}),
        ("monthly_day", {"day_of_month": 29}),
        ("monthly_day", {"day_of_month": 10}),
        ("monthly_weekday", {"nth": -1, "weekday": 4}),
        ("monthly_weekday", {"nth": 5, "weekday": 0}),
        ("fengsi", {}),
        ("weekly", {"weekday": 2}),
    ],
)
def test_recurrence_ahead_on_every_day(kind, options):
    """From any day, a series' meetings up to two months ahead fall on the
    right days, once each, at most one per day and month where monthly."""
    for day in DAYS:
        until = ahead_until(day)
        assert until == _oracle_add_months(day, 2)
        dates = occurrence_dates(kind=kind, start=day, end=until, **options)
        assert dates == sorted(set(dates))
        assert all(day <= d <= until for d in dates)
        if kind == "monthly_day":
            wanted = options["day_of_month"]
            for d in dates:
                assert d.day == min(wanted, calendar.month_end(d).day)
            # Every month whose date lies in the window has its meeting.
            for month in calendar.months_between(day, until):
                date = month.replace(day=min(wanted, calendar.month_end(month).day))
                assert (date in dates) == (day <= date <= until)
        elif kind == "fengsi":
            assert all(d.day in (4, 14, 24) for d in dates)
            assert len(dates) >= 6
        elif kind == "weekly":
            assert all(d.weekday() == 2 for d in dates)
            assert len(dates) >= 8
        else:
            assert all(d.weekday() == options["weekday"] for d in dates)
            assert len({(d.year, d.month) for d in dates}) == len(dates)


def test_missed_month_and_honour_months_on_every_day():
    """The missed-meeting check looks at the last finished month; the honour
    list of a month holds every instant of that month and none of the next."""
    for day in DAYS:
        month = missed_month(day)
        assert month == calendar.month_start(calendar.add_months(day, -1))
        assert calendar.month_end(month) < day
        start, end = calendar.month_bounds(day)
        first_instant = datetime.datetime.combine(
            day.replace(day=1), datetime.time(0, 0, 1), SHANGHAI
        )
        assert start <= first_instant < end
        assert not (
            calendar.month_bounds(month)[0]
            <= first_instant
            < calendar.month_bounds(month)[1]
        )


def test_reminders_the_day_before_on_every_day():
    """A day-before reminder is due at 08:00 local the day before, never in the
    night and never after the start."""
    for day in DAYS:
        for time in EDGE_TIMES:
            starts = datetime.datetime.combine(day, time, SHANGHAI).astimezone(UTC)
            due = calendar.reminder_at(starts)
            assert calendar.local_date(due) == day - datetime.timedelta(days=1)
            assert calendar.as_local(due).time() == datetime.time(8)
            assert due < starts


# --- no number of days stands for a month ---------------------------------------

MONTHLIKE_DAYS = {28, 29, 30, 31, 32, 365, 366}
ROOT = Path(settings.BASE_DIR)
SKIPPED = {"tests", ".venv", "migrations", "node_modules", ".git"}


def _sources():
    for path in ROOT.rglob("*.py"):
        if not SKIPPED & set(path.relative_to(ROOT).parts):
            yield path


def _monthlike(node: ast.AST) -> bool:
    """A days= value that is a month or a year in disguise (30, 31, 365, 5 * 365)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and sub.value in MONTHLIKE_DAYS:
            return True
    return False


def test_no_timedelta_of_a_month_or_a_year_outside_tests():
    """Months and years come from core.calendar: nowhere outside the tests does
    ``timedelta(days=30)``, ``days=31``, ``days=365`` or ``days=5 * 365`` stand
    for one."""
    found = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name != "timedelta":
                continue
            values = [k.value for k in node.keywords if k.arg == "days"]
            values += node.args[:1]
            if any(_monthlike(v) for v in values):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_the_lint_finds_a_month_in_days():
    """The check above is not blind: it finds the forms it is for."""
    for text in (
        "timedelta(days=30)",
        "datetime.timedelta(days=31)",
        "timedelta(days=5 * 365)",
        "timedelta(365)",
    ):
        call = ast.parse(text).body[0].value
        values = [k.value for k in call.keywords if k.arg == "days"] + call.args[:1]
        assert any(_monthlike(v) for v in values), text
    assert not _monthlike(ast.parse("timedelta(days=7)").body[0].value.keywords[0])


def test_quarters_start_hold_three_months_and_parse():
    """A quarter starts on 1 January, April, July or October (local date),
    holds three calendar months, and reads and writes as YYYY-Qn."""
    late = datetime.datetime(2026, 9, 30, 16, 30, tzinfo=datetime.UTC)  # 1 Oct local
    assert calendar.quarter_start(late) == datetime.date(2026, 10, 1)
    assert calendar.quarter_start(datetime.date(2026, 8, 31)) == datetime.date(
        2026, 7, 1
    )
    assert calendar.quarter_months(datetime.date(2027, 2, 28)) == [
        datetime.date(2027, 1, 1),
        datetime.date(2027, 2, 1),
        datetime.date(2027, 3, 1),
    ]
    assert calendar.quarter_label(datetime.date(2026, 11, 5)) == "2026-Q4"
    assert calendar.parse_quarter("2026-q2") == datetime.date(2026, 4, 1)
    for bad in ("2026-Q5", "2026-Q12", "2026Q1", "26-Q1", "2026-Q"):
        with pytest.raises(ValueError):
            calendar.parse_quarter(bad)
