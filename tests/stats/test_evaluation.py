"""The evaluation of property companies: indicators, weights, the minimum
number of cases, levels, scoping, the task, the API and the 红黑榜."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import calendar
from core.models import AuditEvent
from grids.models import Person, Role
from petitions.models import Category, Petition
from stats.models import CompanyEvaluation, FeeCollection, HonourList
from stats.services import (
    assessment_score_enter,
    evaluation_rebuild,
    honour_list_publish,
)
from tests.conftest import _staff
from tests.deliberation.factories import (
    ActionItemFactory,
    BodyFactory,
    MeetingFactory,
    TopicFactory,
)
from tests.grids import factories as gf
from tests.petitions.factories import CategoryFactory, PetitionFactory
from tests.stats.factories import AssessmentItemFactory


def last_quarter() -> datetime.date:
    return calendar.quarter_start(
        calendar.add_months(calendar.quarter_start(calendar.today()), -1)
    )


def _in_quarter(quarter, day=10) -> datetime.datetime:
    return calendar.local_datetime(
        quarter + datetime.timedelta(days=day), datetime.time(10)
    )


def _cases(world, quarter, count=12, building=None) -> None:
    """``count`` cases of 民晟物业's compound in the quarter: of the first
    twelve, 10 closed (8 on time), 6 rated (5 satisfied), 1 reopened, 2
    complaints about property service."""
    building = building or world.households["G1"][0].unit.building
    leak = CategoryFactory(code=f"leak-{count}-{building.pk}")
    complaint = CategoryFactory(
        code=f"complaint-{count}-{building.pk}", group=Category.Group.COMPLAINT
    )
    created = _in_quarter(quarter)
    hours = datetime.timedelta(hours=1)
    for n in range(count):
        closed = n < 10
        PetitionFactory(
            building=building,
            category=complaint if n in (10, 11) else leak,
            status=Petition.Status.CLOSED if closed else Petition.Status.ACCEPTED,
            resolve_due_at=created + 48 * hours,
            resolved_at=created + (24 if n < 8 else 72) * hours if closed else None,
            closed_at=created + 80 * hours if closed else None,
            rating=("satisfied" if n < 5 else "dissatisfied") if n < 6 else "",
            reopen_count=1 if n == 9 else 0,
        )
    Petition.objects.filter(building=building).update(created_at=created)


def _fees_and_items(world, quarter) -> None:
    """Fees of the quarter (3 of 4 households paid) and two action items the
    company's steward owns (one done on time)."""
    compound = world.households["G1"][0].unit.building.compound
    FeeCollection.objects.create(
        compound=compound,
        month=quarter,
        households_billed=4,
        households_paid=3,
        amount_due=Decimal(400),
        amount_collected=Decimal(300),
    )
    steward = Person.objects.get(user=world.users["steward"])
    topic = TopicFactory(
        meeting=MeetingFactory(
            body=BodyFactory(community=world.c1, compound=compound),
            starts_at=_in_quarter(quarter, day=3),
            status="closed",
        ),
        decision="adopted",
    )
    due = quarter + datetime.timedelta(days=20)
    ActionItemFactory(
        topic=topic,
        owner=steward,
        due_date=due,
        status="done",
        done_at=_in_quarter(quarter, day=15),
    )
    ActionItemFactory(topic=topic, owner=steward, due_date=due, status="open")


@pytest.fixture
def evaluated(world):
    """Last quarter's records of 民晟物业 with a 党建引领 score of 90, rebuilt."""
    quarter = last_quarter()
    _cases(world, quarter)
    _fees_and_items(world, quarter)
    item = AssessmentItemFactory(district=world.district)
    assessment_score_enter(
        item=item,
        property_company=world.company,
        quarter=quarter,
        score=Decimal(90),
        evidence="2026年度党建检查记录",
        actor=world.users["district"],
    )
    evaluation_rebuild(quarter=quarter)
    return quarter


