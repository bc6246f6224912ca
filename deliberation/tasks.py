"""Thin, idempotent Celery tasks of deliberation (notifications carry keys)."""

import datetime

from celery import shared_task
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar
from core.messages import notify_resident
from core.notifications import notify
from grids.selectors import community_staff_users

from . import services
from .models import ActionItem, DeliberationBody, Meeting
from .recurrence import ahead_until, missed_month

#: Members are invited this long before a meeting.
INVITE_AHEAD = datetime.timedelta(days=7)


@shared_task(name="deliberation.create_meetings_ahead")
def create_meetings_ahead_task() -> int:
    """Create every body's meetings for the next two months."""
    until = ahead_until(calendar.today())
    return sum(
        services.meetings_create_ahead(body=body, until=until)
        for body in DeliberationBody.objects.exclude(rule=DeliberationBody.Rule.ONCE)
    )


@shared_task(name="deliberation.remind_meetings")
def remind_meetings_task() -> int:
    """Invite members a week ahead and remind them the day before (from 08:00)."""
    now = calendar.now()
    sent = 0
    for meeting in Meeting.objects.filter(
        status=Meeting.Status.PLANNED,
        starts_at__gt=now,
        starts_at__lte=now + INVITE_AHEAD,
    ).select_related("body"):
        stage = (
            "reminder" if calendar.reminder_at(meeting.starts_at) <= now else "invite"
        )
        when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
        users = [
            p.user
            for p in meeting.body.members.filter(user__isnull=False).select_related(
                "user"
            )
        ]
        users += community_staff_users(community_id=meeting.body.community_id)
        for user in {u.pk: u for u in users}.values():
            sent += bool(
                notify(
                    # The time is in the key: a moved meeting is announced anew.
                    dedupe_key=(
                        f"meeting:{meeting.pk}:{meeting.starts_at:%Y%m%d%H%M}:"
                        f"{stage}:{user.pk}"
                    ),
                    user=user,
                    subject=_("Meeting: %(body)s") % {"body": meeting.body.name},
                    body=_("%(body)s meets at %(when)s in %(place)s.")
                    % {
                        "body": meeting.body.name,
                        "when": when,
                        "place": meeting.place or "—",
                    },
                )
            )
        if stage == "reminder":
            sent += _remind_proposers(meeting)
    return sent


def _remind_proposers(meeting: Meeting) -> int:
    """Text the residents whose proposals are on the agenda, the day before."""
    sent = 0
    topics = meeting.topics.filter(proposal__isnull=False).select_related("proposal")
    for phone in {t.proposal.proposer_phone for t in topics}:
        sent += bool(
            notify_resident(
                kind="meeting_tomorrow",
                dedupe_key=(
                    f"meeting:{meeting.pk}:{meeting.starts_at:%Y%m%d%H%M}:"
                    f"reminder:resident:{phone}"
                ),
                phone=phone,
                title=meeting.body.name,
                when=f"{timezone.localtime(meeting.starts_at):%m-%d %H:%M}",
                place=meeting.place or "—",
            )
        )
    return sent


@shared_task(name="deliberation.alert_missed_months")
def alert_missed_months_task() -> int:
    """Tell community staff when a body that must meet monthly held no meeting
    in the last finished month (once per body and month). A body set up during
    that month is not asked for it."""
    month = missed_month(calendar.today())
    start, end = calendar.month_bounds(month)
    sent = 0
    held = Meeting.objects.filter(
        body=OuterRef("pk"),
        status=Meeting.Status.CLOSED,
        starts_at__gte=start,
        starts_at__lt=end,
    )
    bodies = DeliberationBody.objects.filter(
        ~Exists(held), must_meet_monthly=True, created_at__lt=start
    )
    for body in bodies:
        for user in community_staff_users(community_id=body.community_id):
            sent += bool(
                notify(
                    dedupe_key=f"body:{body.pk}:missed:{month:%Y-%m}:{user.pk}",
                    user=user,
                    subject=_("%(body)s did not meet in %(month)s")
                    % {"body": body.name, "month": f"{month:%Y-%m}"},
                    body=_("No meeting of %(body)s was held in %(month)s.")
                    % {"body": body.name, "month": f"{month:%Y-%m}"},
                )
            )
    return sent


@shared_task(name="deliberation.alert_overdue_items")
def alert_overdue_items_task() -> int:
    """Tell owners (and their community staff) of action items past due, once
    per item and due date."""
    sent = 0
    overdue = ActionItem.objects.filter(
        status__in=ActionItem.UNFINISHED, due_date__lt=calendar.today()
    ).select_related("owner__user", "topic__meeting__body")
    for item in overdue:
        users = community_staff_users(community_id=item.topic.meeting.body.community_id)
        if item.owner.user_id:
            users.append(item.owner.user)
        for user in {u.pk: u for u in users}.values():
            sent += bool(
                notify(
                    dedupe_key=f"actionitem:{item.pk}:overdue:{item.due_date}:{user.pk}",
                    user=user,
                    subject=_("Overdue: %(title)s") % {"title": item.title},
                    body=_("The action item “%(title)s” was due on %(due)s.")
                    % {"title": item.title, "due": item.due_date},
                )
            )
    return sent
