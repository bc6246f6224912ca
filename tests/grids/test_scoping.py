"""The scoping matrix: what each role sees, and does not see, in the admin and API."""

import datetime
import re

import pytest
from django.urls import reverse

from core import calendar
from grids.models import Household, Person, Role
from grids.scoping import user_scope
from grids.services import role_assign, role_end
from tests.conftest import PASSWORD

ALL = ("G1", "G2", "G3", "G4")
# role → grids whose households and residents the role may see
MATRIX = {
    "superuser": ALL,
    "district": ALL,
    "street": ("G1", "G2", "G3"),
    "community": ("G1", "G2"),
    "grid": ("G1",),
    "steward": ("G1",),
}


def _admin_ids(client, url):
    response = client.get(url, {"all": ""})
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.mark.parametrize(("username", "grids"), MATRIX.items())
def test_admin_household_list_shows_only_households_of_the_role(
    client, world, username, grids
):
    """The household changelist lists exactly the households of the user's units."""
    client.force_login(world.users[username])
    seen = _admin_ids(client, reverse("admin:grids_household_changelist"))
    assert seen == world.households_in(*grids)


@pytest.mark.parametrize(("username", "grids"), MATRIX.items())
def test_admin_person_list_shows_only_residents_of_the_role(
    client, world, username, grids
):
    """Residents of other units never appear; staff records are not residents."""
    client.force_login(world.users[username])
    seen = _admin_ids(client, reverse("admin:grids_person_changelist"))
    residents = seen & {p.pk for p in Person.objects.filter(household__isnull=False)}
    assert residents == world.people_in(*grids)


@pytest.mark.parametrize(("username", "grids"), MATRIX.items())
def test_api_household_list_shows_only_households_of_the_role(
    api_client, world, username, grids
):
    """GET /api/v1/households/ returns exactly the households of the user's units."""
    api_client.force_authenticate(world.users[username])
    response = api_client.get("/api/v1/households/", {"page_size": 200})
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == world.households_in(
        *grids
    )


@pytest.mark.parametrize(
    ("username", "communities"),
    [
        ("superuser", {"c1", "c2", "c3"}),
        ("district", {"c1", "c2", "c3"}),
        ("street", {"c1", "c2"}),
        ("community", {"c1"}),
        ("grid", {"c1"}),
    ],
)
def test_api_community_list_is_scoped(api_client, world, username, communities):
    """Communities outside the user's units are not listed."""
    api_client.force_authenticate(world.users[username])
    response = api_client.get("/api/v1/communities/")
    expected = {getattr(world, c).pk for c in communities}
    assert {row["id"] for row in response.json()["results"]} == expected


def test_api_grid_worker_sees_only_own_grid(api_client, world):
    """A grid worker's grid list holds their grid alone."""
    api_client.force_authenticate(world.users["grid"])
    response = api_client.get("/api/v1/grids/")
    assert [row["id"] for row in response.json()["results"]] == [world.grids["G1"].pk]


def test_counts_cover_only_what_the_user_may_see(api_client, world):
    """A grid worker's community row counts the households of their grid only."""
    api_client.force_authenticate(world.users["grid"])
    row = api_client.get("/api/v1/communities/").json()["results"][0]
    assert row["household_count"] == len(world.households["G1"])


@pytest.mark.parametrize("username", ["community", "grid", "street"])
def test_api_other_community_household_answers_like_missing(
    api_client, world, username
):
    """Another community's household answers 404, exactly like a missing one."""
    api_client.force_authenticate(world.users[username])
    foreign = world.households["G4"][0].pk
    missing = Household.objects.order_by("-pk").first().pk + 1000
    foreign_response = api_client.get(f"/api/v1/households/{foreign}/")
    missing_response = api_client.get(f"/api/v1/households/{missing}/")
    assert foreign_response.status_code == missing_response.status_code == 404
    assert foreign_response.json() == missing_response.json()


def test_api_foreign_filter_id_answers_like_a_missing_one(api_client, world):
    """Filtering by another community's id looks the same as an unknown id."""
    api_client.force_authenticate(world.users["community"])
    foreign = api_client.get("/api/v1/compounds/", {"community": world.c3.pk})
    missing = api_client.get("/api/v1/compounds/", {"community": 999999})
    assert foreign.status_code == missing.status_code == 200
    assert foreign.json() == missing.json()


def test_admin_other_community_household_answers_like_missing(client, world):
    """The admin change page of a foreign household behaves as for a missing one."""
    client.force_login(world.users["community"])
    foreign = world.households["G3"][0].pk
    missing = Household.objects.order_by("-pk").first().pk + 1000
    for pk in (foreign, missing):
        response = client.get(reverse("admin:grids_household_change", args=[pk]))
        assert response.status_code == 302
        assert response.url == reverse("admin:index")


def test_admin_foreign_key_choices_are_scoped(client, world):
    """The building choices on the unit form offer only the user's buildings."""
    client.force_login(world.users["community"])
    response = client.get(reverse("admin:grids_building_add"))
    grid_choices = {
        choice.pk
        for choice in response.context["adminform"].form.fields["grid"].queryset
    }
    assert grid_choices == {world.grids["G1"].pk, world.grids["G2"].pk}


def test_admin_filter_choices_do_not_name_other_communities(client, world):
    """List filters name only communities the user may see."""
    client.force_login(world.users["community"])
    response = client.get(reverse("admin:grids_household_changelist"))
    assert "端庄社区" in response.content.decode()
    assert "楼北社区" not in response.content.decode()
    assert "柳园社区" not in response.content.decode()


def test_delete_page_does_not_name_rows_outside_the_scope(client, world):
    """The delete confirmation counts but does not name another community's rows."""
    person = world.people["G1"][0]
    role_assign(
        actor=None, person=person, kind=Role.Kind.GRID_WORKER, grid=world.grids["G4"]
    )
    client.force_login(world.users["community"])
    body = client.get(
        reverse("admin:grids_person_delete", args=[person.pk])
    ).content.decode()
    # As a word: the page's CSRF token may hold the letters "G4" by chance.
    assert not re.search(r"(?<![A-Za-z0-9])G4(?![A-Za-z0-9])", body)
    assert "不在您管理范围内的记录" in body


def test_api_requires_staff_login(api_client, world):
    """Anonymous callers and non-staff accounts get no data."""
    assert api_client.get("/api/v1/households/").status_code in (401, 403)


def test_scope_ends_with_the_role(world):
    """A role whose term has ended opens nothing from the next day on."""
    user = world.users["grid"]
    role = Role.objects.get(person__user=user)
    role_end(actor=None, role=role, end_date=calendar.today())
    assert not user_scope(type(user).objects.get(pk=user.pk)).is_empty
    role.start_date = datetime.date(2019, 1, 1)
    role_end(actor=None, role=role, end_date=datetime.date(2019, 12, 31))
    fresh = type(user).objects.get(pk=user.pk)
    assert user_scope(fresh).is_empty
    assert not fresh.has_perm("grids.view_household")


def test_staff_without_roles_sees_nothing(client, world, django_user_model):
    """A staff account with no active role sees no household at all."""
    user = django_user_model.objects.create_user(
        "nobody", password=PASSWORD, is_staff=True
    )
    client.force_login(user)
    assert client.get(reverse("admin:grids_household_changelist")).status_code == 403
