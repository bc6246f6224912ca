"""The volunteer tasks alert staff once, and only about what is still live."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import calendar
from core.models import Notification
from tests.volunteers.factories import ActivityFactory, SignUpFactory
from volunteers.tasks import alert_unverified_task


def _ended(world, *, ago, checked_in):
    ends = timezone.now() - ago
    activity = ActivityFactory(
        community=world.c1, starts_at=ends - datetime.timedelta(hours=2), ends_at=ends
    )
    for _ in range(checked_in):
        SignUpFactory(activity=activity, check_in_at=activity.starts_at)
    return activity


def test_alert_unverified_hours_once_for_a_recent_activity(world, settings):
    """Five checked-in volunteers without verified hours after yesterday's
    activity alert the community's staff once; a run again sends nothing."""
    settings.VOLUNTEERS_UNVERIFIED_ALERT = 5
    activity = _ended(world, ago=datetime.timedelta(days=1), checked_in=5)
    _ended(world, ago=datetime.timedelta(days=1), checked_in=4)  # below the bar
    assert alert_unverified_task() == 1
    assert alert_unverified_task() == 0
    notification = Notification.objects.get()
    assert notification.user == world.users["community"]
    assert str(activity.pk) in notification.dedupe_key


def test_alert_unverified_does_not_chase_old_activities(world, settings):
    """An activity that ended over a month ago is not chased, and the check
    costs the same queries however many old activities there are."""
    settings.VOLUNTEERS_UNVERIFIED_ALERT = 1
    old = calendar.now() - calendar.local_datetime(
        calendar.add_months(calendar.today(), -2)
    )
    _ended(world, ago=old, checked_in=3)
    with CaptureQueriesContext(connection) as few:
        assert alert_unverified_task() == 0
    for _ in range(5):
        _ended(world, ago=old, checked_in=3)
    with CaptureQueriesContext(connection) as many:
        assert alert_unverified_task() == 0
    assert len(many) == len(few) == 1
