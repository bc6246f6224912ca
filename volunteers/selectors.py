"""Every read of volunteer service, scoped to the asking user; the honour list."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from core import calendar
from grids.scoping import scope_queryset

from .models import (
    Activity,
    Registration,
    ServiceItem,
    SignUp,
    Station,
    Team,
    Wish,
)

#: Nobody is ranked on fewer verified activities than this in the month.
MIN_ACTIVITIES = 2


def activity_list(*, user) -> QuerySet[Activity]:
    return scope_queryset(
        Activity.objects.select_related("community", "team").annotate(
            confirmed=Count("signups", filter=Q(signups__status="confirmed")),
            waiting=Count("signups", filter=Q(signups__status="waiting")),
        ),
        user,
    )


def signup_list(*, user) -> QuerySet[SignUp]:
    return scope_queryset(SignUp.objects.select_related("activity"), user)


def team_list(*, user) -> QuerySet[Team]:
    return scope_queryset(
        Team.objects.select_related("community", "parent", "leader"), user
    )


def registration_list(*, user) -> QuerySet[Registration]:
    return scope_queryset(
        Registration.objects.select_related(
            "community", "household__unit__building__compound", "grid"
        ),
        user,
    )


def wish_list(*, user) -> QuerySet[Wish]:
    return scope_queryset(Wish.objects.select_related("community"), user)


def service_item_list(*, user) -> QuerySet[ServiceItem]:
    return scope_queryset(ServiceItem.objects.select_related("community"), user)


def station_list(*, user) -> QuerySet[Station]:
    return scope_queryset(Station.objects.select_related("community"), user)


@dataclass(frozen=True)
class HonourRow:
    name: str
    hours: Decimal
    activities: int


def _ranked(verified, key: str):
    """Hours and activities per ``key`` of verified sign-ups, most hours first;
    nobody with fewer than ``MIN_ACTIVITIES`` verified activities."""
    return (
        verified.values(key)
        .annotate(
            hours=Sum("verified_hours"), activities=Count("activity", distinct=True)
        )
        .filter(activities__gte=MIN_ACTIVITIES)
        .order_by("-hours", key)
    )


def _wish_ranking(community, start, end) -> list[dict]:
    """Volunteers by residents' ratings of the wishes they fulfilled."""
    rated = (
        Wish.objects.filter(
            community=community,
            status=Wish.Status.CONFIRMED,
            confirmed_at__gte=start,
            confirmed_at__lt=end,
        )
        .values("claimer_phone")
        .annotate(
            wishes=Count("id"),
            satisfied=Count("id", filter=Q(rating="satisfied")),
        )
        .order_by("-satisfied", "-wishes")
    )
    names = dict(
        Wish.objects.filter(community=community).values_list(
            "claimer_phone", "claimer_name"
        )
    )
    return [{"name": names.get(r["claimer_phone"], ""), **r} for r in rated]


def honour_list(*, community, month: datetime.date) -> dict:
    """Return the month's honour list (红榜) of a community: volunteers and teams
    by verified hours, and volunteers by residents' ratings of fulfilled wishes.
    Only verified hours count; nobody with fewer than ``MIN_ACTIVITIES``
    verified activities is ranked."""
    start, end = calendar.month_bounds(month)
    verified = SignUp.objects.filter(
        SignUp.counted_q(),
        activity__community=community,
        activity__starts_at__gte=start,
        activity__starts_at__lt=end,
    )
    names = dict(verified.values_list("phone", "name"))
    teams = _ranked(
        verified.filter(activity__team__isnull=False), "activity__team__name"
    )
    return {
        "volunteers": [
            HonourRow(names[r["phone"]], r["hours"], r["activities"])
            for r in _ranked(verified, "phone")
        ],
        "teams": [
            HonourRow(r["activity__team__name"], r["hours"], r["activities"])
            for r in teams
        ],
        "wishes": _wish_ranking(community, start, end),
    }


