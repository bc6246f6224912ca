"""Roll-ups equal the live count for every figure, survive re-runs, and the
district summary is scoped."""

import datetime

import pytest
from django.utils import timezone

from grids.models import Person
from petitions.models import Petition
from petitions.services import petition_transition
from stats.models import PetitionMonthly
from stats.selectors import petition_summary, petition_summary_live
from stats.services import stats_rebuild, stats_refresh_current
from tests.petitions.factories import DepartmentFactory


@pytest.fixture
def cases(world, submit):
    """Cases over three months in two communities, in every kind of state."""
    staff = world.users["community"]
    worker = Person.objects.get(user=world.users["grid"])
    community_person = Person.objects.get(user=world.users["community"])
    made = []
    now = timezone.now()
    for months_ago in (0, 1, 2):
        for index in range(5):
            building = world.households["G1" if index % 2 else "G2"][0].unit.building
            petition = submit(building=building)
            if index >= 1:
                petition = petition_transition(
                    petition=petition, action="accept", actor=staff
                )
            if index >= 2:
                petition = petition_transition(
                    petition=petition,
                    action="dispatch",
                    actor=staff,
                    handler=worker if index % 2 else community_person,
                )
                petition = petition_transition(
                    petition=petition, action="resolve", actor=staff, note="好了"
                )
            if index == 3:
                petition = petition_transition(
                    petition=petition,
                    action="confirm",
                    rating=["satisfied", "fairly"][index % 2],
                )
            if index == 4:
                petition = (
                    petition_transition(petition=petition, action="reopen", note="没好")
                    if petition.status == "awaiting_resident"
                    else petition
                )
            made.append(petition)
            shift = datetime.timedelta(days=31 * months_ago + index)
            Petition.objects.filter(pk=petition.pk).update(
                created_at=now - shift,
                accept_due_at=now - shift + datetime.timedelta(hours=2 * (index % 3)),
            )
        referred = submit(building=world.households["G4"][0].unit.building)
        referred = petition_transition(
            petition=referred, action="accept", actor=world.users["superuser"]
        )
        petition_transition(
            petition=referred,
            action="refer",
            actor=world.users["superuser"],
            department=DepartmentFactory(),
        )
        Petition.objects.filter(pk=referred.pk).update(
            created_at=now - datetime.timedelta(days=31 * months_ago)
        )
    return made


def _expected(cases) -> dict:
    """The figures counted one case at a time in Python: independent of the
    SQL that builds the roll-ups."""
    closed = [p for p in cases if p.status == "closed"]
    accepted = [p for p in cases if p.accepted_at]
    totals = {
        "received": len(cases),
        "accepted": len(accepted),
        "accepted_on_time": sum(
            1 for p in accepted if p.accepted_at <= p.accept_due_at
        ),
        "closed": len(closed),
        "closed_on_time": sum(1 for p in closed if p.resolved_at <= p.resolve_due_at),
        "rated": sum(1 for p in cases if p.rating),
        "satisfied": sum(1 for p in cases if p.rating == "satisfied"),
        "fairly_satisfied": sum(1 for p in cases if p.rating == "fairly"),
        "reopened": sum(1 for p in cases if p.reopen_count),
        "referred": sum(1 for p in cases if p.department_id),
        "accept_seconds": sum(
            int((p.accepted_at - p.created_at).total_seconds()) for p in accepted
        ),
        "close_seconds": sum(
            int((p.closed_at - p.created_at).total_seconds()) for p in closed
        ),
    }
    from stats.selectors import _derived

    return _derived(totals)


def _months():
    today = timezone.localdate()
    return today - datetime.timedelta(days=100), today


