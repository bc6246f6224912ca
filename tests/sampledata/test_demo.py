"""``seed_demo`` builds 端庄社区 of seed 000 as a community at work: thirteen
months of cases with their timelines, meetings, activities and fees, a
dashboard with twelve months of figures, and staff in every grid.

The demo is built once for this module (inside a transaction rolled back at
its end) at the pinned instant; each test reads it. Building it on an empty
database at awkward instants, twice, is ``test_demo_dates``.
"""

import io
import itertools
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from core import calendar
from core.keys import key_hash
from core.models import OutboxMessage
from deliberation.models import DeliberationBody, MajorMatter, Meeting, Proposal
from grids.models import (
    Building,
    Community,
    Grid,
    Household,
    OwnersCommittee,
    PartyMember,
    PartyOrganization,
    Person,
    PropertyCompany,
    Role,
)
from grids.selectors import household_list, person_list
from petitions.models import Category, Open311Client, Petition, PetitionEvent
from sampledata.demo.territory import DEMO_LOGINS, DEMO_PASSWORD
from stats.models import FeeCollection
from tests.conftest import TEST_NOW
from volunteers.models import Activity, Registration, SignUp, Station, Team, Wish

from .checks import honour_names, rows_dated_after

LOGINS = [login.username for login in DEMO_LOGINS]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo built once at the pinned instant; rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(TEST_NOW, tick=False):
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(demo, db):
    return demo


@pytest.fixture
def community(seeded):
    return Community.objects.get(name="端庄社区")


def _months_back(count: int) -> list:
    this_month = calendar.month_start(calendar.today())
    return [calendar.add_months(this_month, -n) for n in range(count, -1, -1)]


def test_seed_demo_builds_the_figures_of_seed_000(seeded, community):
    """湖西街道 → 端庄社区 with 5 compounds, 9 grids, 2,679 households, 8,000+
    residents, the four tiers of party organisations, 民晟物业 and an owners'
    committee; the logins are printed with their password."""
    assert community.subdistrict.name == "湖西街道"
    assert community.compounds.count() == 5
    assert community.grids.count() == 9
    households = Household.objects.filter(unit__building__compound__community=community)
    assert households.count() == 2679
    assert Person.objects.filter(household__in=households).count() > 8000
    kinds = PartyOrganization.objects.values_list("kind", flat=True)
    assert sorted(kinds) == sorted(
        ["subdistrict_committee", "community_committee", "property_branch"]
        + ["owners_committee_branch"]
        + ["grid_branch"] * 9
        + ["party_group"] * 9
    )
    branch = PartyOrganization.objects.get(name="民晟物业党支部")
    assert branch.parent.name == "端庄社区党委"
    assert branch.parent.parent.name == "湖西街道党工委"
    assert PropertyCompany.objects.filter(name="民晟物业").exists()
    assert OwnersCommittee.objects.filter(compound__community=community).count() == 1
    assert PartyMember.objects.filter(kind="in_service").exists()
    assert community.compounds.filter(property_company__isnull=True).count() == 1
    for username in LOGINS:
        assert username in seeded
    assert DEMO_PASSWORD in seeded


def test_seed_demo_logins_see_their_own_units(seeded):
    """Each demo login sees its level: the grid worker, steward and repair
    worker one grid of nine, the community, subdistrict and district staff
    all 2,679 households."""
    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(LOGINS) <= set(users)
    assert all(users[name].check_password(DEMO_PASSWORD) for name in LOGINS)
    grid_households = household_list(user=users["dz_grid1"])
    assert 0 < grid_households.count() < 2679
    assert {h.unit.building.grid.name for h in grid_households} == {"第一网格"}
    for field_worker in ("ms_steward1", "ms_repair1"):
        assert household_list(user=users[field_worker]).count() == (
            grid_households.count()
        )
    for staff in ("dz_community", "hx_street", "dcf_district"):
        assert household_list(user=users[staff]).count() == 2679
    assert (
        person_list(user=users["dz_grid1"]).count()
        < person_list(user=users["dz_community"]).count()
    )


