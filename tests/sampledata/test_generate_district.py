"""``generate_district`` builds a district of the requested shape whose rows hang
together, gives the same data for the same seed, and refuses a database that
already has a district."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.db.models import F
from django.utils.dateparse import parse_datetime

from deliberation.models import ActionItem, AgendaTopic, Meeting
from grids.models import (
    Building,
    Community,
    Compound,
    District,
    Grid,
    Household,
    PropertyCompany,
    Subdistrict,
)
from petitions.models import Petition
from volunteers.models import SignUp, Wish

NOW = "2025-06-30T18:00:00+08:00"
SHAPE = {
    "subdistricts": 3,
    "communities": 10,
    "grids": 40,
    "companies": 4,
    "seed": 1,
    "now": NOW,
    "no_rollups": True,
}

TINY = {"scale": 0.001, "subdistricts": 2, "communities": 4, "grids": 8}


def generate(**options):
    out = io.StringIO()
    call_command("generate_district", stdout=out, stderr=out, **{**SHAPE, **options})
    return out.getvalue()


@pytest.fixture
def district(db):
    """A small district with enough months of meetings and activities to check."""
    generate(scale=0.01)
    return District.objects.get()


def test_generate_district_builds_the_requested_shape(district):
    """The organisation has exactly the requested counts; volumes follow scale."""
    assert Subdistrict.objects.filter(district=district).count() == 3
    assert Community.objects.count() == 10
    assert Grid.objects.count() == 40
    assert PropertyCompany.objects.count() == 4
    assert Petition.objects.count() == 10_000  # 1,000,000 × 0.01
    assert Household.objects.count() >= 1_000
    for community in Community.objects.all():
        assert 8 <= community.compounds.count() <= 15
        assert community.grids.exists()
    # Some compounds are self-governed (三无), most have a company.
    three_no = Compound.objects.filter(
        property_company=None, supervising_unit="", owners_committee=None
    )
    assert three_no.exists()
    assert Compound.objects.exclude(property_company=None).count() > three_no.count()
    # Every grid has buildings, and a building's grid is in its compound's community.
    assert not Grid.objects.filter(buildings=None).exists()
    assert not Building.objects.exclude(
        grid__community=F("compound__community")
    ).exists()


def test_generate_district_cases_hang_together(district):
    """Every case's grid, compound and building lie in its community and fit
    each other; deadlines follow the category; timestamps are in order."""
    cases = Petition.objects.all()
    _check_places_fit(cases)
    now = parse_datetime(NOW)
    for case in cases.select_related("category"):
        _check_deadlines_and_times(case, now)
        _check_state_fits(case)


def _check_places_fit(cases):
    """A case with a grid has its community's grid, compound and building, and
    they fit each other; a case without a grid names no building."""
    with_grid = cases.exclude(grid=None)
    assert with_grid.exists() and cases.filter(grid=None).exists()
    assert not with_grid.exclude(grid__community=F("community")).exists()
    assert not with_grid.exclude(compound__community=F("community")).exists()
    assert not with_grid.exclude(building__compound=F("compound")).exists()
    assert not with_grid.exclude(building__grid=F("grid")).exists()
    assert not cases.filter(grid=None, building__isnull=False).exists()


def _check_deadlines_and_times(case, now):
    """The deadlines are the category's hours after filing; filed, accepted,
    resolved and closed follow each other and none lies after ``now``."""
    assert case.created_at <= now
    assert case.accept_due_at - case.created_at == datetime.timedelta(
        hours=case.category.accept_hours
    )
    assert case.resolve_due_at - case.created_at == datetime.timedelta(
        hours=case.category.resolve_hours
    )
    assert case.updated_at >= case.created_at
    if case.accepted_at:
        assert case.created_at < case.accepted_at <= now
    if case.resolved_at:
        assert case.accepted_at < case.resolved_at <= now
    if case.closed_at:
        assert case.created_at <= case.closed_at <= now


def _check_state_fits(case):
    """A case is closed exactly when its state is final; only closed cases are
    rated; a merged case points to an earlier case of its community; a new case
    is not accepted."""
    closed = {Petition.Status.CLOSED, Petition.Status.REJECTED, Petition.Status.MERGED}
    assert (case.closed_at is not None) == (case.status in closed)
    if case.rating:
        assert case.status == Petition.Status.CLOSED
    if case.status == Petition.Status.MERGED:
        assert case.merged_into.community_id == case.community_id
        assert case.merged_into_id < case.pk
    if case.status == Petition.Status.SUBMITTED:
        assert case.accepted_at is None


def test_generate_district_distributions_are_realistic(district):
    """Most cases are accepted in time and closed; some are late, open, overdue,
    reopened, referred; closed cases carry every kind of rating and none."""
    cases = Petition.objects.all()
    total = cases.count()
    on_time = cases.filter(accepted_at__lte=F("accept_due_at")).count()
    late = cases.filter(accepted_at__gt=F("accept_due_at")).count()
    assert on_time > 0.8 * total and late > 0.02 * total
    closed = cases.filter(status=Petition.Status.CLOSED)
    assert closed.count() > 0.85 * total
    open_cases = cases.filter(status__in=Petition.OPEN_STATUSES)
    assert open_cases.exists()
    assert open_cases.filter(resolve_due_at__lt=parse_datetime(NOW)).exists()
    assert cases.filter(reopen_count__gt=0).exists()
    assert cases.exclude(department=None).exists()
    ratings = set(closed.values_list("rating", flat=True))
    assert ratings == {*Petition.Rating.values, ""}
    satisfied = closed.filter(rating=Petition.Rating.SATISFIED).count()
    assert satisfied > closed.filter(rating=Petition.Rating.DISSATISFIED).count()


def test_generate_district_meetings_and_volunteers_hang_together(district):
    """Meetings have decisions and action items due after the meeting, some
    done late; sign-ups and wishes stay in their community."""
    assert Meeting.objects.filter(status=Meeting.Status.CLOSED).exists()
    assert AgendaTopic.objects.exclude(decision="").exists()
    items = ActionItem.objects.select_related("topic__meeting")
    assert items.exists()
    for item in items:
        assert item.due_date >= item.topic.meeting.series_date
        assert (item.done_at is not None) == (item.status == ActionItem.Status.DONE)
    for topic in AgendaTopic.objects.exclude(carried_item=None).select_related(
        "meeting", "carried_item__topic__meeting"
    ):
        earlier = topic.carried_item.topic.meeting
        assert earlier.body_id == topic.meeting.body_id
        assert earlier.starts_at < topic.meeting.starts_at
    for topic in AgendaTopic.objects.exclude(petition=None).select_related(
        "petition", "meeting__body"
    ):
        assert topic.petition.community_id == topic.meeting.body.community_id
    verified = SignUp.objects.exclude(verified_hours=None)
    assert verified.exists()
    assert not verified.filter(check_in_at=None).exists()
    assert not SignUp.objects.exclude(
        person__community=F("activity__community")
    ).exists()
    assert Wish.objects.filter(status="confirmed").exists()
    assert not Wish.objects.filter(
        status__in=["claimed", "fulfilled", "confirmed"], claimer_phone=""
    ).exists()


def test_generate_district_enters_fees_for_managed_compounds(district):
    """Every compound with a property company has a fee entry each month, with
    no more households paying than billed; the district rate is realistic."""
    from django.db.models import Sum

    from grids.models import Compound
    from stats.models import FeeCollection

    managed = Compound.objects.filter(property_company__isnull=False)
    fees = FeeCollection.objects.all()
    assert set(fees.values_list("compound_id", flat=True)) == set(
        managed.values_list("pk", flat=True)
    )
    assert not fees.filter(households_paid__gt=models.F("households_billed"))
    totals = fees.aggregate(
        paid=Sum("households_paid"), billed=Sum("households_billed")
    )
    assert 0.8 < totals["paid"] / totals["billed"] < 1


def test_generate_district_refuses_a_database_with_a_district(db):
    """A second run without --force stops with a clear error and writes nothing."""
    generate(**TINY)
    with pytest.raises(CommandError, match="--force"):
        generate(**TINY)
    assert District.objects.count() == 1
    assert Petition.objects.count() == 1_000


def test_generate_district_refuses_a_bad_scale(db):
    with pytest.raises(CommandError):
        generate(scale=0)
    assert not District.objects.exists()


def _fingerprint(district):
    """What a district's data looks like, apart from its unique names and tokens."""
    cases = Petition.objects.filter(community__subdistrict__district=district)
    return {
        "communities": Community.objects.filter(subdistrict__district=district).count(),
        "households": Household.objects.filter(
            unit__building__compound__community__subdistrict__district=district
        ).count(),
        "meetings": Meeting.objects.filter(
            body__community__subdistrict__district=district
        ).count(),
        "cases": list(
            cases.order_by("created_at", "id").values_list(
                "category__code",
                "status",
                "rating",
                "reopen_count",
                "created_at",
                "accepted_at",
                "closed_at",
                "reporter_name",
            )
        ),
    }