@pytest.mark.parametrize("username", ["superuser", "street", "community", "district"])
def test_rollup_equals_live_for_every_figure(world, cases, username):
    """For each role, every figure from the roll-ups equals the live count."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    user = world.users[username]
    rolled = petition_summary(user=user, first=first, last=last)
    live = petition_summary_live(user=user, first=first, last=last)
    from petitions.selectors import petition_list

    visible = (
        list(petition_list(user=user))
        if not user.is_superuser
        else list(Petition.objects.all())
    )
    expected = _expected(visible)
    assert rolled == live
    means = ("mean_hours_to_accept", "mean_hours_to_close")
    # Seconds are summed per group in SQL and per case here: allow one hundredth.
    for key in means:
        assert abs(rolled[key] - expected[key]) <= 0.01
    assert {k: v for k, v in rolled.items() if k not in means} == {
        k: v for k, v in expected.items() if k not in means
    }
    assert rolled["received"] > 0 and rolled["closed"] > 0 and rolled["referred"] >= 0


def test_rollup_equals_live_per_community_and_company(world, cases):
    """Narrowed to one community or one property company, still equal."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    user = world.users["superuser"]
    for kwargs in ({"community_ids": [world.c1.pk]}, {"company_id": world.company.pk}):
        assert petition_summary(user=user, first=first, last=last, **kwargs) == (
            petition_summary_live(user=user, first=first, last=last, **kwargs)
        )


def test_rebuild_and_refresh_are_idempotent(world, cases):
    """Running the rebuild or the refresh twice leaves the same rows."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    before = list(
        PetitionMonthly.objects.order_by("pk").values(
            *[
                "month",
                "community_id",
                "property_company_id",
                "received",
                "closed",
                "rated",
            ]
        )
    )
    stats_rebuild(first=first, last=last)
    stats_refresh_current()
    stats_refresh_current()
    after = list(
        PetitionMonthly.objects.order_by("pk").values(
            *[
                "month",
                "community_id",
                "property_company_id",
                "received",
                "closed",
                "rated",
            ]
        )
    )
    assert sorted(map(str, before)) == sorted(map(str, after))


def test_refresh_picks_up_new_cases_of_this_month(world, cases, submit):
    """A case filed after a refresh shows after the next refresh."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    user = world.users["superuser"]
    before = petition_summary(user=user, first=last, last=last)["received"]
    submit()
    stats_refresh_current()
    assert petition_summary(user=user, first=last, last=last)["received"] == before + 1


def test_summary_api_is_scoped(client, world, cases):
    """A community's staff read their community; another community is 404."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    client.force_login(world.users["community"])
    params = {"start": first.strftime("%Y-%m"), "end": last.strftime("%Y-%m")}
    own = client.get(
        "/api/v1/stats/petitions/summary/", {**params, "community": world.c1.pk}
    )
    assert own.status_code == 200
    assert own.json()["cases"]["received"] == 15
    foreign = client.get(
        "/api/v1/stats/petitions/summary/", {**params, "community": world.c3.pk}
    )
    assert foreign.status_code == 404
    bad = client.get(
        "/api/v1/stats/petitions/summary/", {"start": "2024-13", "end": "x"}
    )
    assert bad.status_code == 400


def test_ranking_needs_enough_cases_and_orders_by_closure(client, world, cases):
    """Communities are ranked by closure rate among those with enough cases;
    one below the minimum is left out."""
    first, last = _months()
    stats_rebuild(first=first, last=last)
    client.force_login(world.users["district"])
    params = {
        "start": first.strftime("%Y-%m"),
        "end": last.strftime("%Y-%m"),
        "by": "community",
    }
    body = client.get(
        "/api/v1/stats/petitions/ranking/", {**params, "min_cases": 5}
    ).json()
    assert [r["name"] for r in body["results"]] == ["端庄社区"]  # 楼北社区 has 3 cases
    everyone = client.get(
        "/api/v1/stats/petitions/ranking/", {**params, "min_cases": 1}
    ).json()
    rates = [r["closure_rate"] for r in everyone["results"]]
    assert rates == sorted(rates, reverse=True) and len(rates) == 2
    companies = client.get(
        "/api/v1/stats/petitions/ranking/",
        {**params, "by": "property_company", "min_cases": 1},
    ).json()["results"]
    assert [r["name"] for r in companies] == ["民晟物业"]
    assert (
        client.get(
            "/api/v1/stats/petitions/ranking/", {**params, "by": "x"}
        ).status_code
        == 400
    )
