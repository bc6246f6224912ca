"""The staff admin: Chinese, scoped, masked, and with a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.models import Person
from tests.grids import factories as f

# Session, user, user and group permissions, role permissions, role scope (6), one
# query per list filter (4 for households, 3 for people), the count and the rows;
# per-row counts are subqueries inside the row query.
HOUSEHOLD_CHANGELIST_QUERIES = 6 + 4 + 2
PERSON_CHANGELIST_QUERIES = 6 + 3 + 2
GRID_CHANGELIST_QUERIES = 6 + 1 + 2


def _more_households(world, grid, n):
    unit = world.households[grid][0].unit
    for household in f.HouseholdFactory.create_batch(n, unit=unit):
        f.PersonFactory(household=household)


@pytest.mark.parametrize("extra", [0, 30])
def test_admin_household_changelist_query_count_is_fixed(
    client, world, django_assert_num_queries, extra
):
    """The household list costs the same number of queries for 2 rows or 32."""
    _more_households(world, "G1", extra)
    client.force_login(world.users["community"])
    url = reverse("admin:grids_household_changelist")
    with django_assert_num_queries(HOUSEHOLD_CHANGELIST_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 4 + extra


@pytest.mark.parametrize("extra", [0, 30])
def test_admin_person_changelist_query_count_is_fixed(
    client, world, django_assert_num_queries, extra
):
    """The resident list costs the same number of queries for few rows or many."""
    _more_households(world, "G1", extra)
    client.force_login(world.users["community"])
    url = reverse("admin:grids_person_changelist")
    with django_assert_num_queries(PERSON_CHANGELIST_QUERIES):
        response = client.get(url)
    assert response.status_code == 200


def test_admin_person_list_masks_phone_numbers(client, world):
    """Lists show 138****1234, never the full number."""
    person = world.people["G1"][0]
    client.force_login(world.users["community"])
    body = client.get(reverse("admin:grids_person_changelist")).content.decode()
    assert f"{person.mobile[:3]}****{person.mobile[-4:]}" in body
    assert person.mobile not in body


def test_admin_person_form_shows_full_number_only_with_contact_permission(
    client, world
):
    """Community staff edit the full number; a steward sees it masked."""
    person = world.people["G1"][0]
    url = reverse("admin:grids_person_change", args=[person.pk])
    client.force_login(world.users["community"])
    assert person.mobile in client.get(url).content.decode()
    client.force_login(world.users["steward"])
    body = client.get(url).content.decode()
    assert person.mobile not in body
    assert f"{person.mobile[:3]}****{person.mobile[-4:]}" in body


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


def test_admin_is_in_chinese_by_default(client, world):
    """The staff admin speaks Simplified Chinese unless asked otherwise."""
    client.force_login(world.users["community"])
    body = client.get(reverse("admin:index")).content.decode()
    assert "红色物业治理平台" in body
    assert "组织与网格" in body


def test_admin_community_page_shows_its_counts_with_links(client, world):
    """From a community one reaches its grids, compounds, buildings, households and
    party organisations, each with its count."""
    client.force_login(world.users["community"])
    response = client.get(reverse("admin:grids_community_changelist"))
    row = response.context["cl"].result_list[0]
    assert (row.grid_count, row.compound_count, row.building_count) == (2, 1, 2)
    assert row.household_count == 4
    body = response.content.decode()
    assert (
        f"/admin/grids/household/?unit__building__compound__community__id__exact="
        f"{world.c1.pk}" in body
    )
    linked = client.get(
        reverse("admin:grids_household_changelist"),
        {"unit__building__compound__community__id__exact": world.c1.pk},
    )
    assert linked.status_code == 200
    assert len(linked.context["cl"].result_list) == 4


def test_admin_change_goes_through_the_service_and_is_audited(client, world):
    """Saving a household in the admin, with a tag added on its page, writes
    an audit row for the user for each."""
    from tests.grids import factories as gf

    household = world.households["G1"][0]
    client.force_login(world.users["community"])
    url = reverse("admin:grids_household_change", args=[household.pk])
    response = client.post(
        url,
        {
            "unit": household.unit_id,
            "room": household.room,
            "floor_area": "120.5",
            "household_tags-TOTAL_FORMS": "1",
            "household_tags-INITIAL_FORMS": "0",
            "household_tags-0-tag": gf.TagFactory(name="独居老人").pk,
            "household_tags-0-note": "85岁",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    household.refresh_from_db()
    assert str(household.floor_area) == "120.50"
    assert list(household.tags.values_list("name", flat=True)) == ["独居老人"]
    from core.models import AuditEvent

    for action in ("household.update", "householdtag.create"):
        assert AuditEvent.objects.filter(
            action=action, actor=world.users["community"]
        ).exists()


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


def test_query_counter_sees_every_query(client, world):
    """Guard for the pinned counts: the role scope is read once per request."""
    client.force_login(world.users["community"])
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("admin:grids_household_changelist"))
    scope_reads = [q for q in ctx.captured_queries if "grids_role" in q["sql"]]
    assert len(scope_reads) == 2  # one for the scope, one for the permissions


def test_admin_grid_list_names_missing_serving_roles(client, world):
    """The grid list says which serving role a grid lacks, and filters the
    grids where a report could otherwise reach nobody of the grid."""
    from grids.models import Role
    from grids.services import role_assign

    client.force_login(world.users["community"])
    url = reverse("admin:grids_grid_changelist")
    rows = {g.name: g for g in client.get(url).context["cl"].result_list}
    assert set(rows) == {"G1", "G2"}
    g1 = rows["G1"]
    assert (g1.has_grid_worker, g1.has_property_steward) == (True, True)
    assert not g1.has_repair_worker
    body = client.get(url).content.decode()
    assert "维修人员" in body
    repairer = f.PersonFactory(household=None, community=world.c1)
    role_assign(
        actor=None,
        person=repairer,
        kind=Role.Kind.REPAIR_WORKER,
        grid=world.grids["G1"],
        property_company=world.company,
    )
    complete = client.get(url, {"missing_role": "no"}).context["cl"].result_list
    missing = client.get(url, {"missing_role": "yes"}).context["cl"].result_list
    assert [g.name for g in complete] == ["G1"]
    assert [g.name for g in missing] == ["G2"]


@pytest.mark.parametrize("extra", [0, 12])
def test_admin_grid_changelist_query_count_is_fixed(client, world, extra):
    """The grid list costs the same queries for 2 grids or 14."""
    for n in range(extra):
        f.GridFactory(community=world.c1, name=f"加{n}")
    client.force_login(world.users["community"])
    url = reverse("admin:grids_grid_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx) == GRID_CHANGELIST_QUERIES


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


def test_admin_ends_roles_today(client, world):
    """Ending a role in the admin keeps today and closes it from tomorrow."""
    from core import calendar
    from grids.models import Role

    role = Role.objects.get(person__user=world.users["grid"])
    client.force_login(world.users["community"])
    response = client.post(
        reverse("admin:grids_role_changelist"),
        {"action": "end_today", "_selected_action": [role.pk]},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.end_date == calendar.today()


def test_admin_filter_with_too_many_choices_asks_to_narrow(client, world, monkeypatch):
    """A filter with more units than a sidebar can hold lists none (but the
    one chosen) and says to narrow first; the list still filters by it."""
    from grids.admin_base import RelatedChoicesFilter

    monkeypatch.setattr(RelatedChoicesFilter, "MAX_CHOICES", 1)
    client.force_login(world.users["community"])
    url = reverse("admin:grids_household_changelist")
    body = client.get(url).content.decode()
    assert "请先按上一级" in body
    grid = world.grids["G2"]
    response = client.get(url, {"unit__building__grid__id__exact": grid.pk})
    rows = response.context["cl"].result_list
    assert {h.pk for h in rows} == world.households_in("G2")
    assert f">{grid}<" in response.content.decode().replace("</a>", "<")
