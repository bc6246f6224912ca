"""Every read of deliberation, scoped to the asking user."""

from collections import Counter
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from core import calendar
from grids.models import Household
from grids.scoping import scope_queryset

from .models import (
    ActionItem,
    Attendance,
    DeliberationBody,
    MajorMatter,
    Meeting,
    OwnerVote,
    Proposal,
)
from .voting import owners_vote_outcome


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


# --- owners' votes on major matters ----------------------------------------------


def evote_households(*, matter: MajorMatter, phone: str) -> QuerySet[Household]:
    """The households of the matter's compound (with a floor area, so in the
    electorate) in which the register keeps a person with mobile ``phone``."""
    if not phone:
        return Household.objects.none()
    return (
        Household.objects.filter(
            unit__building__compound=matter.compound_id,
            floor_area__isnull=False,
            residents__mobile=phone,
        )
        .select_related("unit__building")
        .distinct()
        .order_by("pk")
    )


def major_matter_tally(*, matter: MajorMatter) -> dict:
    """The Article 278 count of the matter's votes so far, paper and online
    together (one per household), with totals by channel and by choice: only
    totals, never who voted how (two queries)."""
    electorate = Household.objects.filter(
        unit__building__compound=matter.compound_id, floor_area__isnull=False
    ).aggregate(area=Sum("floor_area"), owners=Count("pk"))
    # Total and votes from the same register: today's floor areas.
    votes = list(matter.votes.values_list("household__floor_area", "choice", "channel"))
    outcome = owners_vote_outcome(
        total_area=(electorate["area"] or Decimal(0)).quantize(Decimal("0.01")),
        total_owners=electorate["owners"],
        votes=[(area, choice) for area, choice, _channel in votes],
        special=matter.is_special,
    )
    by = Counter(choice for _area, choice, _channel in votes)
    channels = Counter(channel for _area, _choice, channel in votes)
    return {
        "passed": outcome.passed,
        "failed": outcome.failed,
        **outcome.figures,
        "disagree_owners": by[OwnerVote.Choice.DISAGREE],
        "abstain_owners": by[OwnerVote.Choice.ABSTAIN],
        "online_owners": channels[OwnerVote.Channel.ONLINE],
        "paper_owners": channels[OwnerVote.Channel.PAPER],
    }


def voting_matters(*, community) -> QuerySet[MajorMatter]:
    """The community's major matters put to an e-vote, newest first: those
    voting now and those decided (public: title, compound, window)."""
    return (
        MajorMatter.objects.filter(
            compound__community=community,
            voting_opens_at__isnull=False,
            status__in=[
                MajorMatter.Status.PARTY_PASSED,
                MajorMatter.Status.OWNERS_PASSED,
                MajorMatter.Status.OWNERS_REJECTED,
                MajorMatter.Status.PUBLICISED,
                MajorMatter.Status.IMPLEMENTED,
            ],
        )
        .select_related("compound")
        .order_by("-voting_opens_at", "-pk")
    )


def votes_for_phone(*, phone: str, limit: int = 30):
    """The online votes cast with the resident's phone, newest first."""
    return (
        OwnerVote.objects.filter(phone=phone)
        .select_related("matter__compound")
        .order_by("-recorded_at", "-id")[:limit]
    )
