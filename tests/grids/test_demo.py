"""``seed_demo`` builds the community of seed 000, and a second run changes nothing."""

import io
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from core.keys import key_hash
from grids.demo import DEMO_PASSWORD
from grids.models import (
    Community,
    Household,
    OwnersCommittee,
    PartyMember,
    PartyOrganization,
    Person,
    PropertyCompany,
)
from grids.selectors import household_list, person_list


def _table_sizes():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"grids", "core", "accounts", "petitions", "deliberation", "volunteers"}
    }


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_builds_the_figures_of_seed_000(seeded):
    """湖西街道 → 端庄社区 with 5 compounds, 9 grids, 2,679 households, 8,000+
    residents, the four tiers of party organisations, 民晟物业 and an owners'
    committee."""
    community = Community.objects.get(name="端庄社区", subdistrict__name="湖西街道")
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
    )
    branch = PartyOrganization.objects.get(name="民晟物业党支部")
    assert branch.parent.name == "端庄社区党委"
    assert branch.parent.parent.name == "湖西街道党工委"
    assert PropertyCompany.objects.filter(name="民晟物业").exists()
    assert OwnersCommittee.objects.filter(compound__community=community).count() == 1
    assert PartyMember.objects.filter(kind="in_service").exists()
    assert community.compounds.filter(property_company__isnull=True).count() == 1
    for username in ["admin", "hx_street", "dz_community", "dz_grid1", "ms_steward1"]:
        assert username in seeded
    assert DEMO_PASSWORD in seeded


def test_seed_demo_twice_changes_nothing(seeded):
    """A second run writes no row and says so."""
    before = _table_sizes()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert _table_sizes() == before
    assert "nothing changed" in out.getvalue()


def test_seed_demo_logins_see_their_own_units(seeded):
    """Each demo login sees its level: the grid worker one grid of nine, the
    community and subdistrict staff all 2,679 households."""
    users = {u.username: u for u in get_user_model().objects.all()}
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())
    grid_households = household_list(user=users["dz_grid1"])
    assert 0 < grid_households.count() < 2679
    assert {h.unit.building.grid.name for h in grid_households} == {"第一网格"}
    assert household_list(user=users["ms_steward1"]).count() == grid_households.count()
    assert household_list(user=users["dz_community"]).count() == 2679
    assert household_list(user=users["hx_street"]).count() == 2679
    assert (
        person_list(user=users["dz_grid1"]).count()
        < person_list(user=users["dz_community"]).count()
    )


def test_seed_demo_loads_the_seeds_categories_cases_and_open311_client(seeded):
    """The demo has the seeds' report categories, cases in several states and an
    Open311 client whose key the command prints."""
    from petitions.models import Category, Open311Client, Petition

    names = set(Category.objects.values_list("name", flat=True))
    assert {
        "漏水",
        "管道疏通（下水道堵塞）",
        "消防通道堵塞、飞线充电",
        "邻里纠纷",
    } <= names
    statuses = set(Petition.objects.values_list("status", flat=True))
    assert {"submitted", "accepted", "dispatched", "closed", "referred"} <= statuses
    client = Open311Client.objects.get()
    [key] = re.findall(r"api_key: (\S+)", seeded)
    assert key_hash(key) == client.key_hash


def test_seed_demo_has_the_monthly_meeting_with_past_decisions(seeded):
    """端庄社区's monthly 红色议事会 has closed past meetings with minutes and
    decisions, coming meetings, and an elevator matter passed by the party."""
    from deliberation.models import DeliberationBody, MajorMatter

    body = DeliberationBody.objects.get(name="红色议事会")
    closed = body.meetings.filter(status="closed")
    assert closed.count() == 3
    assert all(m.minutes and m.attendance.count() == 6 for m in closed)
    assert all(t.decision for m in closed for t in m.topics.all())
    assert body.meetings.filter(status="planned").exists()
    assert MajorMatter.objects.get().status == "party_passed"


def test_seed_demo_has_teams_activities_wishes_and_a_stocked_station(seeded):
    """红领管家 and its four sub-teams, seed 000's activities with verified hours,
    wishes in several states, and a station stocked like seed 003's."""
    from volunteers.models import Activity, SignUp, Station, Team, Wish

    assert Team.objects.filter(parent__name="红领管家志愿服务队").count() == 4
    titles = set(Activity.objects.values_list("title", flat=True))
    assert {"爱心义剪", "重阳敬老", "健康讲座进社区"} <= titles
    assert SignUp.objects.filter(verified_hours__isnull=False).count() == 18
    assert {"confirmed", "published", "submitted"} <= set(
        Wish.objects.values_list("status", flat=True)
    )
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
