"""Staff enter fee collection and targets and make dashboard tokens in the
admin, within their own units; the roll-up lists read without a query per row."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core import calendar
from grids.models import Compound
from stats.models import DashboardToken, FeeCollection
from stats.services import dashboard_token_create, stats_rebuild
from tests import clock
from tests.grids import factories as gf


def _fee_form(compound, **overrides):
    return {
        "compound": compound.pk,
        # Last month: finished, so it takes fees on any date the suite runs at.
        "month": clock.month(1).isoformat(),
        "households_billed": 120,
        "households_paid": 114,
        "amount_due": "18000.00",
        "amount_collected": "17100.00",
        "note": "",
        **overrides,
    }


def test_community_staff_enter_a_months_fees(client, world):
    client.force_login(world.users["community"])
    compound = Compound.objects.get(name="民生·壹号院")
    response = client.post("/admin/stats/feecollection/add/", _fee_form(compound))
    assert response.status_code == 302, response.content.decode()[:2000]
    fee = FeeCollection.objects.get()
    assert fee.entered_by == world.users["community"]
    assert fee.households_paid == 114
    listing = client.get("/admin/stats/feecollection/")
    assert "95.0%" in listing.content.decode()


def test_fee_entry_errors_are_explained_and_nothing_is_saved(client, world):
    client.force_login(world.users["community"])
    compound = Compound.objects.get(name="民生·壹号院")
    response = client.post(
        "/admin/stats/feecollection/add/",
        _fee_form(compound, households_paid=130),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["households_paid"]
    client.post("/admin/stats/feecollection/add/", _fee_form(compound))
    again = client.post("/admin/stats/feecollection/add/", _fee_form(compound))
    assert again.status_code == 200  # one entry per compound and month
    assert FeeCollection.objects.count() == 1


def test_fees_of_another_community_cannot_be_entered(client, world):
    client.force_login(world.users["community"])
    foreign = Compound.objects.filter(community=world.c3).first()
    response = client.post("/admin/stats/feecollection/add/", _fee_form(foreign))
    assert response.status_code == 200
    assert "compound" in response.context["adminform"].form.errors
    assert not FeeCollection.objects.exists()


def test_subdistrict_staff_make_a_token_shown_once(client, world, records):
    """The key is shown once; it then reads the unit's figures; units of other
    subdistricts are not offered."""
    client.force_login(world.users["street"])
    form = client.get("/admin/stats/dashboardtoken/add/")
    choices = form.context["adminform"].form.fields["subdistrict"].queryset
    assert list(choices) == [world.s1]
    response = client.post(
        "/admin/stats/dashboardtoken/add/",
        {"name": "湖西街道指挥中心大屏", "subdistrict": world.s1.pk},
        follow=True,
    )
    assert response.status_code == 200
    message = " ".join(str(m) for m in response.context["messages"])
    key = re.search(r"([A-Za-z0-9_-]{40,})", message).group(1)
    token = DashboardToken.objects.get()
    assert token.prefix == key[:8] and token.created_by == world.users["street"]
    assert (
        key
        not in client.get(
            f"/admin/stats/dashboardtoken/{token.pk}/change/"
        ).content.decode()
    )
    screen = APIClient()
    screen.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert screen.get("/api/v1/stats/summary/").status_code == 200
    refused = client.post(
        "/admin/stats/dashboardtoken/add/",
        {"name": "越权", "subdistrict": world.s2.pk},
    )
    assert refused.status_code == 200 and DashboardToken.objects.count() == 1


def test_community_staff_cannot_make_tokens(client, world):
    client.force_login(world.users["community"])
    assert client.get("/admin/stats/dashboardtoken/add/").status_code == 403


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


@pytest.mark.parametrize(
    "url", ["/admin/stats/petitionmonthly/", "/admin/stats/communitymonthly/"]
)
def test_rollup_lists_do_not_query_per_row(client, world, records, url):
    first, today = clock.month(3), calendar.today()
    stats_rebuild(first=first, last=today)
    client.force_login(world.users["district"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(3):
        community = gf.CommunityFactory(subdistrict=world.s2, name=f"加测{n}")
        gf.CompoundFactory(community=community)
    stats_rebuild(first=first, last=today)
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few)


def test_fee_and_token_lists_do_not_query_per_row(client, world):
    """The fee and token lists run as many queries for one row as for many."""
    from stats.services import dashboard_token_create

    client.force_login(world.users["district"])
    compound = Compound.objects.get(name="民生·壹号院")

    def add_rows(n, offset):
        for k in range(n):
            FeeCollection.objects.create(
                compound=gf.CompoundFactory(
                    community=world.c1, name=f"收费{offset + k}"
                ),
                month="2026-10-01",
                households_billed=10,
                households_paid=9,
                amount_due=100,
                amount_collected=90,
                entered_by=world.users["community"],
            )
            dashboard_token_create(name=f"屏{offset + k}", unit=world.c1)

    FeeCollection.objects.create(
        compound=compound,
        month="2026-09-01",
        households_billed=10,
        households_paid=9,
        amount_due=100,
        amount_collected=90,
    )
    add_rows(1, 0)
    counts = []
    for extra in (0, 6):
        add_rows(extra, 100)
        for url in ("/admin/stats/feecollection/", "/admin/stats/dashboardtoken/"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:]


def test_fee_collection_downloads_with_names_and_only_the_callers_compounds(
    client, world
):
    """Community staff download their compounds' fee entries as a spreadsheet
    that names community and compound; another community's never appear."""
    own = Compound.objects.get(name="民生·壹号院")
    foreign = Compound.objects.filter(community=world.c3).first()
    for compound in (own, foreign):
        FeeCollection.objects.create(
            compound=compound,
            month="2026-10-01",
            households_billed=100,
            households_paid=95,
            amount_due=1000,
            amount_collected=950,
        )
    client.force_login(world.users["community"])
    page = client.get("/admin/stats/feecollection/export/")
    form = page.context["form"]
    data = {name: "on" for name in form.fields if name.startswith("feecollection")}
    data["format"] = "0"  # CSV
    response = client.post("/admin/stats/feecollection/export/", data)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "民生·壹号院" in text and "端庄社区" in text
    assert foreign.name not in text
    assert text.count("\n") == 2  # the header and one row
