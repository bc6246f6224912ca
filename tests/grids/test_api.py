"""The organisation API: scoped reference lists with a fixed number of queries."""

import pytest

from tests.grids import factories as f

# Session, user, role scope, the page count and the page of rows.
LIST_QUERIES = 5


@pytest.mark.parametrize(
    "endpoint",
    [
        "/api/v1/households/",
        "/api/v1/communities/",
        "/api/v1/grids/",
        "/api/v1/compounds/",
        "/api/v1/buildings/",
        "/api/v1/party-organizations/",
        "/api/v1/property-companies/",
        "/api/v1/subdistricts/",
    ],
)
def test_api_list_query_count_does_not_grow_with_rows(
    client, world, django_assert_num_queries, endpoint
):
    """Each list costs the same queries with a few rows or with many more."""
    f.PartyOrganizationFactory(community=world.c1)
    client.force_login(world.users["street"])
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(endpoint).status_code == 200
    community = world.c1
    for _ in range(5):
        compound = f.CompoundFactory(community=community)
        building = f.BuildingFactory(compound=compound, grid=world.grids["G1"])
        f.HouseholdFactory.create_batch(3, unit=f.UnitFactory(building=building))
        f.PartyOrganizationFactory(community=community)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(endpoint).status_code == 200


def test_api_household_rows_carry_no_personal_data(client, world):
    """Household rows name the dwelling and count residents, nothing about them."""
    client.force_login(world.users["community"])
    row = client.get("/api/v1/households/").json()["results"][0]
    assert set(row) == {
        "id",
        "community",
        "compound",
        "building",
        "grid",
        "unit",
        "room",
        "floor_area",
        "resident_count",
    }
    assert row["resident_count"] == 1


def test_api_household_filter_by_grid(client, world):
    """Dashboards narrow households to one grid."""
    client.force_login(world.users["community"])
    grid = world.grids["G2"]
    rows = client.get("/api/v1/households/", {"grid": grid.pk}).json()["results"]
    assert {r["id"] for r in rows} == world.households_in("G2")


def test_api_huge_filter_id_is_a_400(api_client, world):
    """An id beyond any database integer is bad input, not a crash."""
    api_client.force_authenticate(world.users["community"])
    response = api_client.get("/api/v1/households/", {"grid": "9" * 30})
    assert response.status_code == 400


def test_api_token_login_is_scoped_like_the_session(client, world):
    """A staff token reads the same scoped data as the staff member."""
    from accounts.services import api_token_create

    _token, key = api_token_create(user=world.users["grid"], name="screen")
    response = client.get("/api/v1/households/", HTTP_AUTHORIZATION=f"Token {key}")
    assert {r["id"] for r in response.json()["results"]} == world.households_in("G1")
