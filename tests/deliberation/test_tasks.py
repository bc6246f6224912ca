"""Reminders of deliberation: sent once, to the right people."""

import datetime

from django.utils import timezone

from core import calendar
from core.models import Notification
from deliberation.models import Meeting
from deliberation.services import meeting_move
from deliberation.tasks import (
    alert_missed_months_task,
    alert_overdue_items_task,
    create_meetings_ahead_task,
    remind_meetings_task,
)
from grids.models import Person
from tests.deliberation.factories import ActionItemFactory, MeetingFactory


def test_meetings_created_ahead_once(fengsi_body):
    """The periodic task creates the series and, run again, nothing more."""
    assert create_meetings_ahead_task() >= 6
    assert create_meetings_ahead_task() == 0


def test_day_before_reminder_sent_once(world, fengsi_body):
    """A meeting tomorrow reminds community staff and members once."""
    fengsi_body.members.add(Person.objects.get(user=world.users["grid"]))
    MeetingFactory(body=fengsi_body, starts_in=datetime.timedelta(hours=20), hours=1)
    assert remind_meetings_task() == 2
    assert remind_meetings_task() == 0
    assert Notification.objects.filter(dedupe_key__contains="reminder").count() == 2


def test_moved_meeting_is_announced_again(world, fengsi_body):
    """Moving a meeting sends a fresh reminder with the new time."""
    meeting = MeetingFactory(
        body=fengsi_body, starts_in=datetime.timedelta(hours=20), hours=1
    )
    assert remind_meetings_task() == 1
    meeting_move(
        meeting=meeting, starts_at=meeting.starts_at + datetime.timedelta(hours=2)
    )
    assert remind_meetings_task() == 1


def test_missed_month_alerts_community_staff_once(world, fengsi_body, pinned_clock):
    """A monthly body that held no meeting in the last finished month alerts
    staff once; it is not asked for the month in which it was set up."""
    body = fengsi_body
    assert alert_missed_months_task() == 0  # set up this month
    # The month after next: the next month (its first whole one) went by empty.
    after = calendar.add_months(calendar.month_start(calendar.today()), 2)
    pinned_clock.move_to(calendar.local_datetime(after, datetime.time(0, 30)))
    assert alert_missed_months_task() == 1
    assert alert_missed_months_task() == 0
    notification = Notification.objects.get()
    assert notification.user == world.users["community"]
    assert f"{calendar.previous_month(after):%Y-%m}" in notification.subject
    assert str(body.pk) in notification.dedupe_key


def test_missed_month_is_quiet_when_the_body_met(fengsi_body, pinned_clock):
    """A closed meeting on the last evening of the month counts for that month
    (it is 15:30 UTC, still the same day in Shanghai)."""
    following = calendar.add_months(calendar.month_start(calendar.today()), 1)
    last_evening = calendar.local_datetime(
        calendar.month_end(following), datetime.time(23, 30)
    )
    MeetingFactory(
        body=fengsi_body,
        starts_at=last_evening,
        ends_at=last_evening + datetime.timedelta(minutes=20),
        status=Meeting.Status.CLOSED,
    )
    pinned_clock.move_to(calendar.local_datetime(calendar.add_months(following, 1)))
    assert alert_missed_months_task() == 0


def test_overdue_action_item_alerts_owner_and_staff_once(world, fengsi_body):
    """A past-due item tells its owner and the community staff, once."""
    ActionItemFactory(
        topic__meeting__body=fengsi_body,
        topic__meeting__starts_in=-datetime.timedelta(days=10),
        title="修补路面",
        owner=Person.objects.get(user=world.users["grid"]),
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert alert_overdue_items_task() == 2
    assert alert_overdue_items_task() == 0