def test_generate_district_same_seed_gives_the_same_data(db):
    """Two runs with one seed and one --now differ only in names and tokens."""
    generate(**TINY)
    generate(**TINY, force=True)
    first, second = District.objects.order_by("pk")
    assert first.name != second.name
    assert _fingerprint(first) == _fingerprint(second)
    assert len(_fingerprint(first)["cases"]) == 1_000
    tokens = Petition.objects.values_list("tracking_token", flat=True)
    assert len(set(tokens)) == 2_000


def test_generate_district_survives_failing_rollups(db, monkeypatch):
    """If the roll-ups cannot be built, the command says what to run instead."""

    def broken(**kwargs):
        raise RuntimeError("stats are being rebuilt")

    monkeypatch.setattr("stats.services.stats_rebuild", broken)
    output = generate(
        scale=0.0005, subdistricts=1, communities=2, grids=2, no_rollups=False
    )
    assert "rebuild_stats --from 2022-06 --to 2025-06" in output
    assert Petition.objects.count() == 500


def _case_table_schema():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'petitions_petition' "
            "UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid = 'petitions_petition'::regclass "
            "ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL loads cases by COPY"
)
def test_generate_district_restores_case_indexes_on_postgresql(db, monkeypatch):
    """The bulk load drops the case table's indexes and foreign keys and puts
    every one of them back, and the id sequence continues after the load."""
    before = _case_table_schema()
    monkeypatch.setattr("sampledata.district.cases.DEFER_INDEXES_FROM", 0)
    generate(**TINY)
    assert _case_table_schema() == before
    case = Petition.objects.get(pk=Petition.objects.order_by("pk").last().pk)
    case.pk = None
    case.number = "copy"
    case.tracking_token = "copy"
    case.save()
    assert case.pk == 1_000 + Petition.objects.order_by("pk").first().pk