def test_seed_demo_staffs_every_grid(seeded, community):
    """Every grid has a grid worker; every grid a property company serves has
    a property steward and a repair worker (seed 004), and the one it does
    not (东关老宿舍, 三无) is named; every building has a building head."""
    roles = Role.objects.active()
    for grid in Grid.objects.filter(community=community):
        served = Building.objects.filter(
            grid=grid, compound__property_company__isnull=False
        ).exists()
        held = set(roles.filter(grid=grid).values_list("kind", flat=True))
        assert "grid_worker" in held, grid.name
        assert served == ({"property_steward", "repair_worker"} <= held), grid.name
        if not served:
            assert f"{grid.name} (东关老宿舍) has no property company" in seeded
    buildings = Building.objects.filter(compound__community=community)
    headed = roles.filter(kind="building_head", building__in=buildings)
    assert headed.values("building").distinct().count() == buildings.count()
    assert roles.filter(kind="community_staff", community=community).count() == 3


def test_seed_demo_loads_the_seeds_categories_and_open311_client(seeded):
    """The seeds' report categories and an Open311 client whose key is printed."""
    names = set(Category.objects.values_list("name", flat=True))
    assert {
        "漏水",
        "管道疏通（下水道堵塞）",
        "消防通道堵塞、飞线充电",
        "邻里纠纷",
    } <= names
    [key] = re.findall(r"api_key: (\S+)", seeded)
    assert key_hash(key) == Open311Client.objects.get().key_hash


def test_seed_demo_cases_span_thirteen_months_in_the_seeds_mix(seeded, community):
    """Cases every month of the history, of every category, in every state a
    case can be left in, rated every way, some reopened, referred and
    escalated to the community and the subdistrict; nothing dated ahead."""
    cases = Petition.objects.filter(community=community)
    for month in _months_back(12):
        start, end = calendar.month_bounds(month)
        assert cases.filter(created_at__gte=start, created_at__lt=end).count() >= 10
    assert set(cases.values_list("category__code", flat=True)) == set(
        Category.objects.values_list("code", flat=True)
    )
    statuses = set(cases.values_list("status", flat=True))
    assert {
        "submitted",
        "accepted",
        "dispatched",
        "in_progress",
        "awaiting_resident",
        "closed",
        "referred",
        "on_hold",
        "rejected",
        "merged",
    } <= statuses
    assert set(cases.values_list("rating", flat=True)) == {
        "",
        "satisfied",
        "fairly",
        "dissatisfied",
    }
    assert cases.filter(reopen_count__gt=0).exists()
    assert cases.exclude(department=None).exists()
    assert {1, 2} <= set(cases.values_list("escalation_level", flat=True))
    assert rows_dated_after(calendar.now()) == {}


def test_seed_demo_cases_have_their_timelines(seeded, community):
    """Every case's timeline opens with the report and ends in the state the
    case is in, step after step in time (the admin's case page reads it);
    escalations are there for staff only."""
    cases = Petition.objects.filter(community=community).annotate(n=Count("events"))
    assert not cases.filter(n=0).exists()
    timelines: dict[int, list] = {}
    for event in PetitionEvent.objects.filter(petition__community=community).order_by(
        "created_at", "pk"
    ):
        timelines.setdefault(event.petition_id, []).append(event)
    for case in cases:
        events = timelines[case.pk]
        assert events[0].action == "submit", case.number
        steps = [e for e in events if e.action != "escalate"]
        assert steps[-1].to_status == case.status, case.number
        for before, after in itertools.pairwise(steps):
            assert after.from_status == before.to_status, case.number
    escalations = PetitionEvent.objects.filter(
        petition__community=community, action="escalate"
    )
    assert escalations.exists() and not escalations.filter(is_public=True).exists()


def test_seed_demo_history_sends_no_notifications(seeded):
    """History is data: only the dozen cases filed now went through the
    services and wait in the outbox, not the 800 of the past year."""
    assert 0 < OutboxMessage.objects.count() < 60


def test_seed_demo_has_the_monthly_meeting_and_more_bodies(seeded, community):
    """The 红色议事会 meets once a month: past meetings closed with sign-ins,
    decisions and minutes, the coming ones planned; a 逢四说事 body meets on
    the 4th, 14th and 24th; 东关老宿舍 has its 小板凳议事会; residents'
    proposals have supporters; two elevator matters passed the party, one
    decided by the owners online and on paper, one still voting."""
    hall = DeliberationBody.objects.get(community=community, name="红色议事会")
    today = calendar.today()
    months = {}
    for meeting in hall.meetings.all():
        months.setdefault(calendar.month_start(meeting.series_date), []).append(meeting)
    assert all(len(months.get(month, [])) == 1 for month in _months_back(12))
    closed = hall.meetings.filter(status=Meeting.Status.CLOSED)
    assert closed.count() >= 12
    for meeting in closed:
        assert meeting.minutes and meeting.attendance.count() >= 8
        assert all(topic.decision for topic in meeting.topics.all())
    assert hall.meetings.filter(status="planned", series_date__gt=today).exists()
    fengsi = DeliberationBody.objects.get(community=community, rule="fengsi")
    assert {d.day for d in fengsi.meetings.values_list("series_date", flat=True)} == {
        4,
        14,
        24,
    }
    stool = DeliberationBody.objects.get(community=community, kind="stool")
    assert stool.compound.name == "东关老宿舍"
    assert stool.meetings.exists()
    assert Proposal.objects.filter(community=community, support_count__gt=10).exists()
    decided, voting = MajorMatter.objects.order_by("title")
    assert decided.status == "publicised" and decided.outcome["passed"]
    assert decided.outcome["online_owners"] and decided.outcome["paper_owners"]
    assert voting.status == "party_passed" and voting.voting_is_open()
    assert voting.votes.filter(channel="online").exists()