def test_evaluation_scores_a_quarter_with_its_breakdown(world, evaluated):
    """The score is the weighted mean of every indicator and assessment item,
    each shown with its weight, value, score and points."""
    row = CompanyEvaluation.objects.get(
        quarter=evaluated, level="community", property_company=world.company
    )
    parts = {p["key"]: p for p in row.breakdown}
    assert {k: p["score"] for k, p in parts.items() if p["kind"] == "platform"} == {
        "closed_on_time": 80.0,
        "satisfaction": 83.3333,
        "complaints": 0.0,  # 2 complaints over 4 households: 500 per 1,000
        "reopen": 90.0,
        "fee_collection": 75.0,
        "action_items": 50.0,
    }
    item = next(p for p in row.breakdown if p["kind"] == "assessment")
    assert (item["label"], item["weight"], item["score"]) == ("党建引领", 10, 90.0)
    expected = (25 * 80 + 25 * 250 / 3 + 0 + 10 * 90 + 10 * 75 + 15 * 50 + 900) / 110
    assert row.cases == 12
    assert row.score == Decimal(str(round(expected, 2)))
    assert abs(sum(p["points"] for p in row.breakdown) - expected) < 0.01


def test_evaluation_is_kept_per_compound_community_and_district(world, evaluated):
    """One row per level; a rebuild replaces the quarter's rows and leaves the
    same figures; other quarters stay as history."""
    levels = set(
        CompanyEvaluation.objects.filter(quarter=evaluated).values_list(
            "level", flat=True
        )
    )
    assert levels == {"compound", "community", "district"}
    before = list(CompanyEvaluation.objects.values("level", "score", "breakdown"))
    evaluation_rebuild(quarter=evaluated)
    evaluation_rebuild(quarter=calendar.today())
    assert (
        list(
            CompanyEvaluation.objects.filter(quarter=evaluated).values(
                "level", "score", "breakdown"
            )
        )
        == before
    )


def test_no_score_below_the_minimum_number_of_cases(world):
    """Nine cases give a breakdown but no score."""
    quarter = last_quarter()
    _cases(world, quarter, count=9)
    evaluation_rebuild(quarter=quarter)
    row = CompanyEvaluation.objects.get(quarter=quarter, level="district")
    assert row.cases == 9 and row.score is None
    assert row.breakdown


def _listed(client, user, **params) -> list[tuple]:
    client.force_login(user)
    response = client.get("/api/v1/stats/evaluations/", params)
    assert response.status_code == 200, response.content
    return [
        (r["level"], r["property_company"]["name"]) for r in response.json()["results"]
    ]


def test_evaluations_are_scoped(client, world, evaluated):
    """District staff read every level; community staff their community's
    rows, not the district's; a company's steward their own company; another
    company's steward nothing; a grid worker is refused."""
    quarter = calendar.quarter_label(evaluated)
    levels = {"compound", "community", "district"}
    district = _listed(client, world.users["district"], quarter=quarter)
    assert {level for level, _name in district} == levels
    community = _listed(client, world.users["community"], quarter=quarter)
    assert {level for level, _name in community} == {"compound", "community"}
    steward = _listed(client, world.users["steward"], quarter=quarter)
    assert {level for level, _name in steward} == levels
    other = gf.PropertyCompanyFactory(district=world.district, name="别家物业")
    gf.CompoundFactory(community=world.c2, property_company=other)
    _staff(
        world,
        "other",
        world.c2,
        Role.Kind.PROPERTY_STEWARD,
        grid=world.grids["G3"],
        property_company=other,
    )
    assert _listed(client, world.users["other"], quarter=quarter) == []
    client.force_login(world.users["grid"])
    assert client.get("/api/v1/stats/evaluations/").status_code == 403


def test_evaluation_api_answers_what_its_schema_says(client, world, evaluated):
    """Every key of an evaluation is described in the schema; bad input is a
    400; the query count is pinned; it downloads as CSV, one row per part."""
    client.force_login(world.users["district"])
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/stats/evaluations/").json()
    assert len(queries) == 8
    schemas = client.get("/api/schema/", {"format": "json"}).json()["components"][
        "schemas"
    ]
    record = body["results"][0]
    assert set(record) == set(schemas["StatsEvaluation"]["properties"])
    assert set(record["breakdown"][0]) == set(schemas["EvaluationPart"]["properties"])
    for bad in ({"quarter": "2026-Q5"}, {"level": "grid"}, {"community": "x"}):
        assert client.get("/api/v1/stats/evaluations/", bad).status_code == 400
    csv = client.get("/api/v1/stats/evaluations/", {"format": "csv"})
    assert csv.content.decode("utf-8-sig").startswith("quarter,level,unit")


