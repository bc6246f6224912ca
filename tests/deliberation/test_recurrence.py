"""Meeting series: exact dates, created once, one meeting moved alone."""

import datetime

from django.utils import timezone

from deliberation.models import Meeting
from deliberation.recurrence import occurrence_dates
from deliberation.services import meeting_move, meetings_create_ahead

D = datetime.date


def test_fengsi_quarter_has_exactly_the_4th_14th_24th():
    """逢四 over a quarter gives nine dates: the 4th, 14th and 24th of each month."""
    dates = occurrence_dates(kind="fengsi", start=D(2024, 1, 1), end=D(2024, 3, 31))
    assert dates == [D(2024, m, d) for m in (1, 2, 3) for d in (4, 14, 24)]


def test_monthly_day_31_falls_on_the_last_day_of_short_months():
    """A monthly meeting on the 31st meets on 29 February in a leap year."""
    dates = occurrence_dates(
        kind="monthly_day", start=D(2024, 1, 1), end=D(2024, 4, 30), day_of_month=31
    )
    assert dates == [D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 30)]


def test_monthly_weekday_last_friday_and_missing_fifth_monday():
    """The last Friday exists every month; a fifth Monday only in some."""
    fridays = occurrence_dates(
        kind="monthly_weekday",
        start=D(2024, 1, 1),
        end=D(2024, 3, 31),
        nth=-1,
        weekday=4,
    )
    assert fridays == [D(2024, 1, 26), D(2024, 2, 23), D(2024, 3, 29)]
    mondays = occurrence_dates(
        kind="monthly_weekday",
        start=D(2024, 1, 1),
        end=D(2024, 3, 31),
        nth=5,
        weekday=0,
    )
    assert mondays == [D(2024, 1, 29)]


def test_weekly_starts_on_the_first_matching_day():
    """A weekly Wednesday series starts on the first Wednesday in the range."""
    dates = occurrence_dates(
        kind="weekly", start=D(2024, 5, 2), end=D(2024, 5, 20), weekday=2
    )
    assert dates == [D(2024, 5, 8), D(2024, 5, 15)]


def test_series_is_created_once_and_survives_moving_one(fengsi_body):
    """Creating ahead twice makes each meeting once; moving one meeting leaves
    the others and is not undone by the next run."""
    body = fengsi_body
    until = timezone.localdate() + datetime.timedelta(days=92)
    made = meetings_create_ahead(body=body, until=until)
    assert made >= 8
    assert meetings_create_ahead(body=body, until=until) == 0
    first = body.meetings.order_by("series_date").first()
    others = set(body.meetings.exclude(pk=first.pk).values_list("starts_at", flat=True))
    meeting_move(meeting=first, starts_at=first.starts_at + datetime.timedelta(days=1))
    assert meetings_create_ahead(body=body, until=until) == 0
    assert Meeting.objects.filter(body=body).count() == made
    assert (
        set(body.meetings.exclude(pk=first.pk).values_list("starts_at", flat=True))
        == others
    )
    for meeting in body.meetings.all():
        assert meeting.series_date.day in (4, 14, 24)
