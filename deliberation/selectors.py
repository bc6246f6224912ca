"""Every read of deliberation, scoped to the asking user."""

from django.db.models import QuerySet
from django.utils import timezone

from core import calendar
from grids.scoping import scope_queryset

from .models import (
    ActionItem,
    Attendance,
    DeliberationBody,
    MajorMatter,
    Meeting,
    Proposal,
)


def body_list(*, user) -> QuerySet[DeliberationBody]:
    return scope_queryset(
        DeliberationBody.objects.select_related("community", "compound", "host"), user
    )


def meeting_list(*, user) -> QuerySet[Meeting]:
    return scope_queryset(Meeting.objects.select_related("body__community"), user)


def major_matter_list(*, user) -> QuerySet[MajorMatter]:
    return scope_queryset(
        MajorMatter.objects.select_related("compound__community", "party_org"), user
    )


def action_item_list(*, user) -> QuerySet[ActionItem]:
    return scope_queryset(
        ActionItem.objects.select_related("owner", "topic__meeting__body"), user
    )


def proposal_list(*, user) -> QuerySet[Proposal]:
    return scope_queryset(Proposal.objects.select_related("community"), user)


def published_meetings(*, community) -> QuerySet[Meeting]:
    """Closed meetings of ``community`` whose decisions are still shown (公示)."""
    return (
        Meeting.objects.filter(
            body__community=community,
            status=Meeting.Status.CLOSED,
            publish_until__gte=timezone.localdate(),
        )
        .select_related("body")
        .prefetch_related("topics")
        .order_by("-starts_at")
    )


def open_proposals(*, community) -> QuerySet[Proposal]:
    return Proposal.objects.filter(community=community, status=Proposal.Status.OPEN)


# --- 我的: what a resident did under their verified phone ---------------------


def attendance_for_phone(*, phone: str, limit: int = 30):
    """The meetings the resident signed in at, newest first."""
    return (
        Attendance.objects.filter(phone=phone)
        .select_related("meeting__body")
        .order_by("-meeting__starts_at", "-id")[:limit]
    )


def proposals_supported_for_phone(*, phone: str, limit: int = 30):
    """The proposals the resident made or supported, newest first."""
    return (
        Proposal.objects.filter(supports__phone=phone)
        .order_by("-created_at", "-id")
        .distinct()[:limit]
    )


#: How far ahead the residents' meeting calendar looks, in calendar months.
CALENDAR_MONTHS_AHEAD = 2


def meetings_ahead(*, community) -> QuerySet[Meeting]:
    """The planned meetings of ``community`` from today to the end of the
    month ``CALENDAR_MONTHS_AHEAD`` months on, soonest first (public: the
    body, when, where)."""
    today = calendar.today()
    end = calendar.month_bounds(calendar.add_months(today, CALENDAR_MONTHS_AHEAD))[1]
    return (
        Meeting.objects.filter(
            body__community=community,
            status=Meeting.Status.PLANNED,
            starts_at__gte=calendar.day_bounds(today)[0],
            starts_at__lt=end,
        )
        .select_related("body", "body__compound")
        .order_by("starts_at")
    )
