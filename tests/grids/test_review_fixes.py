"""Leaks found in review, each pinned so it cannot come back."""

import io

import openpyxl
import pytest
from django.urls import reverse

from grids.models import Household, Person, Role
from grids.services import role_assign
from tests.grids import factories as f


def _xlsx(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "data.xlsx"
    return upload


@pytest.mark.parametrize("username", ["steward", "district"])
def test_import_needs_add_and_change_rights(client, world, username):
    """Roles that may only view households cannot import them."""
    client.force_login(world.users[username])
    assert client.get(reverse("admin:grids_household_import")).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        lambda p: {"mobile__startswith": p.mobile[:7]},
        lambda p: {"mobile": p.mobile},
        lambda p: {"q": p.mobile},
    ],
)
def test_masked_numbers_cannot_be_searched_without_contact_right(client, world, query):
    """A steward cannot find a resident by (part of) the phone number."""
    person = world.people["G1"][0]
    client.force_login(world.users["steward"])
    response = client.get(reverse("admin:grids_person_changelist"), query(person))
    if response.status_code == 200:
        assert person.pk not in {p.pk for p in response.context["cl"].result_list}
    else:
        assert response.status_code == 400


def test_contact_staff_can_search_by_number(client, world):
    """Community staff, who may see numbers, find a resident by number."""
    person = world.people["G1"][0]
    client.force_login(world.users["community"])
    response = client.get(
        reverse("admin:grids_person_changelist"), {"q": person.mobile}
    )
    assert [p.pk for p in response.context["cl"].result_list] == [person.pk]


def test_autocomplete_does_not_match_numbers_without_contact_right(client, world):
    """The person autocomplete matches phone numbers only for staff who may see
    them: a steward finds nobody by number, community staff find the resident."""
    person = world.people["G1"][0]
    url = reverse("admin:autocomplete")
    params = {
        "app_label": "grids",
        "model_name": "partymember",
        "field_name": "person",
        "term": person.mobile,
    }
    client.force_login(world.users["steward"])
    response = client.get(url, params)
    assert response.status_code == 200
    assert response.json()["results"] == []
    client.force_login(world.users["community"])
    found = client.get(url, params).json()["results"]
    assert [r["id"] for r in found] == [str(person.pk)]


@pytest.mark.parametrize(
    "changelist",
    ["admin:grids_partymember_changelist", "admin:grids_partyorganization_changelist"],
)
def test_party_changelists_do_not_query_per_row(
    client, world, django_assert_max_num_queries, changelist
):
    """Adding rows does not add queries to the party lists."""
    client.force_login(world.users["community"])
    for grid_name in ("G1", "G2"):
        grid = world.grids[grid_name]
        org = f.PartyOrganizationFactory(
            community=world.c1, kind="grid_branch", grid=grid, subdistrict=world.s1
        )
        for person in world.people[grid_name]:
            f.PartyMemberFactory(person=person, party_org=org, grid=grid)
    client.get(reverse(changelist))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse(changelist))
    for _ in range(6):
        grid = f.GridFactory(community=world.c1)
        org = f.PartyOrganizationFactory(
            community=world.c1, kind="grid_branch", grid=grid, subdistrict=world.s1
        )
        household = f.HouseholdFactory(
            unit__building__compound=world.households["G1"][0].unit.building.compound,
            unit__building__grid=grid,
        )
        f.PartyMemberFactory(
            person=f.PersonFactory(household=household), party_org=org, grid=grid
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse(changelist))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_out_of_scope_save_is_a_form_error_not_a_403(client, world):
    """A grid worker adding a person outside their grid gets a clear form error."""
    client.force_login(world.users["grid"])
    response = client.post(
        reverse("admin:grids_person_add"),
        {
            "community": world.c1.pk,
            "name": "新人",
            "mobile": "13911112222",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "不在您可管理的范围" in response.content.decode()
    assert not Person.objects.filter(name="新人").exists()


def test_admin_person_form_takes_a_number_as_people_type_it(client, world):
    """ "+86 139-1111-2222" is accepted and stored as 13911112222."""
    household = world.households["G1"][0]
    client.force_login(world.users["community"])
    response = client.post(
        reverse("admin:grids_person_add"),
        {
            "community": world.c1.pk,
            "name": "新居民",
            "mobile": "+86 139-1111-2222",
            "household": household.pk,
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Person.objects.get(name="新居民").mobile == "13911112222"


def test_api_foreign_filter_id_answers_like_a_missing_one(api_client, world):
    """Filtering by another community's id looks the same as an unknown id."""
    api_client.force_authenticate(world.users["community"])
    foreign = api_client.get("/api/v1/compounds/", {"community": world.c3.pk})
    missing = api_client.get("/api/v1/compounds/", {"community": 999999})
    assert foreign.status_code == missing.status_code == 200
    assert foreign.json() == missing.json()


def test_counts_cover_only_what_the_user_may_see(api_client, world):
    """A grid worker's community row counts the households of their grid only."""
    api_client.force_authenticate(world.users["grid"])
    row = api_client.get("/api/v1/communities/").json()["results"][0]
    assert row["household_count"] == len(world.households["G1"])


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
    assert "G4" not in body
    assert "不在您管理范围内的记录" in body


def test_import_bad_area_says_so_in_words(world):
    """A floor area that is not a number gets a readable row error."""
    from django.utils import translation

    from grids.resources import HouseholdResource
    from tests.grids.test_import import HOUSEHOLD_HEADERS, _dataset

    building = world.households["G1"][0].unit.building
    data = _dataset(
        HOUSEHOLD_HEADERS,
        [("端庄社区", building.compound.name, building.number, "1单元", "701", "一百")],
    )
    with translation.override("zh-hans"):
        result = HouseholdResource(user=world.users["community"]).import_data(data)
    errors = " ".join(
        str(e) for row in result.invalid_rows for e in row.error_dict.values()
    )
    assert "不是数字" in errors
    assert not Household.objects.filter(room="701").exists()


def test_api_huge_filter_id_is_a_400(api_client, world):
    """An id beyond any database integer is bad input, not a crash."""
    api_client.force_authenticate(world.users["community"])
    response = api_client.get("/api/v1/households/", {"grid": "9" * 30})
    assert response.status_code == 400
