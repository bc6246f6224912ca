"""The district API: scoped, token-bound, exportable, and a constant number of
queries whatever the number of units."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditEvent
from grids.models import Community, PropertyCompany
from stats.models import DashboardToken, Target
from stats.services import dashboard_token_create, dashboard_token_revoke, stats_rebuild
from tests.grids import factories as gf
from tests.stats.conftest import period


def _bearer(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_summary_is_scoped_to_the_callers_units(client, world, built):
    """Community staff read their community; another community is 404; bad
    input is a 400 that says what is wrong."""
    client.force_login(world.users["community"])
    own = client.get("/api/v1/stats/summary/", {**built, "community": world.c1.pk})
    assert own.status_code == 200
    assert own.json()["cases"]["received"] == 15
    assert own.json()["unit"]["name"] == "端庄社区"
    assert (
        client.get(
            "/api/v1/stats/summary/", {**built, "community": world.c3.pk}
        ).status_code
        == 404
    )
    bad = client.get("/api/v1/stats/summary/", {"start": "2024-13", "end": "x"})
    assert bad.status_code == 400 and "start" in bad.json()["details"]
    two = client.get(
        "/api/v1/stats/summary/",
        {**built, "community": world.c1.pk, "subdistrict": world.s1.pk},
    )
    assert two.status_code == 400


def test_grid_worker_without_the_right_is_refused(client, world, built):
    client.force_login(world.users["grid"])
    assert client.get("/api/v1/stats/summary/", built).status_code == 403


def test_subdistrict_token_reads_its_own_subdistrict_only(world, built):
    """A dashboard token bound to one subdistrict reads that subdistrict's
    figures and nothing of another's, not even the district total."""
    token, key = dashboard_token_create(name="湖西大屏", unit=world.s1)
    screen = _bearer(key)
    own = screen.get("/api/v1/stats/summary/", {**built, "subdistrict": world.s1.pk})
    assert own.status_code == 200
    assert own.json()["cases"]["received"] == 15  # c1's cases; c2 has none
    everything = screen.get("/api/v1/stats/summary/", built).json()
    assert everything["cases"] == own.json()["cases"]
    for params in (
        {"subdistrict": world.s2.pk},
        {"community": world.c3.pk},
        {"district": world.district.pk},
        {"grid": world.grids["G4"].pk},
    ):
        assert (
            screen.get("/api/v1/stats/summary/", {**built, **params}).status_code == 404
        )
    ranking = screen.get(
        "/api/v1/stats/ranking/", {**built, "by": "community", "min_cases": 1}
    ).json()["results"]
    assert [r["name"] for r in ranking] == ["端庄社区"]
    # The token reads statistics only: not the cases themselves.
    assert screen.get("/api/v1/petitions/").status_code in (401, 403)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_expired_and_unknown_tokens_are_refused(world, built):
    token, key = dashboard_token_create(name="旧屏", unit=world.s1)
    dashboard_token_revoke(token=token)
    assert _bearer(key).get("/api/v1/stats/summary/", built).status_code == 401
    _token, key2 = dashboard_token_create(
        name="临时屏",
        unit=world.c1,
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    assert _bearer(key2).get("/api/v1/stats/summary/", built).status_code == 401
    assert _bearer("nonsense").get("/api/v1/stats/summary/", built).status_code == 401
    assert DashboardToken.objects.filter(key_hash=key).count() == 0  # hash only


def test_staff_cannot_make_a_token_for_a_unit_outside_theirs(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        dashboard_token_create(
            name="越权", unit=world.s2, created_by=world.users["street"]
        )
    token, _key = dashboard_token_create(
        name="端庄大屏", unit=world.c1, created_by=world.users["street"]
    )
    assert token.community == world.c1


def test_making_and_revoking_a_token_is_audited(world):
    """Handing out a dashboard key and revoking it each leave an audit row."""
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


def test_property_company_ranking_and_drilldown(client, world, built):
    client.force_login(world.users["district"])
    companies = client.get(
        "/api/v1/stats/ranking/",
        {**built, "by": "property_company", "min_cases": 1},
    ).json()["results"]
    assert [r["name"] for r in companies] == ["民晟物业"]
    assert companies[0]["rank"] == 1 and companies[0]["received"] == 15
    too_few = client.get(
        "/api/v1/stats/ranking/", {**built, "by": "community", "min_cases": 5}
    ).json()["results"]
    assert [r["name"] for r in too_few] == ["端庄社区"]  # 楼北社区 has 3 cases
    down = client.get(
        "/api/v1/stats/drilldown/", {**built, "district": world.district.pk}
    ).json()
    assert down["level"] == "subdistrict"
    by_name = {r["name"]: r for r in down["results"]}
    assert by_name["湖西街道"]["received"] == 15
    assert by_name["古楼街道"]["received"] == 3
    grids = client.get(
        "/api/v1/stats/drilldown/", {**built, "community": world.c1.pk}
    ).json()
    assert grids["level"] == "grid"
    assert sum(r["received"] for r in grids["results"]) == 15
    assert {r["name"] for r in grids["results"]} == {"G1", "G2"}


def test_targets_report_progress(client, world, built):
    """Seed 001's targets: A/B coverage against 70%, companies with party
    organisations against 100%, fees against 95%."""
    due = datetime.date(2030, 12, 31)
    for metric, value in (
        ("compound_coverage", "0.70"),
        ("company_party_orgs", "1.00"),
        ("fee_collection", "0.95"),
        ("complaints_change", "-0.30"),
    ):
        Target.objects.create(
            district=world.district, metric=metric, value=value, due_on=due
        )
    client.force_login(world.users["community"])
    body = client.get(
        "/api/v1/stats/targets/", {**built, "community": world.c1.pk}
    ).json()
    results = {r["metric"]: r for r in body["results"]}
    assert results["compound_coverage"]["value"] == 0.5
    assert results["compound_coverage"]["met"] is False
    assert results["company_party_orgs"]["value"] == 1.0
    assert results["company_party_orgs"]["met"] is True
    assert results["fee_collection"]["value"] == 0.925
    assert results["fee_collection"]["met"] is False
    # No complaints in the same months a year before: no change to report.
    assert results["complaints_change"]["value"] is None
    assert results["complaints_change"]["met"] is None


def test_targets_are_those_of_the_units_own_district(client, world, built):
    """The targets of a district are its own: another district's targets for
    the same figure are not listed with them."""
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


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_table_downloads_as_csv_and_excel(client, world, built, fmt):
    client.force_login(world.users["district"])
    for endpoint, extra in (
        ("summary", {}),
        ("series", {}),
        ("ranking", {"by": "community", "min_cases": 1}),
        ("drilldown", {"district": world.district.pk}),
        ("targets", {}),
    ):
        response = client.get(
            f"/api/v1/stats/{endpoint}/", {**built, **extra, "format": fmt}
        )
        assert response.status_code == 200, endpoint
        assert "attachment" in response["Content-Disposition"]
        if fmt == "csv":
            text = response.content.decode("utf-8-sig")
            lines = [line for line in text.splitlines() if line]
            assert len(lines) >= 1
        else:
            book = openpyxl.load_workbook(io.BytesIO(response.content))
            rows = list(book.active.iter_rows(values_only=True))
            assert rows
        if endpoint == "summary":
            assert "received" in (text if fmt == "csv" else str(rows))
        if endpoint == "drilldown":
            assert "湖西街道" in (text if fmt == "csv" else str(rows))


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


def _count(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(queries)


def test_query_counts_do_not_grow_with_the_number_of_units(
    client, world, built, submit
):
    """Every dashboard endpoint runs the same number of queries for three
    communities as for eight with cases in more grids."""
    client.force_login(world.users["district"])
    urls = {
        "summary": {},
        "series": {},
        "ranking": {"by": "community", "min_cases": 1},
        "drilldown": {"district": world.district.pk},
        "targets": {},
    }
    Target.objects.create(
        district=world.district,
        metric="fee_collection",
        value="0.95",
        due_on=datetime.date(2030, 1, 1),
    )
    before = {
        name: _count(client, f"/api/v1/stats/{name}/", {**built, **extra})
        for name, extra in urls.items()
    }
    for n in range(5):
        community = gf.CommunityFactory(subdistrict=world.s2, name=f"新社区{n}")
        grid = gf.GridFactory(community=community, name=f"新网格{n}")
        compound = gf.CompoundFactory(community=community)
        building = gf.BuildingFactory(compound=compound, grid=grid)
        submit(building=building)
    first, last, _params = period()
    stats_rebuild(first=first, last=last)
    after = {
        name: _count(client, f"/api/v1/stats/{name}/", {**built, **extra})
        for name, extra in urls.items()
    }
    assert after == before
    # Pinned, so that a new query per unit shows here.
    assert before == {
        "summary": 15,
        "series": 10,
        "ranking": 7,
        "drilldown": 12,
        "targets": 17,
    }


def test_schema_lists_the_statistics_endpoints(client, world):
    client.force_login(world.users["superuser"])
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for name in ("summary", "series", "ranking", "drilldown", "targets"):
        assert f"/api/v1/stats/{name}/" in schema["paths"]


@pytest.mark.parametrize(
    "params",
    [
        {"start": "0000-01", "end": "2026-01"},
        {"end": "0001-01"},
        {"start": "9999-12", "end": "9999-12"},
        {"start": "2026-1", "end": "2026-02"},
        {"start": "2026-03", "end": "2026-01"},
        {"start": "2000-01", "end": "2026-01"},
        {"community": "x"},
        {"community": 2**70},
    ],
)
def test_bad_periods_and_units_are_400_not_500(client, world, params):
    client.force_login(world.users["district"])
    for endpoint in ("summary", "series", "drilldown", "targets"):
        response = client.get(f"/api/v1/stats/{endpoint}/", params)
        assert response.status_code == 400, (endpoint, params)
        assert response.json()["code"] == "invalid"


def test_default_period_is_the_twelve_months_up_to_this_month(client, world):
    client.force_login(world.users["district"])
    body = client.get("/api/v1/stats/series/").json()
    assert len(body["results"]) == 12
    assert body["end"] == timezone.localdate().strftime("%Y-%m")
    march = client.get("/api/v1/stats/series/", {"end": "2026-03"}).json()
    assert march["start"] == "2025-04" and len(march["results"]) == 12


def test_the_schema_describes_what_the_endpoints_answer(client, world, built):
    """Clients generate code from the schema: every key an endpoint answers is
    described there, and every described figure of a summary is answered."""
    client.force_login(world.users["superuser"])
    components = client.get("/api/schema/", {"format": "json"}).json()["components"][
        "schemas"
    ]

    def props(name):
        return set(components[name]["properties"])

    summary = client.get("/api/v1/stats/summary/", built).json()
    assert set(summary) == props("StatsSummary")
    for section, name in (
        ("cases", "StatsCaseFigures"),
        ("now", "StatsOpenNow"),
        ("meetings_and_service", "StatsMeetingsAndService"),
        ("coverage", "StatsCoverage"),
        ("fees", "StatsFees"),
        ("field_work", "StatsFieldWork"),
    ):
        assert set(summary[section]) == props(name), section
    answers = {
        "StatsSeriesMonth": client.get("/api/v1/stats/series/", built).json(),
        "StatsRankedUnit": client.get(
            "/api/v1/stats/ranking/", {**built, "by": "community", "min_cases": 1}
        ).json(),
        "StatsChildUnit": client.get(
            "/api/v1/stats/drilldown/", {**built, "district": world.district.pk}
        ).json(),
    }
    for name, body in answers.items():
        assert body["results"], name
        for record in body["results"]:
            assert set(record) <= props(name), (name, set(record) - props(name))


def test_the_schema_requires_only_what_every_unit_answers(client, world, built):
    """A grid has no meetings of its own and a company no field work: what the
    schema requires is answered for every kind of unit."""
    client.force_login(world.users["superuser"])
    components = client.get("/api/schema/", {"format": "json"}).json()["components"][
        "schemas"
    ]
    answers = [
        ("StatsChildUnit", "drilldown", {"community": world.c1.pk}),
        ("StatsSeriesMonth", "series", {"property_company": world.company.pk}),
        ("StatsSeriesMonth", "series", {"grid": world.grids["G1"].pk}),
    ]
    for name, endpoint, unit in answers:
        body = client.get(f"/api/v1/stats/{endpoint}/", {**built, **unit}).json()
        assert body["results"], (endpoint, unit)
        required = set(components[name]["required"])
        for record in body["results"]:
            assert required <= set(record), (endpoint, unit, required - set(record))


def test_drilldown_lists_grids_in_their_natural_order(client, world, built):
    """Grids come as people number them (第二 before 第九 before 第十), not in
    code-point order, which puts 第九 and 第十 before 第二."""
    for name in ("第十网格", "第九网格", "第二网格"):
        gf.GridFactory(community=world.c1, name=name)
    client.force_login(world.users["community"])
    rows = client.get(
        "/api/v1/stats/drilldown/", {**built, "community": world.c1.pk}
    ).json()["results"]
    assert [r["name"] for r in rows] == ["G1", "G2", "第二网格", "第九网格", "第十网格"]


def test_community_staff_drill_down_to_their_grids(client, world, built):
    """Community staff drill down to the grids of their community, and the
    dashboard opens on each of them."""
    client.force_login(world.users["community"])
    down = client.get("/api/v1/stats/drilldown/").json()
    assert down["level"] == "grid"
    assert {r["name"] for r in down["results"]} == {"G1", "G2"}
    child = down["results"][0]
    assert client.get("/stats/dashboard/", {"grid": child["id"]}).status_code == 200


def test_stats_api_refuses_an_empty_format(client, world, built):
    """``?format=`` names no table format: a 400, as the schema says, not JSON."""
    client.force_login(world.users["district"])
    response = client.get("/api/v1/stats/series/", {**built, "format": ""})
    assert response.status_code == 400
    assert "format" in response.json()["details"]
