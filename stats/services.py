"""Building the roll-ups: a full rebuild for any months, and the cheap refresh
of the current month that Celery runs every few minutes. Both replace whole
months inside one transaction, so running them twice, or at once, leaves the
same rows (a concurrent second run retries after the first commits).

The GROUP BY queries here are also the "live" yardstick: the selectors' live
functions run them straight over the records to prove roll-up = live."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BigIntegerField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from core import calendar
from core.calendar import month_start
from core.outbox import outbox_enqueue
from core.services import audit_record
from deliberation.models import ActionItem, AgendaTopic, DeliberationBody, Meeting
from grids.models import (
    Compound,
    Grid,
    Household,
    PartyOrganization,
    Patrol,
    PatrolFinding,
    Visit,
)
from grids.scoping import instance_in_scope
from grids.selectors import under_care_q
from petitions.models import Category, Petition
from volunteers.models import Activity, SignUp, Wish

from . import evaluation
from .models import (
    CARE_FIGURES,
    CASE_MIX_FIGURES,
    COMMUNITY_FIGURES,
    COVERAGE_FIGURES,
    DURATION_LADDERS,
    FIELD_FIGURES,
    PETITION_FIGURES,
    AssessmentItem,
    AssessmentScore,
    CaseMixMonthly,
    CommunityMonthly,
    CompanyEvaluation,
    DashboardToken,
    GridMonthly,
    HonourList,
    PetitionMonthly,
    within_columns,
)
from .periods import month_ranges, nightly_months, refresh_months

# --- months -------------------------------------------------------------------


def _bounds(first: datetime.date, last: datetime.date):
    """Return the aware datetimes from the start of ``first``'s month to the
    start of the month after ``last``."""
    return calendar.months_range(first, last)


def _as_month(value) -> datetime.date:
    """The month of a truncated row value (a date, or a datetime per database)."""
    return month_start(value)


# --- case figures -------------------------------------------------------------


class EpochSeconds(Func):
    """Whole seconds since 1970 of a datetime column, on every database."""

    output_field = BigIntegerField()
    template = "FLOOR(EXTRACT(EPOCH FROM %(expressions)s))"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="unixepoch(%(expressions)s)")


#: The case figures counted (the others are summed whole seconds).
COUNTED = tuple(k for k in PETITION_FIGURES if not k.endswith("_seconds"))


def case_aggregates() -> dict:
    """The aggregate of every case column of the roll-ups: the one definition
    of each case figure, used by the rebuild (grouped) and by the live
    yardstick (over any cases)."""
    closed = Q(status=Petition.Status.CLOSED)
    timed = closed & Q(closed_at__isnull=False)
    accepted = Q(accepted_at__isnull=False)
    conditions = {
        "received": None,
        "accepted": accepted,
        "accepted_on_time": Q(accepted_at__lte=F("accept_due_at")),
        "closed": closed,
        "closed_on_time": closed & Q(resolved_at__lte=F("resolve_due_at")),
        # Times to close are taken over the closed cases that say when.
        "closed_timed": timed,
        "rated": ~Q(rating=""),
        "satisfied": Q(rating=Petition.Rating.SATISFIED),
        "fairly_satisfied": Q(rating=Petition.Rating.FAIRLY),
        "reopened": Q(reopen_count__gt=0),
        "referred": Q(department__isnull=False),
        "complaints": Q(category__group=Category.Group.COMPLAINT),
        "disputes_mediated": closed & Q(category__group=Category.Group.DISPUTE),
    }
    assert tuple(conditions) == COUNTED
    # The duration ladders compare timestamps: no arithmetic on every row.
    for measure, until, condition in (
        ("accept", "accepted_at", accepted),
        ("close", "closed_at", timed),
    ):
        for column, edge in zip(
            within_columns(measure), DURATION_LADDERS[measure], strict=True
        ):
            conditions[column] = condition & Q(
                **{f"{until}__lt": F("created_at") + datetime.timedelta(minutes=edge)}
            )
    aggregates = {name: Count("id", filter=q) for name, q in conditions.items()}
    for name, until, condition in (
        ("accept_seconds", "accepted_at", accepted),
        ("close_seconds", "closed_at", timed),
    ):
        aggregates[name] = Sum(
            EpochSeconds(until) - EpochSeconds("created_at"),
            filter=condition,
            default=0,
        )
    return aggregates


#: Every additive case column of the roll-ups, figures and ladders alike.
CASE_COLUMNS = tuple(case_aggregates())


def case_totals_live(cases) -> dict:
    """Sum the case columns of ``cases`` straight from the case table: the
    live yardstick (one query)."""
    return {k: int(v or 0) for k, v in cases.aggregate(**case_aggregates()).items()}


def case_rollup_query(start, end) -> tuple[str, tuple]:
    """The one GROUP BY that yields the case roll-up rows of [start, end)."""
    return (
        Petition.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(
            f_month=TruncMonth("created_at", output_field=DateField()),
            f_company=F("compound__property_company_id"),
        )
        .values("f_month", "community_id", "grid_id", "f_company")
        .annotate(**case_aggregates())
        .order_by()
        .query.sql_with_params()
    )


def _insert_case_rollups(start, end) -> int:
    """Write the case roll-ups of [start, end) with one GROUP BY over the
    cases: they are read once and no row passes through Python."""
    grouped, params = case_rollup_query(start, end)
    quote = connection.ops.quote_name
    columns = ["month", "community_id", "grid_id", "property_company_id"]
    columns += [*CASE_COLUMNS, "refreshed_at"]
    # Our own table and column names around the ORM's own SQL and parameters.
    insert = "INSERT INTO {} ({}) SELECT {}, %s FROM ".format(  # noqa: S608
        quote(PetitionMonthly._meta.db_table),
        ", ".join(quote(c) for c in columns),
        ", ".join(quote(c) for c in ["f_month", "community_id", "grid_id", "f_company"])
        + ", "
        + ", ".join(quote(c) for c in CASE_COLUMNS),
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(insert + f"({grouped}) g", (now, *params))
            return cursor.rowcount
        # PostgreSQL runs a CREATE TABLE … AS in parallel but not an INSERT …
        # SELECT: group into a temporary table, then copy it over.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("DROP TABLE IF EXISTS stats_case_rollup_new")
        cursor.execute(
            "CREATE TEMPORARY TABLE stats_case_rollup_new ON COMMIT DROP AS " + grouped,
            params,
        )
        cursor.execute(insert + "stats_case_rollup_new", (now,))
        return cursor.rowcount


# --- case mix: category and channel -------------------------------------------


def case_mix_aggregates() -> dict:
    """The aggregate of every case-mix column: the same definitions as the
    case roll-ups (``case_aggregates``), fewer of them."""
    every = case_aggregates()
    return {name: every[name] for name in CASE_MIX_FIGURES}


#: The dimensions of a case-mix row, as read from a case.
CASE_MIX_KEYS = ("community_id", "grid_id", "compound__property_company_id")


def _insert_case_mix(start, end) -> int:
    """Write the case-mix roll-ups of [start, end): one GROUP BY over the
    cases, by month, grid, company, category and channel."""
    grouped = (
        Petition.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(f_month=TruncMonth("created_at", output_field=DateField()))
        .values("f_month", *CASE_MIX_KEYS, "category_id", "channel")
        .annotate(**case_mix_aggregates())
        .order_by()
    )
    rows = [
        CaseMixMonthly(
            month=_as_month(row["f_month"]),
            community_id=row["community_id"],
            grid_id=row["grid_id"],
            property_company_id=row["compound__property_company_id"],
            category_id=row["category_id"],
            channel=row["channel"],
            **{name: row[name] for name in CASE_MIX_FIGURES},
        )
        for row in grouped
    ]
    CaseMixMonthly.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# --- community figures --------------------------------------------------------


def _meeting_flows(start, end) -> list[tuple]:
    """Meetings held, their topics and decisions, action items falling due."""
    first = calendar.local_date(start)
    last_day = calendar.local_date(end) - datetime.timedelta(days=1)
    closed = Meeting.Status.CLOSED
    done = Q(status=ActionItem.Status.DONE)
    return [
        (
            Meeting.objects.filter(
                status=closed, starts_at__gte=start, starts_at__lt=end
            ),
            "body__community_id",
            "starts_at",
            {"meetings_held": Count("id")},
        ),
        (
            AgendaTopic.objects.filter(
                meeting__status=closed,
                meeting__starts_at__gte=start,
                meeting__starts_at__lt=end,
            ),
            "meeting__body__community_id",
            "meeting__starts_at",
            {"topics": Count("id"), "decisions": Count("id", filter=~Q(decision=""))},
        ),
        (
            ActionItem.objects.filter(
                due_date__gte=first, due_date__lte=last_day
            ).exclude(status=ActionItem.Status.CANCELLED),
            "topic__meeting__body__community_id",
            "due_date",
            {
                "action_items_due": Count("id"),
                "action_items_done": Count("id", filter=done),
                "action_items_done_on_time": Count(
                    "id", filter=done & Q(done_at__date__lte=F("due_date"))
                ),
            },
        ),
    ]


def _service_flows(start, end) -> list[tuple]:
    """Activities, verified turnouts and hours, wishes posted and fulfilled."""
    fulfilled = [Wish.Status.FULFILLED, Wish.Status.CONFIRMED]
    return [
        (
            Activity.objects.filter(starts_at__gte=start, starts_at__lt=end),
            "community_id",
            "starts_at",
            {"activities": Count("id")},
        ),
        (
            SignUp.objects.filter(
                SignUp.counted_q(),
                activity__starts_at__gte=start,
                activity__starts_at__lt=end,
            ),
            "activity__community_id",
            "activity__starts_at",
            {
                "volunteer_turnouts": Count("id"),
                "verified_hours": Sum("verified_hours"),
            },
        ),
        (
            Wish.objects.filter(created_at__gte=start, created_at__lt=end),
            "community_id",
            "created_at",
            {"wishes_posted": Count("id")},
        ),
        (
            Wish.objects.filter(
                status__in=fulfilled, fulfilled_at__gte=start, fulfilled_at__lt=end
            ),
            "community_id",
            "fulfilled_at",
            {"wishes_fulfilled": Count("id")},
        ),
    ]


def community_month_rows(*, start, end) -> dict[tuple, dict]:
    """Return {(month, community id): figures} of meetings, action items and
    volunteer service in [start, end): one GROUP BY per record kind."""
    rows: dict[tuple, dict] = {}
    for queryset, community_field, month_field, figures in _meeting_flows(
        start, end
    ) + _service_flows(start, end):
        grouped = (
            queryset.annotate(month=TruncMonth(month_field))
            .values("month", community_field)
            .annotate(**figures)
            .order_by()
        )
        for row in grouped:
            key = (_as_month(row["month"]), row[community_field])
            target = rows.setdefault(key, dict.fromkeys(COMMUNITY_FIGURES, 0))
            for name in figures:
                target[name] += row[name] or 0
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


# --- field work of grids --------------------------------------------------------


def field_month_rows(*, start, end, grids=None) -> dict[tuple, dict]:
    """Return {(month, grid id): figures and the grid's community id} of the
    patrols, findings and home visits in [start, end) (of ``grids``, a Grid
    queryset, or all): one GROUP BY per record kind."""
    rows: dict[tuple, dict] = {}

    def add(queryset, grid, month_field, figures):
        # ``grid``: the path from the record to its grid.
        if grids is not None:
            queryset = queryset.filter(**{f"{grid}__in": grids.values("pk")})
        for row in (
            queryset.annotate(month=TruncMonth(month_field))
            .values("month", f"{grid}_id", f"{grid}__community_id")
            .annotate(**figures)
            .order_by()
        ):
            target = rows.setdefault(
                (_as_month(row["month"]), row[f"{grid}_id"]),
                {
                    "community_id": row[f"{grid}__community_id"],
                    **dict.fromkeys(FIELD_FIGURES, 0),
                },
            )
            for name in figures:
                target[name] += row[name] or 0

    add(
        Patrol.objects.filter(started_at__gte=start, started_at__lt=end),
        "grid",
        "started_at",
        {"patrols": Count("id")},
    )
    add(
        PatrolFinding.objects.filter(created_at__gte=start, created_at__lt=end),
        "patrol__grid",
        "created_at",
        {
            "patrol_findings": Count("id"),
            "findings_to_cases": Count("id", filter=Q(case__isnull=False)),
        },
    )
    add(
        Visit.objects.filter(visited_at__gte=start, visited_at__lt=end),
        "household__unit__building__grid",
        "visited_at",
        {"visits": Count("id")},
    )
    return rows


def care_rows(*, month: datetime.date, grids=None) -> dict[int, dict]:
    """Return {grid id: visit coverage} as it stands now: the households
    under a care plan, and how many had a visit in ``month``; every grid (of
    ``grids``, or all) has a row, with zeros where nobody is under care."""
    start, end = calendar.month_bounds(month)
    grids = grids if grids is not None else Grid.objects.all()
    rows = {
        pk: {"community_id": community_id, **dict.fromkeys(CARE_FIGURES, 0)}
        for pk, community_id in grids.values_list("pk", "community_id")
    }
    visited = Exists(
        Visit.objects.filter(
            household=OuterRef("pk"), visited_at__gte=start, visited_at__lt=end
        )
    )
    for row in (
        Household.objects.filter(under_care_q(), unit__building__grid__in=grids)
        .values("unit__building__grid_id")
        .annotate(
            care_households=Count("id"),
            care_households_visited=Count("id", filter=Q(visited)),
        )
        .order_by()
    ):
        grid_id = row.pop("unit__building__grid_id")
        rows[grid_id].update(row)
    return rows


def _replace_grid_months(months: Q, start, end, this_month, in_range: bool) -> int:
    """Replace the field-work roll-ups of the months: flows from the records,
    coverage as it stands for the current month, kept for past months."""
    kept = {
        (row.pop("month"), row.pop("grid_id")): row
        for row in GridMonthly.objects.filter(
            months, care_households__isnull=False
        ).values("month", "grid_id", "community_id", *CARE_FIGURES)
    }
    GridMonthly.objects.filter(months).delete()
    flows = field_month_rows(start=start, end=end)
    care = care_rows(month=this_month) if in_range else {}
    states = {(this_month, grid_id): row for grid_id, row in care.items()}
    for month, grid_id in kept:
        if month != this_month:
            states[(month, grid_id)] = kept[(month, grid_id)]
    rows = []
    for key in flows.keys() | states.keys():
        flow = flows.get(key, {})
        state = states.get(key, {})
        rows.append(
            GridMonthly(
                month=key[0],
                grid_id=key[1],
                community_id=flow.get("community_id") or state["community_id"],
                **{k: flow.get(k, 0) for k in FIELD_FIGURES},
                **{k: state.get(k) for k in CARE_FIGURES},
            )
        )
    GridMonthly.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# --- rebuild and refresh --------------------------------------------------------


def stats_rebuild(*, first: datetime.date, last: datetime.date) -> int:
    """Replace the roll-up rows of every month from ``first`` to ``last``.

    Coverage (of compounds, and of households under care by visits) is a
    state: the current month takes it as it stands now; past months keep the
    state they were last refreshed in."""
    start, end = _bounds(first, last)
    first, last = month_start(first), month_start(last)
    this_month = month_start(calendar.today())
    attempts = 5
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                _serialise_rebuilds()
                return _replace_months(first, last, start, end, this_month)
        except IntegrityError:
            # Another rebuild of the same months committed first: run again
            # on top of it, and let a persistent conflict be seen.
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _serialise_rebuilds() -> None:
    """On PostgreSQL, one rebuild at a time (until its transaction ends): an
    overlapping refresh waits instead of colliding or deadlocking. SQLite
    serialises writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REBUILD_LOCK])


