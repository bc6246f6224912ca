"""Roll-ups equal the live count for every figure, survive re-runs and keep
coverage as it stood each month."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core import calendar
from grids.models import Compound, PartyOrganization, Person
from petitions.models import Petition
from petitions.selectors import petition_list
from petitions.services import petition_transition
from stats.models import (
    DURATION_LADDERS,
    FIELD_FIGURES,
    CommunityMonthly,
    FeeCollection,
    GridMonthly,
    PetitionMonthly,
)
from stats.selectors import (
    Area,
    _case_figures,
    stats_drilldown,
    stats_series,
    stats_summary,
    stats_summary_live,
)
from stats.services import stats_rebuild, stats_refresh_current
from tests import clock
from tests.clock import month
from tests.grids import factories as gf
from tests.stats.conftest import period


def _months():
    """This month and the three before."""
    return month(3), calendar.today()


def _median_hours(durations, ladder) -> float | None:
    """Lower median of the durations as the first edge it falls within,
    counted here in Python (not with the roll-ups' SQL)."""
    if not durations:
        return None
    middle = sorted(durations)[(len(durations) + 1) // 2 - 1]
    for edge in ladder:
        if middle < datetime.timedelta(minutes=edge):
            return round(edge / 60, 2)
    return round(ladder[-1] / 60, 2)


def _expected_cases(cases) -> dict:
    """The case figures counted one case at a time in Python."""
    closed = [p for p in cases if p.status == "closed"]
    accepted = [p for p in cases if p.accepted_at]
    totals = {
        "received": len(cases),
        **_handling_totals(accepted, closed),
        **_rating_totals(cases),
        **_outcome_totals(cases, closed),
    }
    return {
        **_case_figures(totals),
        "median_hours_to_accept": _median_hours(
            [p.accepted_at - p.created_at for p in accepted],
            DURATION_LADDERS["accept"],
        ),
        "median_hours_to_close": _median_hours(
            [p.closed_at - p.created_at for p in closed],
            DURATION_LADDERS["close"],
        ),
    }


def _handling_totals(accepted, closed) -> dict:
    """How many cases were accepted and closed, how many on time, and the
    seconds they took."""
    return {
        "accepted": len(accepted),
        "accepted_on_time": sum(
            1 for p in accepted if p.accepted_at <= p.accept_due_at
        ),
        "closed": len(closed),
        "closed_on_time": sum(1 for p in closed if p.resolved_at <= p.resolve_due_at),
        "accept_seconds": sum(
            int((p.accepted_at - p.created_at).total_seconds()) for p in accepted
        ),
        "closed_timed": sum(1 for p in closed if p.closed_at),
        "close_seconds": sum(
            int((p.closed_at - p.created_at).total_seconds())
            for p in closed
            if p.closed_at
        ),
    }


def _rating_totals(cases) -> dict:
    """How residents rated their cases."""
    return {
        "rated": sum(1 for p in cases if p.rating),
        "satisfied": sum(1 for p in cases if p.rating == "satisfied"),
        "fairly_satisfied": sum(1 for p in cases if p.rating == "fairly"),
    }


def _outcome_totals(cases, closed) -> dict:
    """Reopened and referred cases, complaints, and disputes mediated."""
    return {
        "reopened": sum(1 for p in cases if p.reopen_count),
        "referred": sum(1 for p in cases if p.department_id),
        "complaints": sum(1 for p in cases if p.category.group == "complaint"),
        "disputes_mediated": sum(1 for p in closed if p.category.group == "dispute"),
    }


def _expected_community(records, community_ids) -> dict:
    """Meetings, action items and service counted record by record."""
    return {
        **_expected_meetings(records, community_ids),
        **_expected_service(records, community_ids),
    }


def _expected_meetings(records, community_ids) -> dict:
    """Meetings held, their topics and decisions, and their action items."""
    meetings = [
        m
        for m in records["meetings"]
        if m.status == "closed" and m.body.community_id in community_ids
    ]
    topics = [t for t in records["topics"] if t.meeting in meetings]
    items = [
        i
        for i in records["items"]
        if i.topic.meeting.body.community_id in community_ids
        and i.status != "cancelled"
    ]
    done = [i for i in items if i.status == "done"]
    return {
        "meetings_held": len(meetings),
        "topics": len(topics),
        "decisions": sum(1 for t in topics if t.decision),
        "action_items_due": len(items),
        "action_items_done": len(done),
        "action_items_done_on_time": sum(
            1 for i in done if timezone.localtime(i.done_at).date() <= i.due_date
        ),
    }


def _expected_service(records, community_ids) -> dict:
    """Activities, verified volunteer turnouts and hours, and wishes."""
    signups = [
        s
        for s in records["signups"]
        if s.activity.community_id in community_ids
        and s.status == "confirmed"
        and s.verified_hours is not None
    ]
    wishes = [w for w in records["wishes"] if w.community_id in community_ids]
    return {
        "activities": len(
            {
                s.activity_id
                for s in records["signups"]
                if s.activity.community_id in community_ids
            }
        ),
        "volunteer_turnouts": len(signups),
        "verified_hours": float(sum((s.verified_hours for s in signups), Decimal(0))),
        "wishes_posted": len(wishes),
        "wishes_fulfilled": sum(1 for w in wishes if w.status != "published"),
    }


@pytest.mark.parametrize("username", ["superuser", "district", "street", "community"])
def test_rollup_equals_live_for_every_figure(world, records, username):
    """For each role, every figure of the summary from the roll-ups equals the
    same figure computed live and counted record by record in Python."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    user = world.users[username]
    rolled = stats_summary(user=user, area=Area(), first=first, last=last)
    live = stats_summary_live(user=user, area=Area(), first=first, last=last)
    assert rolled == live

    visible = list(
        Petition.objects.select_related("category")
        if user.is_superuser
        else petition_list(user=user).select_related("category")
    )
    expected = _expected_cases(visible)
    means = ("mean_hours_to_accept", "mean_hours_to_close")
    for key in means:  # seconds summed per group in SQL, per case here
        assert abs(rolled["cases"][key] - expected[key]) <= 0.01
    assert {k: v for k, v in rolled["cases"].items() if k not in means} == {
        k: v for k, v in expected.items() if k not in means
    }
    assert rolled["cases"]["complaints"] > 0 or username == "street"
    communities = {
        "superuser": {world.c1.pk, world.c2.pk, world.c3.pk},
        "district": {world.c1.pk, world.c2.pk, world.c3.pk},
        "street": {world.c1.pk, world.c2.pk},
        "community": {world.c1.pk},
    }[username]
    service = rolled["meetings_and_service"]
    figures = _expected_community(records, communities)
    assert {k: service[k] for k in figures} == figures
    assert service["meetings_held"] > 0 and service["verified_hours"] > 0


def test_rollup_equals_live_for_every_kind_of_unit(world, records):
    """Narrowed to a district, a subdistrict, a community, a grid or a company,
    the roll-ups still equal the live figures."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    user = world.users["superuser"]
    for area in (
        Area("district", world.district.pk),
        Area("subdistrict", world.s1.pk),
        Area("subdistrict", world.s2.pk),
        Area("community", world.c1.pk),
        Area("grid", world.grids["G1"].pk),
        Area("grid", world.grids["G4"].pk),
        Area("property_company", world.company.pk),
    ):
        rolled = stats_summary(user=user, area=area, first=first, last=last)
        assert rolled == stats_summary_live(
            user=user, area=area, first=first, last=last
        ), area
    grid = stats_summary(
        user=user, area=Area("grid", world.grids["G1"].pk), first=first, last=last
    )
    g1_cases = [p for p in records["cases"] if p.grid_id == world.grids["G1"].pk]
    assert grid["cases"]["received"] == len(g1_cases)


def test_coverage_fees_and_medians_are_counted_right(world, records):
    """Coverage counts covered, A/B, 三无 and self-governed compounds and
    companies with a party organisation; fees sum over the months."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    summary = stats_summary(
        user=world.users["community"],
        area=Area("community", world.c1.pk),
        first=first,
        last=last,
    )
    coverage = summary["coverage"]
    # 民生·壹号院 (A, company branch) covered; 老厂宿舍 (B) not; two 三无, one
    # with a small-stool meeting; 业委会院 has a committee.
    assert coverage["compounds"] == 5
    assert coverage["compounds_ab"] == 2
    assert coverage["compounds_ab_covered"] == 1
    assert coverage["ab_coverage_rate"] == 0.5
    assert coverage["three_no"] == 2
    assert coverage["three_no_self_governed"] == 1
    assert coverage["companies"] == 1 and coverage["companies_with_party_org"] == 1
    fees = summary["fees"]
    assert fees["households_billed"] == 200 and fees["households_paid"] == 185
    assert fees["collection_rate"] == 0.925
    assert fees["amount_rate"] == 0.925


def test_grid_fee_rate_is_the_same_by_month_and_in_total(world, built):
    """A compound with two buildings in a grid counts once."""
    g1 = world.grids["G1"]
    k1 = Compound.objects.get(name="民生·壹号院")
    gf.BuildingFactory(compound=k1, grid=g1)
    other = gf.CompoundFactory(community=world.c1, name="单楼院")
    gf.BuildingFactory(compound=other, grid=g1)
    month = timezone.localdate().replace(day=1)
    FeeCollection.objects.filter(compound=k1).delete()
    for compound, paid in ((k1, 50), (other, 100)):
        FeeCollection.objects.create(
            compound=compound,
            month=month,
            households_billed=100,
            households_paid=paid,
            amount_due=100,
            amount_collected=paid,
        )
    user = world.users["superuser"]
    area = Area(kind="grid", id=g1.pk, name="G1")
    summary = stats_summary(user=user, area=area, first=month, last=month)
    series = stats_series(user=user, area=area, first=month, last=month)
    assert summary["fees"]["collection_rate"] == 0.75
    assert series[-1]["fee_collection_rate"] == 0.75


def test_closed_cases_without_a_closing_time_do_not_skew_the_times(world, submit):
    """Closed cases that lack a closing time are counted as closed but left out
    of the mean and median hours to close."""
    user = world.users["superuser"]
    # A finished month: ten hours of a case's life fit in it on any date.
    created = clock.moment(1, day=10, hour=8)
    for index in range(3):
        case = submit()
        Petition.objects.filter(pk=case.pk).update(
            status="closed",
            created_at=created,
            accepted_at=created + datetime.timedelta(hours=1),
            resolved_at=created + datetime.timedelta(hours=2),
            closed_at=(created + datetime.timedelta(hours=2)) if index == 0 else None,
        )
    month = clock.month(1)
    stats_rebuild(first=month, last=month)
    cases = stats_summary(user=user, area=Area(), first=month, last=month)["cases"]
    assert cases["closed"] == 3
    assert cases["mean_hours_to_close"] == 2.0
    assert cases["median_hours_to_close"] == 4.0  # the first rung above 2 hours


def test_past_months_keep_their_coverage_the_current_month_follows(world, records):
    """A rebuild does not rewrite history: last month's coverage stays as it
    was refreshed, while the current month takes today's state."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    this_month, last_month = month(0), month(1)
    # Pretend last month was refreshed while it was current, with 1 covered.
    CommunityMonthly.objects.filter(community=world.c1, month=last_month).update(
        compounds=5, compounds_covered=1
    )
    PartyOrganization.objects.filter(kind="property_branch").delete()
    stats_rebuild(first=first, last=last)
    rows = {r.month: r for r in CommunityMonthly.objects.filter(community=world.c1)}
    assert rows[last_month].compounds_covered == 1
    assert rows[this_month].compounds_covered == 0
    assert (
        rows[this_month].compounds
        == Compound.objects.filter(community=world.c1).count()
    )


def test_series_adds_up_to_the_summary(world, records):
    """The monthly series covers every month of the period, and its months add
    up to the summary."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    user = world.users["district"]
    series = stats_series(user=user, area=Area(), first=first, last=last)
    summary = stats_summary(user=user, area=Area(), first=first, last=last)
    assert len(series) == 4
    assert [r["month"] for r in series] == sorted(r["month"] for r in series)
    for key in ("received", "closed", "complaints", "meetings_held", "activities"):
        total = sum(r[key] for r in series)
        expected = summary["cases"].get(key, summary["meetings_and_service"].get(key))
        assert total == expected, key
    assert sum(r["received"] for r in series) > 0


def test_rebuild_and_refresh_are_idempotent(world, records):
    """Running the rebuild or the refresh twice leaves the same rows."""
    first, last = _months()

    def snapshot():
        return (
            sorted(
                map(
                    str,
                    PetitionMonthly.objects.values(
                        "month",
                        "community_id",
                        "grid_id",
                        "property_company_id",
                        "received",
                        "closed",
                        "rated",
                        "complaints",
                    ),
                )
            )
            + sorted(
                map(
                    str,
                    CommunityMonthly.objects.values(
                        "month",
                        "community_id",
                        "meetings_held",
                        "verified_hours",
                        "compounds_covered",
                    ),
                )
            )
            + sorted(
                map(
                    str,
                    GridMonthly.objects.values(
                        "month", "grid_id", *FIELD_FIGURES, "care_households_visited"
                    ),
                )
            )
        )

    stats_rebuild(first=first, last=last)
    before = snapshot()
    stats_rebuild(first=first, last=last)
    stats_refresh_current()
    stats_refresh_current()
    assert snapshot() == before


def test_nightly_rebuild_catches_up_on_action_items(world, records):
    """Action items done after their month change that month's figures: the
    nightly rebuild of thirteen months picks them up."""
    from deliberation.models import ActionItem
    from stats.services import stats_rebuild_recent

    user = world.users["district"]
    first, last, _params = period()
    stats_rebuild(first=first, last=last)
    before = stats_summary(user=user, area=Area(), first=first, last=last)
    ActionItem.objects.filter(status="open").update(
        status="done", done_at=timezone.now()
    )
    stats_rebuild_recent()
    after = stats_summary(user=user, area=Area(), first=first, last=last)
    assert (
        after["meetings_and_service"]["action_items_done"]
        > before["meetings_and_service"]["action_items_done"]
    )
    assert after == stats_summary_live(user=user, area=Area(), first=first, last=last)


def test_refresh_picks_up_new_cases_of_this_month(world, cases, submit):
    """A case filed after a refresh shows after the next refresh."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    user = world.users["superuser"]
    before = stats_summary(user=user, area=Area(), first=last, last=last)
    submit()
    stats_refresh_current()
    after = stats_summary(user=user, area=Area(), first=last, last=last)
    assert after["cases"]["received"] == before["cases"]["received"] + 1


def test_a_case_closed_months_later_reaches_its_months_figures(world, submit):
    """A case counts in the month it came in; when it is closed and rated two
    months later, the five-minute refresh updates that month too."""
    user = world.users["superuser"]
    month = clock.month(2)
    created = clock.moment(2, day=20, hour=10)
    case = submit()
    Petition.objects.filter(pk=case.pk).update(
        created_at=created,
        accept_due_at=created + datetime.timedelta(hours=2),
        resolve_due_at=created + datetime.timedelta(hours=48),
        updated_at=created,
    )
    stats_rebuild(first=month, last=calendar.today())
    staff = world.users["community"]
    case = petition_transition(petition=case, action="accept", actor=staff)
    case = petition_transition(
        petition=case,
        action="dispatch",
        actor=staff,
        handler=Person.objects.get(user=world.users["grid"]),
    )
    case = petition_transition(
        petition=case, action="resolve", actor=staff, note="修好了"
    )
    petition_transition(petition=case, action="confirm", rating="satisfied")
    stats_refresh_current()
    rolled = stats_summary(user=user, area=Area(), first=month, last=month)
    live = stats_summary_live(user=user, area=Area(), first=month, last=month)
    assert rolled["cases"]["closed"] == 1 and rolled["cases"]["satisfied"] == 1
    assert rolled["cases"] == live["cases"]


def test_management_command_rebuilds_a_range(world, cases):
    from django.core.management import call_command

    first, last = _months()
    call_command(
        "rebuild_stats",
        "--from",
        first.strftime("%Y-%m"),
        "--to",
        last.strftime("%Y-%m"),
    )
    assert PetitionMonthly.objects.filter(month__gte=first.replace(day=1)).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_rebuilds_leave_exactly_one_set_of_rows(world, cases):
    """Three rebuilds of the same months at once (the five-minute refresh
    overlapping a manual rebuild): none fails and the rows are those of one."""
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers in-process; PostgreSQL runs this")
    first, last = _months()
    errors, barrier = [], threading.Barrier(3)

    def rebuild():
        barrier.wait()
        try:
            stats_rebuild(first=first, last=last)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=rebuild) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = sorted(
        map(
            str,
            PetitionMonthly.objects.values(
                "month", "community_id", "grid_id", "property_company_id", "received"
            ),
        )
    )
    stats_rebuild(first=first, last=last)
    assert rows == sorted(
        map(
            str,
            PetitionMonthly.objects.values(
                "month", "community_id", "grid_id", "property_company_id", "received"
            ),
        )
    )
    assert sum(r["received"] for r in PetitionMonthly.objects.values("received")) == (
        Petition.objects.count()
    )


def _local_month(moment) -> datetime.date:
    return calendar.month_start(moment)


def test_field_work_rolls_up_per_grid_and_month(world, records):
    """Patrols, findings, findings filed as cases and home visits of each grid
    and month are the records counted one by one; this month's coverage counts
    the households under a care plan and those visited in the month."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    expected: dict = {}

    def add(month, grid_id, figure, n=1):
        row = expected.setdefault((month, grid_id), dict.fromkeys(FIELD_FIGURES, 0))
        row[figure] += n

    for patrol in records["patrols"]:
        add(_local_month(patrol.started_at), patrol.grid_id, "patrols")
    for finding in records["findings"]:
        key = (_local_month(finding.created_at), finding.patrol.grid_id)
        add(*key, "patrol_findings")
        add(
            *key,
            "findings_to_cases",
            int(Petition.objects.filter(patrol_finding=finding).exists()),
        )
    for visit in records["visits"]:
        add(
            _local_month(visit.visited_at),
            visit.household.unit.building.grid_id,
            "visits",
        )
    rows = {
        (row.month, row.grid_id): {k: getattr(row, k) for k in FIELD_FIGURES}
        for row in GridMonthly.objects.all()
        if any(getattr(row, k) for k in FIELD_FIGURES)
    }
    assert rows == expected
    this_month = GridMonthly.objects.filter(month=month(0))
    care = {
        r.grid.name: (r.care_households, r.care_households_visited) for r in this_month
    }
    assert care == {"G1": (1, 1), "G2": (1, 0), "G3": (0, 0), "G4": (1, 1)}
    summary = stats_summary(
        user=world.users["community"],
        area=Area("community", world.c1.pk),
        first=first,
        last=last,
    )["field_work"]
    assert summary["visit_coverage_rate"] == 0.5
    assert summary["findings_to_cases"] == 3 and summary["patrols"] == 3


def test_past_months_keep_their_visit_coverage(world, records):
    """Last month's visit coverage stays as it was refreshed; this month's
    follows the households under care now."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    g2 = world.grids["G2"]
    # Pretend last month was refreshed while it was current.
    GridMonthly.objects.update_or_create(
        grid=g2,
        month=month(1),
        defaults={
            "community": world.c1,
            "care_households": 4,
            "care_households_visited": 3,
        },
    )
    records["care"][1].delete()  # G2's household is no longer under care
    stats_rebuild(first=first, last=last)
    rows = {r.month: r for r in GridMonthly.objects.filter(grid=g2)}
    assert (rows[month(1)].care_households, rows[month(1)].care_households_visited) == (
        4,
        3,
    )
    assert rows[month(0)].care_households == 0


def test_field_series_and_drilldown_add_up_to_the_summary(world, records):
    """The monthly series and the grids of a community add up to the
    community's field work over the period."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    user = world.users["community"]
    area = Area("community", world.c1.pk)
    summary = stats_summary(user=user, area=area, first=first, last=last)["field_work"]
    series = stats_series(user=user, area=area, first=first, last=last)
    grids = stats_drilldown(user=user, area=area, first=first, last=last)["results"]
    for key in FIELD_FIGURES:
        assert sum(r[key] for r in series) == summary[key], key
        assert sum(r[key] for r in grids) == summary[key], key
    assert series[-1]["visit_coverage_rate"] == 0.5
    assert {r["name"]: r["visit_coverage_rate"] for r in grids} == {
        "G1": 1.0,
        "G2": 0.0,
    }