def member_yearly_summary(*, registration: Registration, year: int) -> dict:
    """Return a 双报到 member's verified hours, activities and wishes in a year,
    for the summary sent back to the work unit."""
    signups = SignUp.objects.filter(
        SignUp.counted_q(),
        phone=registration.phone,
        activity__community=registration.community_id,
        activity__starts_at__year=year,
    ).select_related("activity")
    hours = sum((s.verified_hours for s in signups), Decimal(0))
    wishes = Wish.objects.filter(
        community=registration.community_id,
        claimer_phone=registration.phone,
        status=Wish.Status.CONFIRMED,
        confirmed_at__year=year,
    )
    return {
        "hours": hours,
        "target": registration.yearly_target_hours,
        "activities": list(signups),
        "wishes": list(wishes),
    }


#: How long after an activity its hours are still chased for verification.
VERIFY_WITHIN_MONTHS = 1


def activities_awaiting_verification(*, at_least: int) -> QuerySet[Activity]:
    """Return activities that ended within the last month with at least
    ``at_least`` checked-in volunteers whose hours wait for verification
    (``unverified``): older ones are not chased again, so the check stays
    cheap however many activities there have been."""
    now = calendar.now()
    since = calendar.local_datetime(
        calendar.add_months(calendar.today(), -VERIFY_WITHIN_MONTHS)
    )
    waiting = Q(
        signups__status=SignUp.Status.CONFIRMED,
        signups__check_in_at__isnull=False,
        signups__verified_at__isnull=True,
    )
    return (
        Activity.objects.filter(ends_at__lt=now, ends_at__gte=since)
        .annotate(unverified=Count("signups", filter=waiting))
        .filter(unverified__gte=at_least)
        .order_by("ends_at")
    )


def wishes_unclaimed(*, days: int) -> QuerySet[Wish]:
    """Return published wishes nobody has claimed for ``days`` days."""
    limit = calendar.now() - datetime.timedelta(days=days)
    return Wish.objects.filter(status=Wish.Status.PUBLISHED, published_at__lt=limit)


def community_page_data(*, community) -> dict:
    """What the residents' volunteer page of ``community`` shows: coming
    activities, published and claimed wishes, open two-way list entries, and
    the honour lists of this month and last month (early in a month this
    month's list is still short)."""
    today = calendar.today()
    open_items = ServiceItem.objects.filter(community=community).exclude(
        status=ServiceItem.Status.DONE
    )
    wishes = Wish.objects.filter(community=community)
    return {
        "activities": Activity.objects.filter(
            community=community, ends_at__gte=calendar.now()
        ).order_by("starts_at")[:20],
        "wishes": wishes.filter(status=Wish.Status.PUBLISHED).order_by("published_at")[
            :20
        ],
        "claimed_wishes": wishes.filter(status=Wish.Status.CLAIMED).order_by(
            "claimed_at"
        )[:20],
        "honour": honour_list(community=community, month=today),
        "honour_last": honour_list(
            community=community, month=calendar.previous_month(today)
        ),
        "resources": open_items.filter(side=ServiceItem.Side.RESOURCE),
        "needs": open_items.filter(side=ServiceItem.Side.NEED),
    }


# --- 我的: what a resident did under their verified phone ---------------------


def signups_for_phone(*, phone: str, limit: int = 30) -> QuerySet[SignUp]:
    """The resident's sign-ups, newest activity first."""
    return (
        SignUp.objects.filter(phone=phone)
        .select_related("activity")
        .order_by("-activity__starts_at", "-id")[:limit]
    )


def wishes_claimed_for_phone(*, phone: str, limit: int = 30) -> QuerySet[Wish]:
    """The wishes the resident claimed, newest first."""
    return Wish.objects.filter(claimer_phone=phone).order_by("-claimed_at", "-id")[
        :limit
    ]


def registrations_for_phone(*, phone: str, limit: int = 10) -> QuerySet[Registration]:
    """The resident's 双报到 registrations, newest first."""
    return (
        Registration.objects.filter(phone=phone)
        .select_related("community")
        .order_by("-created_at", "-id")[:limit]
    )
