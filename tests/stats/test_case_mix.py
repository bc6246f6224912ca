"""Cases by category, repair kind and channel: rolled up, equal to the live
count, scoped, in the API and its downloads, with a pinned query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from petitions.models import Category, Petition
from stats.models import CaseMixMonthly
from stats.selectors import Area, stats_case_mix, stats_case_mix_live
from stats.services import stats_rebuild
from tests.clock import moment
from tests.petitions.factories import CategoryFactory, PetitionFactory
from tests.stats.conftest import period

#: Seed 004's repairs, a tenth of them (空调滴水 kept whole: 3 cases).
SEED_004 = [
    ("paid-repair", "有偿维修", "paid", 26),
    ("public-repair", "公共维修", "public", 41),
    ("pipe", "管道疏通", "public", 6),
    ("aircon-drip", "空调滴水", "", 3),
    ("leak", "渗水", "public", 8),
]


@pytest.mark.parametrize("username", ["superuser", "district", "street", "grid"])
def test_case_mix_rollup_equals_live_for_every_role(world, records, username):
    """For each role the three tables from the roll-ups equal the same tables
    counted straight from the cases the role may see."""
    first, last, _params = period()
    stats_rebuild(first=first, last=last)
    user = world.users[username]
    rolled = stats_case_mix(user=user, area=Area(), first=first, last=last)
    assert rolled == stats_case_mix_live(user=user, area=Area(), first=first, last=last)
    assert rolled["by_category"] or username == "street"


def test_case_mix_rollup_equals_live_for_every_kind_of_unit(world, records):
    """Narrowed to a district, a community, a grid or a company, the roll-ups
    still equal the live tables, and the categories add up to the total."""
    first, last, _params = period()
    stats_rebuild(first=first, last=last)
    user = world.users["superuser"]
    for area in (
        Area("district", world.district.pk),
        Area("community", world.c1.pk),
        Area("grid", world.grids["G1"].pk),
        Area("property_company", world.company.pk),
    ):
        rolled = stats_case_mix(user=user, area=area, first=first, last=last)
        live = stats_case_mix_live(user=user, area=area, first=first, last=last)
        assert rolled == live, area
        by_category = sum(r["received"] for r in rolled["by_category"])
        by_channel = sum(r["received"] for r in rolled["by_channel"])
        assert by_category == by_channel


def _seed_004_cases(world) -> None:
    """Seed 004's repairs (a tenth) and its meetings: of 70 issues raised at
    meetings (700 in the seed), 46 handled (460)."""
    building = world.households["G1"][0].unit.building
    when = moment(1, day=14)
    for code, name, kind, count in SEED_004:
        category = CategoryFactory(
            code=code, name=name, group=Category.Group.REPAIR, repair_kind=kind
        )
        PetitionFactory.create_batch(
            count, category=category, building=building, channel="web"
        )
    meeting_topic = CategoryFactory(
        code="meeting-topic",
        name="议事会收集问题",
        group=Category.Group.SUGGESTION,
        repair_kind="",
    )
    for n in range(70):
        PetitionFactory(
            category=meeting_topic,
            building=building,
            channel=Petition.Channel.MEETING,
            status=Petition.Status.CLOSED if n < 46 else Petition.Status.ACCEPTED,
        )
    Petition.objects.update(created_at=when)


def test_case_mix_reproduces_seed_004s_table(world):
    """Cases shaped like seed 004 come back as its table: repairs by category
    and by kind (paid 26, public 41 + 6 + 8), and the issues raised at meetings
    with how many were handled."""
    _seed_004_cases(world)
    first, last, _params = period()
    stats_rebuild(first=first, last=last)
    mix = stats_case_mix(
        user=world.users["superuser"], area=Area(), first=first, last=last
    )
    counts = {r["code"]: r["received"] for r in mix["by_category"]}
    assert counts == {
        **{code: count for code, _name, _kind, count in SEED_004},
        "meeting-topic": 70,
    }
    kinds = {r["repair_kind"]: r["received"] for r in mix["by_repair_kind"]}
    assert kinds == {"public": 55, "paid": 26}
    meeting = next(r for r in mix["by_channel"] if r["channel"] == "meeting")
    assert (meeting["received"], meeting["closed"]) == (70, 46)
    assert [r["code"] for r in mix["by_category"]][:2] == [
        "meeting-topic",
        "public-repair",
    ]


def test_case_mix_api_is_scoped_and_downloads(client, world, built):
    """The endpoint answers the three tables for the caller's units, refuses
    another community with 404, and downloads as CSV with a section column."""
    client.force_login(world.users["community"])
    body = client.get("/api/v1/stats/case-mix/", built).json()
    assert {"by_category", "by_repair_kind", "by_channel"} <= set(body)
    assert sum(r["received"] for r in body["by_channel"]) == (
        Petition.objects.filter(community=world.c1).count()
    )
    other = client.get("/api/v1/stats/case-mix/", {**built, "community": world.c3.pk})
    assert other.status_code == 404
    csv = client.get("/api/v1/stats/case-mix/", {**built, "format": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert text.startswith("section,key,label,received")
    assert "by_channel" in text


def test_case_mix_api_query_count_is_pinned(client, world, built):
    """The endpoint runs a fixed number of queries, whatever the rows."""
    client.force_login(world.users["district"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/stats/case-mix/", built)
    assert response.status_code == 200
    assert CaseMixMonthly.objects.exists()
    assert len(queries) == 7


def test_case_mix_schema_describes_the_answer(client, world, built):
    """Every key the endpoint answers is described in the schema."""
    client.force_login(world.users["superuser"])
    schemas = client.get("/api/schema/", {"format": "json"}).json()["components"][
        "schemas"
    ]
    body = client.get("/api/v1/stats/case-mix/", built).json()
    assert set(body) == set(schemas["StatsCaseMix"]["properties"])
    for section, name in (
        ("by_category", "StatsMixCategory"),
        ("by_repair_kind", "StatsMixRepairKind"),
        ("by_channel", "StatsMixChannel"),
    ):
        assert body[section], section
        for record in body[section]:
            assert set(record) == set(schemas[name]["properties"]), section