def test_seed_demo_has_volunteers_on_the_honour_lists(seeded, community):
    """红领管家 and its four sub-teams, seed 000's activities every month with
    verified hours, names on this month's and last month's 红榜, wishes in
    several states, 双报到 registrations confirmed and pending, and a station
    stocked like seed 003's."""
    assert Team.objects.filter(parent__name="红领管家志愿服务队").count() == 4
    titles = set(Activity.objects.values_list("title", flat=True))
    assert {"爱心义剪", "重阳敬老", "健康讲座进社区"} <= titles
    for month in _months_back(12)[:-1]:
        start, end = calendar.month_bounds(month)
        assert (
            Activity.objects.filter(starts_at__gte=start, starts_at__lt=end).count()
            == 5
        )
    assert SignUp.objects.filter(verified_hours__isnull=False).count() > 100
    today = calendar.today()
    assert honour_names(community, calendar.previous_month(today))
    if today.day >= 10:  # the first two activities of a month verified
        assert honour_names(community, calendar.month_start(today))
    assert {"confirmed", "published", "submitted"} <= set(
        Wish.objects.values_list("status", flat=True)
    )
    registrations = Registration.objects.filter(community=community)
    assert registrations.filter(status="pending").count() == 3
    assert registrations.filter(status="confirmed").exists()
    station = Station.objects.get()
    equipment = station.stock.filter(kind="equipment")
    supplies = station.stock.filter(kind="supply")
    assert (equipment.count(), equipment.values("item_class").distinct().count()) == (
        8,
        4,
    )
    assert (supplies.count(), supplies.values("item_class").distinct().count()) == (
        34,
        9,
    )
    assert station.rescuers.count() == 12 and station.trainings.count() == 2


def test_seed_demo_enters_fees_for_finished_months(seeded, community):
    """Each compound with a property company has a fee entry for each of the
    twelve finished months, and none for the month in progress."""
    managed = community.compounds.exclude(property_company=None)
    fees = FeeCollection.objects.filter(compound__in=managed)
    months = _months_back(12)
    assert set(fees.values_list("month", flat=True)) == set(months[:-1])
    assert fees.count() == 12 * managed.count()


def test_seed_demo_dashboard_shows_twelve_months(seeded, client, community):
    """Community staff open the dashboard's figures for the last twelve months
    (the page's default): every month has cases, the period's tiles agree with
    each other, and the grids come in their natural order."""
    client.force_login(get_user_model().objects.get(username="dz_community"))
    months = _months_back(11)
    period = {"start": f"{months[0]:%Y-%m}", "end": f"{months[-1]:%Y-%m}"}
    series = client.get("/api/v1/stats/series/", period).json()["results"]
    assert [m["month"] for m in series] == [f"{m:%Y-%m}" for m in months]
    assert all(m["received"] > 0 for m in series)
    summary = client.get("/api/v1/stats/summary/", period).json()
    cases = summary["cases"]
    assert cases["received"] == sum(m["received"] for m in series)
    assert cases["received"] >= cases["closed"] >= cases["rated"] > 0
    assert 0 < summary["now"]["overdue"] <= summary["now"]["open"]
    assert summary["meetings_and_service"]["meetings_held"] > 12
    grids = client.get(
        "/api/v1/stats/drilldown/", {**period, "community": community.pk}
    ).json()["results"]
    numerals = "一二三四五六七八九"
    assert [g["name"] for g in grids] == [f"第{n}网格" for n in numerals]