#: The advisory-lock key of the roll-up rebuilds ("stats" in ASCII).
REBUILD_LOCK = 0x7374617473


def _replace_months(first, last, start, end, this_month) -> int:
    months = Q(month__gte=first, month__lte=last)
    PetitionMonthly.objects.filter(months).delete()
    CaseMixMonthly.objects.filter(months).delete()
    kept_coverage = {
        (row["month"], row["community_id"]): {k: row[k] for k in COVERAGE_FIGURES}
        for row in CommunityMonthly.objects.filter(
            months, compounds__isnull=False
        ).values("month", "community_id", *COVERAGE_FIGURES)
    }
    CommunityMonthly.objects.filter(months).delete()

    case_rows = _insert_case_rollups(start, end) + _insert_case_mix(start, end)

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
    grid_rows = _replace_grid_months(
        months, start, end, this_month, first <= this_month <= last
    )
    return case_rows + len(community_rows) + grid_rows


#: How far back the five-minute refresh looks for changed cases: more than
#: its period, so that a late or slow run misses nothing.
REFRESH_LOOKBACK = datetime.timedelta(minutes=15)


def stats_refresh_current() -> int:
    """Refresh this month (and last month in its first week) and every month
    whose cases changed lately: a case is counted in the month it came in, and
    is accepted, closed, rated or reopened weeks later."""
    months = refresh_months(calendar.today())
    changed = Petition.objects.filter(
        updated_at__gte=timezone.now() - REFRESH_LOOKBACK
    ).datetimes("created_at", "month")
    months |= {_as_month(moment) for moment in changed}
    return sum(
        stats_rebuild(first=first, last=last) for first, last in month_ranges(months)
    )


