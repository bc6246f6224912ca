"""What a user of the demo sees, checked after ``seed_demo`` at any instant:
nothing dated in the future, cases in every month, names on the 红榜, one
红色议事会 a month. Shared by the demo's tests and its date matrix."""

import datetime

from django.apps import apps
from django.db import models
from django.db.models import Max

from core import calendar
from deliberation.models import DeliberationBody
from grids.models import Community
from petitions.models import Petition
from volunteers.selectors import honour_list

#: Instants that are plans or deadlines, rightly after now.
SCHEDULED = {
    "sessions.Session.expire_date",
    "django_celery_beat.ClockedSchedule.clocked_time",
    "django_celery_beat.PeriodicTask.expires",
    "django_celery_beat.PeriodicTask.start_time",
    "petitions.Petition.accept_due_at",
    "petitions.Petition.resolve_due_at",
    "deliberation.Meeting.starts_at",
    "deliberation.Meeting.ends_at",
    "deliberation.MajorMatter.voting_closes_at",
    "volunteers.Activity.starts_at",
    "volunteers.Activity.ends_at",
    "stats.DashboardToken.expires_at",
    "grids.Notice.publish_until",
}
#: Dates of what has happened (the others are terms, due dates and plans).
HAPPENED = {
    "grids.Community.founded_date",
    "grids.OwnersCommittee.elected_date",
    "grids.PartyOrganization.established_date",
    "grids.Person.birth_date",
    "grids.Person.moved_in_date",
    "grids.PartyMember.joined_party_date",
    "grids.PartyMember.reported_date",
    "grids.Role.start_date",
    "volunteers.Training.date",
}


def rows_dated_after(now: datetime.datetime) -> dict[str, int]:
    """Every stamp of something that happened, later than ``now``."""
    late = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            name = f"{model._meta.label}.{field.name}"
            if isinstance(field, models.DateTimeField):
                if name in SCHEDULED:
                    continue
                bound = now
            elif isinstance(field, models.DateField) and name in HAPPENED:
                bound = calendar.local_date(now)
            else:
                continue
            count = model._default_manager.filter(
                **{f"{field.name}__gt": bound}
            ).count()
            if count:
                late[name] = count
    return late


def months_without_cases(community: Community, months: list[datetime.date]) -> list:
    return [
        month
        for month in months
        if not Petition.objects.filter(
            community=community,
            created_at__gte=calendar.month_bounds(month)[0],
            created_at__lt=calendar.month_bounds(month)[1],
        ).exists()
    ]


def honour_names(community: Community, month: datetime.date) -> list[str]:
    return [
        row.name for row in honour_list(community=community, month=month)["volunteers"]
    ]


def hall_meetings_by_month(community: Community) -> dict[datetime.date, int]:
    """How many meetings of the 红色议事会 each month holds (or plans)."""
    hall = DeliberationBody.objects.get(community=community, name="红色议事会")
    counts: dict[datetime.date, int] = {}
    for day in hall.meetings.values_list("series_date", flat=True):
        month = calendar.month_start(day)
        counts[month] = counts.get(month, 0) + 1
    return counts


def snapshot() -> dict:
    """Rows per table and the latest stamp of each: equal before and after a
    run that writes nothing."""
    tables = {}
    for model in apps.get_models():
        stamps = [
            f.name
            for f in model._meta.concrete_fields
            if f.name in ("updated_at", "refreshed_at", "created_at")
        ]
        manager = model._default_manager
        tables[model._meta.label] = (
            manager.count(),
            manager.aggregate(**{s: Max(s) for s in stamps}) if stamps else {},
        )
    return tables