def test_demo_every_category_in_every_grid_reaches_someone(seeded):
    """No case reaches nobody: a report of every category filed in every grid
    of the demo (东关老宿舍's grid has no property steward) has at least one
    recipient, through the routing fallback."""
    from petitions.selectors import petition_recipients

    community = Community.objects.get(name="端庄社区")
    categories = list(Category.objects.filter(is_active=True))
    assert len(categories) >= 10
    for grid in Grid.objects.filter(community=community):
        building = Building.objects.filter(grid=grid).first()
        for category in categories:
            case = Petition(
                category=category,
                community=community,
                grid=grid,
                compound=building.compound,
                building=building,
                escalation_level=Petition.Level.GRID,
            )
            assert petition_recipients(petition=case), (grid.name, category.name)


def test_seed_demo_grids_are_patrolled_and_households_visited(seeded, community):
    """The workbench looks used: every grid patrolled in each of the twelve
    months before this one, some cases raised by patrols, households tagged
    and under care plans in every grid, some of them due today or overdue for
    第一网格's grid worker, and this morning's patrol and visits turned into a case and
    a micro-wish; the roll-ups count the grids' field work."""
    from grids.models import CarePlan, Patrol, Visit
    from grids.selectors import care_due_list
    from stats.models import GridMonthly

    grids = list(community.grids.all())
    for month in _months_back(12)[:-1]:
        start, end = calendar.month_bounds(month)
        patrolled = set(
            Patrol.objects.filter(
                started_at__gte=start, started_at__lt=end
            ).values_list("grid_id", flat=True)
        )
        assert patrolled == {g.pk for g in grids}, month
    assert Petition.objects.filter(channel="patrol", patrol_finding__isnull=False)
    assert CarePlan.objects.filter(community=community).count() == 6
    worker = get_user_model().objects.get(username="dz_grid1")
    rows = care_due_list(user=worker)
    assert any(row.is_due for row in rows) and any(not row.is_due for row in rows)
    assert Visit.objects.filter(cases__isnull=False).exists()
    assert Wish.objects.filter(visit__isnull=False, status="submitted").exists()
    today = Patrol.objects.filter(person__user=worker).order_by("-started_at").first()
    assert today.findings.filter(case__isnull=False).exists()
    this_month = GridMonthly.objects.filter(
        community=community, month=calendar.month_start(calendar.today())
    )
    assert this_month.count() == len(grids)
    assert all(row.care_households for row in this_month)


def test_seed_demo_evaluates_the_company_and_publishes_the_honour_list(
    seeded, community
):
    """The demo shows last quarter's evaluation of 民晟物业 with its breakdown
    (platform indicators and the district's two assessment items) and the
    published 红黑榜 with the company on the red list, on the residents' page."""
    from django.test import Client

    from stats.models import CompanyEvaluation, HonourList

    quarter = calendar.quarter_start(
        calendar.add_months(calendar.quarter_start(calendar.today()), -1)
    )
    row = CompanyEvaluation.objects.get(quarter=quarter, level="community")
    assert row.score is not None and row.cases >= 10
    kinds = [part["kind"] for part in row.breakdown]
    assert kinds.count("platform") == 6 and kinds.count("assessment") == 2
    assert all(part["score"] is not None for part in row.breakdown)
    honour = HonourList.objects.get(quarter=quarter)
    assert [entry["company"] for entry in honour.entries["red"]] == ["民晟物业"]
    page = Client().get(f"/c/{community.pk}/companies/")
    assert "民晟物业" in page.content.decode()


def test_seed_demo_publishes_notices(seeded, community):
    """The demo's residents read a pinned community notice and a compound's."""
    from django.test import Client

    page = Client().get(f"/c/{community.pk}/notices/").content.decode()
    assert page.index("二次供水水箱清洗") < page.index("电梯年度检验")


def test_seed_demo_discloses_public_income_and_the_elevator_matter(seeded, community):
    """民生·壹号院's residents read its public income and the elevator matter."""
    from django.test import Client

    compound = community.compounds.get(name="民生·壹号院")
    page = (
        Client()
        .get(f"/c/{community.pk}/disclosures/", {"compound": compound.pk})
        .content.decode()
    )
    assert "电梯轿厢广告位租金" in page and "5号楼屋面防水维修" in page
    matters = page.split('id="matters"')[1]
    assert "1号楼加装电梯" in matters and "网上 300 户，纸质 220 户" in matters


def test_seed_demo_has_a_service_centre_with_this_weeks_rota(seeded, community):
    """The demo's residents find the 红旗驿站 with staff on duty today."""
    from django.test import Client

    page = Client().get(f"/c/{community.pk}/centres/").content.decode()
    assert "民生·壹号院红旗驿站" in page and 'class="today"' in page
