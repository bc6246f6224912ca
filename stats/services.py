"""Building the roll-ups: a full rebuild for any months, and the cheap refresh
of the current month that Celery runs every few minutes. Both replace whole
months inside one transaction, so running them twice, or at once, leaves the
same rows (a concurrent second run retries after the first commits).

The GROUP BY queries here are also the "live" yardstick: the selectors' live
functions run them straight over the records to prove roll-up = live."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.models import ActionItem, AgendaTopic, DeliberationBody, Meeting
from grids.models import Compound, PartyOrganization
from grids.scoping import user_can_see
from petitions.models import Category, Petition
from volunteers.models import Activity, SignUp, Wish

from .models import (
    COMMUNITY_FIGURES,
    COVERAGE_FIGURES,
    DURATION_EDGES_MINUTES,
    PETITION_FIGURES,
    CommunityMonthly,
    DashboardToken,
    PetitionDuration,
    PetitionMonthly,
)

# --- months -------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (month_start(day) + datetime.timedelta(days=32)).replace(day=1)


def _bounds(first: datetime.date, last: datetime.date):
    """Return the aware datetimes from the start of ``first``'s month to the
    start of the month after ``last``."""
    start = timezone.make_aware(
        datetime.datetime.combine(month_start(first), datetime.time())
    )
    end = timezone.make_aware(
        datetime.datetime.combine(next_month(last), datetime.time())
    )
    return start, end


def _as_month(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = (
            timezone.localtime(value).date()
            if timezone.is_aware(value)
            else value.date()
        )
    return month_start(value)


# --- case figures -------------------------------------------------------------


def _seconds(expression):
    return ExpressionWrapper(expression, output_field=DurationField())


class EpochSeconds(Func):
    """Whole seconds since 1970 of a datetime column, on every database."""

    output_field = BigIntegerField()
    template = "FLOOR(EXTRACT(EPOCH FROM %(expressions)s))"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="unixepoch(%(expressions)s)")


def duration_bucket(since: str, until: str):
    """The histogram bucket of the whole seconds from ``since`` to ``until``."""
    seconds = EpochSeconds(until) - EpochSeconds(since)
    return Case(
        *[
            When(Q(_duration__lt=edge * 60), then=Value(index))
            for index, edge in enumerate(DURATION_EDGES_MINUTES)
        ],
        default=Value(len(DURATION_EDGES_MINUTES)),
    ), seconds


def petition_month_rows(*, start, end):
    """Return the case roll-up rows of the cases received in [start, end): one
    GROUP BY over the case table."""
    closed = Q(status=Petition.Status.CLOSED)
    return (
        Petition.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(month=TruncMonth("created_at"))
        .values("month", "community_id", "grid_id", "compound__property_company_id")
        .annotate(
            received=Count("id"),
            accepted=Count("id", filter=Q(accepted_at__isnull=False)),
            accepted_on_time=Count("id", filter=Q(accepted_at__lte=F("accept_due_at"))),
            closed=Count("id", filter=closed),
            closed_on_time=Count(
                "id", filter=closed & Q(resolved_at__lte=F("resolve_due_at"))
            ),
            rated=Count("id", filter=~Q(rating="")),
            satisfied=Count("id", filter=Q(rating=Petition.Rating.SATISFIED)),
            fairly_satisfied=Count("id", filter=Q(rating=Petition.Rating.FAIRLY)),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
            referred=Count("id", filter=Q(department__isnull=False)),
            complaints=Count("id", filter=Q(category__group=Category.Group.COMPLAINT)),
            disputes_mediated=Count(
                "id", filter=closed & Q(category__group=Category.Group.DISPUTE)
            ),
            accept_time=Sum(
                _seconds(F("accepted_at") - F("created_at")),
                filter=Q(accepted_at__isnull=False),
            ),
            close_time=Sum(_seconds(F("closed_at") - F("created_at")), filter=closed),
        )
        .order_by()
    )


def petition_duration_rows(*, cases, measure: int, by=("month",)):
    """Return (group…, bucket, cases) rows of the times to accept (measure 1)
    or to close (measure 2) of ``cases``, grouped by ``by``."""
    if measure == PetitionDuration.Measure.ACCEPT:
        cases, until = cases.filter(accepted_at__isnull=False), "accepted_at"
    else:
        cases, until = cases.filter(status=Petition.Status.CLOSED), "closed_at"
    bucket, seconds = duration_bucket("created_at", until)
    return (
        cases.annotate(month=TruncMonth("created_at"), _duration=seconds)
        .annotate(bucket=bucket)
        .values(*by, "bucket")
        .annotate(cases=Count("id"))
        .order_by()
    )


#: The case figures counted in the GROUP BY (the seconds are summed durations).
COUNTED = tuple(k for k in PETITION_FIGURES if not k.endswith("_seconds"))


def _seconds_of(value) -> int:
    return int(value.total_seconds()) if value else 0


# --- community figures --------------------------------------------------------


def community_month_rows(*, start, end) -> dict[tuple, dict]:
    """Return {(month, community id): figures} of meetings, action items and
    volunteer service in [start, end): one GROUP BY per record kind."""
    first, last_day = (
        timezone.localtime(start).date(),
        timezone.localtime(end).date() - datetime.timedelta(days=1),
    )
    rows: dict[tuple, dict] = {}

    def add(queryset, community_field, month_field, figures):
        for row in (
            queryset.annotate(month=TruncMonth(month_field))
            .values("month", community_field)
            .annotate(**figures)
            .order_by()
        ):
            key = (_as_month(row["month"]), row[community_field])
            target = rows.setdefault(key, dict.fromkeys(COMMUNITY_FIGURES, 0))
            for name in figures:
                target[name] += row[name] or 0

    held = Q(status=Meeting.Status.CLOSED)
    add(
        Meeting.objects.filter(held, starts_at__gte=start, starts_at__lt=end),
        "body__community_id",
        "starts_at",
        {"meetings_held": Count("id")},
    )
    add(
        AgendaTopic.objects.filter(
            meeting__status=Meeting.Status.CLOSED,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
        ),
        "meeting__body__community_id",
        "meeting__starts_at",
        {"topics": Count("id"), "decisions": Count("id", filter=~Q(decision=""))},
    )
    done = Q(status=ActionItem.Status.DONE)
    add(
        ActionItem.objects.filter(due_date__gte=first, due_date__lte=last_day).exclude(
            status=ActionItem.Status.CANCELLED
        ),
        "topic__meeting__body__community_id",
        "due_date",
        {
            "action_items_due": Count("id"),
            "action_items_done": Count("id", filter=done),
            "action_items_done_on_time": Count(
                "id", filter=done & Q(done_at__date__lte=F("due_date"))
            ),
        },
    )
    add(
        Activity.objects.filter(starts_at__gte=start, starts_at__lt=end),
        "community_id",
        "starts_at",
        {"activities": Count("id")},
    )
    add(
        SignUp.objects.filter(
            status=SignUp.Status.CONFIRMED,
            verified_hours__isnull=False,
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
        ),
        "activity__community_id",
        "activity__starts_at",
        {"volunteer_turnouts": Count("id"), "verified_hours": Sum("verified_hours")},
    )
    add(
        Wish.objects.filter(created_at__gte=start, created_at__lt=end),
        "community_id",
        "created_at",
        {"wishes_posted": Count("id")},
    )
    add(
        Wish.objects.filter(
            status__in=[Wish.Status.FULFILLED, Wish.Status.CONFIRMED],
            fulfilled_at__gte=start,
            fulfilled_at__lt=end,
        ),
        "community_id",
        "fulfilled_at",
        {"wishes_fulfilled": Count("id")},
    )
    return rows


def compound_covered_q() -> Q:
    """A compound is covered when its property company or one of its grids has
    a party organisation (seed 001's red-property coverage)."""
    return Q(
        Exists(
            PartyOrganization.objects.filter(
                kind=PartyOrganization.Kind.PROPERTY_BRANCH,
                property_company=OuterRef("property_company"),
            )
        )
    ) | Q(
        Exists(
            PartyOrganization.objects.filter(
                kind=PartyOrganization.Kind.GRID_BRANCH,
                grid__buildings__compound=OuterRef("pk"),
            )
        )
    )


def three_no_q() -> Q:
    """三无: no property company, no owners' committee, no supervising unit."""
    return Q(
        property_company__isnull=True,
        owners_committee__isnull=True,
        supervising_unit="",
    )


def coverage_rows(compounds=None) -> dict[int, dict]:
    """Return {community id: coverage figures} as they stand now."""
    covered = compound_covered_q()
    ab = Q(grade__in=[Compound.Grade.A, Compound.Grade.B])
    self_governed = Q(
        Exists(
            DeliberationBody.objects.filter(
                compound=OuterRef("pk"), kind=DeliberationBody.Kind.STOOL
            )
        )
    )
    rows = (
        (compounds if compounds is not None else Compound.objects.all())
        .values("community_id")
        .annotate(
            compounds=Count("id"),
            compounds_ab=Count("id", filter=ab),
            compounds_covered=Count("id", filter=covered),
            compounds_ab_covered=Count("id", filter=ab & covered),
            three_no=Count("id", filter=three_no_q()),
            three_no_self_governed=Count("id", filter=three_no_q() & self_governed),
        )
        .order_by()
    )
    return {row.pop("community_id"): row for row in rows}


# --- rebuild and refresh --------------------------------------------------------


def stats_rebuild(*, first: datetime.date, last: datetime.date) -> int:
    """Replace the roll-up rows of every month from ``first`` to ``last``.

    Coverage is a state: the current month takes it as it stands now; past
    months keep the state they were last refreshed in."""
    start, end = _bounds(first, last)
    first, last = month_start(first), month_start(last)
    this_month = month_start(timezone.localdate())
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _replace_months(first, last, start, end, this_month)
        except IntegrityError:
            continue  # another refresh of the same months committed first
    return 0


def _replace_months(first, last, start, end, this_month) -> int:
    months = Q(month__gte=first, month__lte=last)
    PetitionMonthly.objects.filter(months).delete()
    PetitionDuration.objects.filter(months).delete()
    kept_coverage = {
        (row["month"], row["community_id"]): {k: row[k] for k in COVERAGE_FIGURES}
        for row in CommunityMonthly.objects.filter(
            months, compounds__isnull=False
        ).values("month", "community_id", *COVERAGE_FIGURES)
    }
    CommunityMonthly.objects.filter(months).delete()

    case_rows = [
        PetitionMonthly(
            month=_as_month(row["month"]),
            community_id=row["community_id"],
            grid_id=row["grid_id"],
            property_company_id=row["compound__property_company_id"],
            accept_seconds=_seconds_of(row["accept_time"]),
            close_seconds=_seconds_of(row["close_time"]),
            **{key: row[key] for key in COUNTED},
        )
        for row in petition_month_rows(start=start, end=end)
    ]
    PetitionMonthly.objects.bulk_create(case_rows, batch_size=2000)

    cases = Petition.objects.filter(created_at__gte=start, created_at__lt=end)
    by = ("month", "community_id", "compound__property_company_id")
    duration_rows = [
        PetitionDuration(
            month=_as_month(row["month"]),
            community_id=row["community_id"],
            property_company_id=row["compound__property_company_id"],
            measure=measure,
            bucket=row["bucket"],
            cases=row["cases"],
        )
        for measure in PetitionDuration.Measure.values
        for row in petition_duration_rows(cases=cases, measure=measure, by=by)
    ]
    PetitionDuration.objects.bulk_create(duration_rows, batch_size=2000)

    flows = community_month_rows(start=start, end=end)
    coverage = coverage_rows() if first <= this_month <= last else {}
    for community_id in coverage:
        flows.setdefault(
            (this_month, community_id), dict.fromkeys(COMMUNITY_FIGURES, 0)
        )
    for key in kept_coverage:
        flows.setdefault(key, dict.fromkeys(COMMUNITY_FIGURES, 0))
    community_rows = []
    for (month, community_id), figures in flows.items():
        state = (
            coverage.get(community_id)
            if month == this_month
            else kept_coverage.get((month, community_id))
        ) or {}
        community_rows.append(
            CommunityMonthly(
                month=month,
                community_id=community_id,
                **{**figures, "verified_hours": Decimal(figures["verified_hours"])},
                **state,
            )
        )
    CommunityMonthly.objects.bulk_create(community_rows, batch_size=2000)
    return len(case_rows) + len(duration_rows) + len(community_rows)


def stats_refresh_current() -> int:
    """Refresh this month (and last month in its first days, when late cases of
    last month still change)."""
    today = timezone.localdate()
    first = month_start(today - datetime.timedelta(days=7))
    return stats_rebuild(first=first, last=today)


# --- dashboard tokens -----------------------------------------------------------


def dashboard_token_create(
    *, name: str, unit, created_by=None, expires_at=None
) -> tuple[DashboardToken, str]:
    """Make a token bound to ``unit`` (a district, subdistrict or community) and
    return it with its key, which is shown once and never stored."""
    if created_by is not None and not user_can_see(created_by, unit):
        raise PermissionDenied(_("You may not make a token for that unit."))
    key = DashboardToken.new_key()
    level = unit._meta.model_name
    token = DashboardToken(
        name=name,
        key_hash=DashboardToken.hash_key(key),
        prefix=key[:8],
        created_by=created_by,
        expires_at=expires_at,
        **{level: unit},
    )
    token.full_clean(exclude=["key_hash", "prefix"])
    token.save()
    return token, key


def dashboard_token_revoke(*, token: DashboardToken) -> DashboardToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