def stats_rebuild_recent() -> int:
    """Rebuild the last thirteen months (nightly)."""
    first, last = nightly_months(calendar.today())
    return stats_rebuild(first=first, last=last)


# --- dashboard tokens -----------------------------------------------------------


@transaction.atomic
def dashboard_token_create(
    *, name: str, unit, created_by=None, expires_at=None
) -> tuple[DashboardToken, str]:
    """Make a token bound to ``unit`` (a district, subdistrict or community) and
    return it with its key, which is shown once and never stored."""
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
    # The maker must hold the whole unit: subdistrict staff see their
    # district's name but may not hand out a key to all of its figures.
    if created_by is not None and not instance_in_scope(created_by, token):
        raise PermissionDenied(_("You may not make a token for that unit."))
    token.full_clean(exclude=["key_hash", "prefix"])
    token.save()
    audit_record(
        actor=created_by,
        action="dashboardtoken.create",
        target=token,
        changes={"name": name, level: unit.pk, "prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def dashboard_token_revoke(*, token: DashboardToken, actor=None) -> DashboardToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="dashboardtoken.revoke", target=token)
    return token


# --- evaluation of property companies ---------------------------------------------


@transaction.atomic
def evaluation_rebuild(*, quarter: datetime.date) -> int:
    """Replace every company evaluation of the quarter of ``quarter`` (its
    compounds, communities and districts) from the records and the
    assessment scores; run twice, it leaves the same rows."""
    quarter = calendar.quarter_start(quarter)
    _serialise_rebuilds()
    CompanyEvaluation.objects.filter(quarter=quarter).delete()
    assessed = evaluation.assessments_of(quarter)
    rows = []
    for (level, company, district, community, compound), figures in sorted(
        evaluation.roll_up(evaluation.quarter_atoms(quarter)).items(),
        key=lambda item: tuple(-1 if v is None else v for v in item[0][1:]),
    ):
        score, breakdown = evaluation.score_unit(
            figures, assessed.get((company, district), [])
        )
        rows.append(
            CompanyEvaluation(
                quarter=quarter,
                level=level,
                property_company_id=company,
                district_id=district,
                community_id=community,
                compound_id=compound,
                cases=figures["received"],
                score=score,
                breakdown=breakdown,
            )
        )
    CompanyEvaluation.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def evaluation_rebuild_recent() -> int:
    """Rebuild this quarter's evaluations (so far) and the last quarter's
    (cases closed and rated late, scores entered after it ended)."""
    this_quarter = calendar.quarter_start(calendar.today())
    last_quarter = calendar.quarter_start(calendar.add_months(this_quarter, -1))
    return evaluation_rebuild(quarter=last_quarter) + evaluation_rebuild(
        quarter=this_quarter
    )


@transaction.atomic
def assessment_score_enter(
    *,
    item: AssessmentItem,
    property_company,
    quarter: datetime.date,
    score: Decimal,
    evidence: str,
    actor,
) -> AssessmentScore:
    """Enter (or correct) a company's score on an assessment item for a
    quarter, audited; the quarter's evaluation is rebuilt after the commit."""
    if actor is not None and not instance_in_scope(actor, item):
        raise PermissionDenied(_("That assessment item is not yours."))
    quarter = calendar.quarter_start(quarter)
    entry = AssessmentScore.objects.filter(
        item=item, property_company=property_company, quarter=quarter
    ).first() or AssessmentScore(
        item=item, property_company=property_company, quarter=quarter
    )
    before = None if entry.pk is None else str(entry.score)
    entry.score = score
    entry.evidence = evidence
    entry.entered_by = actor
    entry.full_clean()
    entry.save()
    audit_record(
        actor=actor,
        action="assessmentscore.enter",
        target=entry,
        changes={"score": [before, str(score)], "evidence": evidence[:200]},
    )
    outbox_enqueue("stats.evaluate_companies", quarter=quarter.isoformat())
    return entry


#: A company scoring this or more passes and is never put on the 黑榜, even
#: as the last of a district of good companies.
BLACK_LIST_BELOW = Decimal(60)


def honour_list_entries(*, district, quarter: datetime.date, size: int) -> dict:
    """The 红黑榜 of a district's quarter from its district-level evaluations,
    with the rules that made it: the 红榜 the ``size`` best scored companies
    (at most half of them, rounded up), the 黑榜 the ``size`` worst of the
    others (at most half, rounded down) that score below the pass mark."""
    scored = list(
        CompanyEvaluation.objects.filter(
            quarter=calendar.quarter_start(quarter),
            level=CompanyEvaluation.Level.DISTRICT,
            district=district,
            score__isnull=False,
        )
        .select_related("property_company")
        .order_by("-score", "property_company__name")
    )

    def entry(row):
        return {
            "company_id": row.property_company_id,
            "company": row.property_company.name,
            "score": float(row.score),
            "cases": row.cases,
        }

    red = scored[: min(size, (len(scored) + 1) // 2)]
    others = scored[len(red) :][::-1][: min(size, len(scored) // 2)]
    return {
        "red": [entry(row) for row in red],
        "black": [entry(row) for row in others if row.score < BLACK_LIST_BELOW],
        "rules": {
            "size": size,
            "black_below": float(BLACK_LIST_BELOW),
            "min_cases": evaluation.MIN_CASES_TO_SCORE,
            "scored": len(scored),
            "weights": {i.key: i.weight for i in evaluation.INDICATORS},
        },
    }


@transaction.atomic
def honour_list_publish(
    *, district, quarter: datetime.date, actor, size: int = 3
) -> HonourList:
    """Publish (or publish again) the 红黑榜 of a district's quarter: a
    snapshot of its evaluations, which later rebuilds do not change."""
    if actor is not None and not instance_in_scope(
        actor, HonourList(district=district)
    ):
        raise PermissionDenied(_("You may not publish that district's list."))
    quarter = calendar.quarter_start(quarter)
    if quarter > calendar.today():
        raise ValidationError(_("The quarter has not begun yet."))
    entries = honour_list_entries(district=district, quarter=quarter, size=size)
    honour, _created = HonourList.objects.update_or_create(
        district=district,
        quarter=quarter,
        defaults={
            "size": size,
            "entries": entries,
            "published_at": timezone.now(),
            "published_by": actor,
        },
    )
    honour.full_clean()
    audit_record(
        actor=actor,
        action="honourlist.publish",
        target=honour,
        changes={"red": len(entries["red"]), "black": len(entries["black"])},
    )
    return honour