def test_generate_district_writes_nothing_after_its_now(db):
    """Generated as of a moment in the past: no meeting that has not ended is
    closed, no row (the planned meetings included) is stamped later than the
    moment, cancelled meetings say why, and the month in progress has no fee
    entry yet."""
    from django.apps import apps
    from django.utils.dateparse import parse_datetime

    from deliberation.models import Meeting
    from stats.models import FeeCollection

    moment = "2025-06-14T15:30:00+08:00"  # the 14th, 15:00–16:30
    generate(now=moment, scale=0.01)
    now = parse_datetime(moment)
    assert not Meeting.objects.filter(status="closed", ends_at__gt=now).exists()
    late = {}
    for model in apps.get_models():
        if model.__name__ in {"Category", "Department", "AuditEvent"}:
            continue  # reference data and the audit row use the real clock
        for stamp in ("created_at", "updated_at"):
            if stamp in {f.name for f in model._meta.concrete_fields}:
                count = model.objects.filter(**{f"{stamp}__gt": now}).count()
                if count:
                    late[f"{model.__name__}.{stamp}"] = count
    assert late == {}
    assert not FeeCollection.objects.filter(month="2025-06-01").exists()
    assert FeeCollection.objects.filter(month="2025-05-01").exists()
    cancelled = Meeting.objects.filter(status="cancelled")
    assert not cancelled.filter(minutes="").exists()


def test_generate_district_timelines_follow_the_workflow(db):
    """With --timelines each case has its timeline: the report, then steps each
    of which ``petitions.workflow`` allows from the state before and leads
    where it says, ending in the case's state; and, for staff only, one
    escalation per level the case climbed."""
    from petitions.models import PetitionEvent
    from petitions.workflow import status_after

    generate(**TINY, timelines=True)
    timelines: dict[int, list] = {}
    for event in PetitionEvent.objects.order_by("created_at", "pk"):
        timelines.setdefault(event.petition_id, []).append(event)
    cases = Petition.objects.all()
    assert set(timelines) == set(cases.values_list("pk", flat=True))
    for case in cases:
        steps = [e for e in timelines[case.pk] if e.action != "escalate"]
        assert steps[0].action == "submit", case.number
        has_handler = accepted = False
        for step in steps[1:]:
            assert step.to_status == status_after(
                step.action,
                step.from_status,
                has_handler=has_handler,
                was_accepted=accepted,
            ), case.number
            has_handler = has_handler or step.action == "dispatch"
            accepted = accepted or step.action in ("accept", "dispatch")
        assert steps[-1].to_status == case.status, case.number
        climbs = [e for e in timelines[case.pk] if e.action == "escalate"]
        start = Petition.Level.GRID if case.building_id else Petition.Level.COMMUNITY
        assert len(climbs) == max(0, case.escalation_level - start), case.number
        assert not any(e.is_public for e in climbs)
