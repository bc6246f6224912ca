"""Faults a review found in the statistics, each pinned by the behaviour a
user relies on."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core import calendar
from core.models import AuditEvent
from grids.models import Community, Compound, Person, PropertyCompany
from petitions.models import Petition
from petitions.services import petition_transition
from stats.models import FeeCollection, Target
from stats.selectors import Area, stats_series, stats_summary, stats_summary_live
from stats.services import (
    dashboard_token_create,
    dashboard_token_revoke,
    stats_rebuild,
    stats_refresh_current,
)
from tests import clock
from tests.grids import factories as gf
from tests.stats.conftest import period


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


def test_staff_cannot_make_a_token_for_a_unit_above_theirs(client, world, built):
    """Subdistrict and community staff see their district's name, but may not
    hand out a key to the whole district; the admin does not offer it."""
    for username in ("street", "community"):
        with pytest.raises(PermissionDenied):
            dashboard_token_create(
                name="全区", unit=world.district, created_by=world.users[username]
            )
    with pytest.raises(PermissionDenied):
        dashboard_token_create(
            name="楼北", unit=world.c3, created_by=world.users["street"]
        )
    client.force_login(world.users["street"])
    form = client.get("/admin/stats/dashboardtoken/add/").context["adminform"].form
    assert list(form.fields["district"].queryset) == []
    assert list(form.fields["community"].queryset) == [world.c1, world.c2] or set(
        form.fields["community"].queryset
    ) == {world.c1, world.c2}


def test_making_and_revoking_a_token_is_audited(world):
    token, _key = dashboard_token_create(
        name="端庄大屏", unit=world.c1, created_by=world.users["community"]
    )
    dashboard_token_revoke(token=token, actor=world.users["community"])
    actions = list(
        AuditEvent.objects.filter(target_id=str(token.pk)).values_list(
            "action", flat=True
        )
    )
    assert "dashboardtoken.create" in actions and "dashboardtoken.revoke" in actions


def test_excel_and_csv_take_any_name_and_never_run_it(client, world, built):
    """A control character in a unit's name does not break the Excel file, and
    a name that looks like a formula stays text."""
    Community.objects.filter(pk=world.c1.pk).update(name="端庄\x0b社区")
    PropertyCompany.objects.filter(pk=world.company.pk).update(
        name='=HYPERLINK("http://x","y")'
    )
    client.force_login(world.users["district"])
    params = {**built, "min_cases": 1}
    xlsx = client.get(
        "/api/v1/stats/ranking/", {**params, "by": "community", "format": "xlsx"}
    )
    assert xlsx.status_code == 200
    csv = client.get(
        "/api/v1/stats/ranking/",
        {**params, "by": "property_company", "format": "csv"},
    ).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv


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


def test_targets_are_those_of_the_units_own_district(client, world, built):
    other = gf.DistrictFactory(name="另一区", division_code="371503000000")
    Target.objects.create(
        district=other, metric="satisfaction", value="0.10", due_on="2030-01-01"
    )
    Target.objects.create(
        district=world.district,
        metric="satisfaction",
        value="0.90",
        due_on="2030-01-01",
    )
    client.force_login(world.users["superuser"])
    body = client.get(
        "/api/v1/stats/targets/", {**built, "district": world.district.pk}
    ).json()
    assert [t["district"] for t in body["results"]] == [world.district.name]


def test_closed_cases_without_a_closing_time_do_not_skew_the_times(world, submit):
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


def test_community_staff_drill_down_to_their_grids(client, world, built):
    client.force_login(world.users["community"])
    down = client.get("/api/v1/stats/drilldown/").json()
    assert down["level"] == "grid"
    assert {r["name"] for r in down["results"]} == {"G1", "G2"}
    child = down["results"][0]
    assert client.get("/stats/dashboard/", {"grid": child["id"]}).status_code == 200