def test_entering_a_score_is_audited_and_rebuilds_the_quarter(world, evaluated, relay):
    """A corrected assessment score is audited and, through the outbox, the
    quarter's evaluation follows it."""
    row = CompanyEvaluation.objects.get(quarter=evaluated, level="district")
    item = row.breakdown[-1]
    assessment_score_enter(
        item=world.district.assessment_items.get(),
        property_company=world.company,
        quarter=evaluated + datetime.timedelta(days=40),
        score=Decimal(40),
        evidence="复查：党支部活动记录不全",
        actor=world.users["district"],
    )
    relay()
    assert AuditEvent.objects.filter(action="assessmentscore.enter").count() == 2
    again = CompanyEvaluation.objects.get(quarter=evaluated, level="district")
    assert again.breakdown[-1]["score"] == 40.0 != item["score"]
    assert again.score < row.score


def _second_company(world, quarter, count=12) -> None:
    """A second company in C2 whose cases are all closed late and unrated."""
    other = gf.PropertyCompanyFactory(district=world.district, name="别家物业")
    compound = gf.CompoundFactory(community=world.c2, property_company=other)
    building = gf.BuildingFactory(compound=compound, grid=world.grids["G3"])
    gf.HouseholdFactory(unit=gf.UnitFactory(building=building))
    _cases(world, quarter, count=count, building=building)
    Petition.objects.filter(building=building).update(
        resolved_at=_in_quarter(quarter, day=20), rating=""
    )


def test_honour_list_names_the_top_and_the_bottom(client, world, evaluated):
    """The 红黑榜 puts the best scored company on the red list and the worst
    on the black list if it scores below the pass mark of 60; published, it
    is a snapshot; a company that passes is not blacklisted."""
    _second_company(world, evaluated)
    evaluation_rebuild(quarter=evaluated)
    CompanyEvaluation.objects.filter(
        quarter=evaluated, level="district", property_company=world.company
    ).update(score=Decimal("88.5"))
    honour = honour_list_publish(
        district=world.district, quarter=evaluated, actor=world.users["district"]
    )
    assert [e["company"] for e in honour.entries["red"]] == ["民晟物业"]
    assert [e["company"] for e in honour.entries["black"]] == ["别家物业"]
    assert honour.entries["rules"]["min_cases"] == 10
    evaluation_rebuild(quarter=evaluated)
    honour.refresh_from_db()
    assert honour.entries["red"][0]["score"] == 88.5
    client.force_login(world.users["community"])
    body = client.get("/api/v1/stats/honour-lists/").json()
    assert body["results"][0]["red"][0]["company"] == "民晟物业"
    CompanyEvaluation.objects.filter(
        quarter=evaluated, level="district", property_company__name="别家物业"
    ).update(score=Decimal(70))
    again = honour_list_publish(
        district=world.district, quarter=evaluated, actor=world.users["district"]
    )
    assert (len(again.entries["red"]), again.entries["black"]) == (1, [])


def test_only_district_staff_publish_the_honour_list(world, evaluated):
    """Community staff may not publish their district's list."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        honour_list_publish(
            district=world.district,
            quarter=evaluated,
            actor=world.users["community"],
        )
    assert not HonourList.objects.exists()


def test_residents_read_the_honour_list_of_their_community(client, world, evaluated):
    """The residents' page shows the published lists with their rules and
    which companies serve the community, with a pinned query count."""
    CompanyEvaluation.objects.filter(quarter=evaluated, level="district").update(
        score=Decimal("91")
    )
    honour_list_publish(
        district=world.district, quarter=evaluated, actor=world.users["district"]
    )
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/c/{world.c1.pk}/companies/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "民晟物业" in text and "91.0" in text
    assert calendar.quarter_label(evaluated) in text
    assert len(queries) == 3
    assert client.get("/c/999999/companies/").status_code == 404
