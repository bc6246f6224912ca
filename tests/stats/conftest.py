"""Records of every kind the roll-ups count, in states that exercise every
figure, shared by the statistics tests."""

import datetime
from decimal import Decimal

import pytest

from core import calendar
from grids.models import Compound, OwnersCommittee, Person
from petitions.models import Category, Petition
from petitions.services import petition_transition
from stats.models import FeeCollection
from tests.clock import moment, month
from tests.deliberation.factories import (
    ActionItemFactory,
    BodyFactory,
    MeetingFactory,
    TopicFactory,
)
from tests.grids import factories as gf
from tests.petitions.conftest import building, category, relay, submit  # noqa: F401
from tests.petitions.factories import CategoryFactory, DepartmentFactory
from tests.volunteers.factories import ActivityFactory, SignUpFactory, WishFactory
from volunteers.models import Wish


@pytest.fixture
def cases(world, submit, category):  # noqa: F811
    """Cases over three months in two communities, in every kind of state,
    some of them complaints about property service and neighbour disputes."""
    categories = _case_categories(category)
    made = []
    for months_ago in (0, 1, 2):
        for index in range(5):
            petition = _case_in_state(world, submit, categories[index], index)
            made.append(petition)
            _date_case(petition, months_ago, index)
        _referred_case(world, submit, months_ago)
    return made


def _case_categories(leak) -> list:
    """The category of each of a month's five cases: leaks, with a complaint
    about property service second and a neighbour dispute fourth."""
    complaint = CategoryFactory(
        code="complaint", name="物业服务投诉", group=Category.Group.COMPLAINT
    )
    dispute = CategoryFactory(
        code="dispute", name="邻里纠纷", group=Category.Group.DISPUTE
    )
    return [leak, complaint, leak, dispute, leak]


def _case_in_state(world, submit_case, case_category, index: int) -> Petition:
    """File a case in G2 or G1 and take it as far as ``index`` says: 0 only
    submitted, 1 accepted, 2 resolved, 3 confirmed with a rating, 4 reopened."""
    staff = world.users["community"]
    place = world.households["G1" if index % 2 else "G2"][0].unit.building
    petition = submit_case(building=place, category=case_category)
    if index >= 1:
        petition = petition_transition(petition=petition, action="accept", actor=staff)
    if index >= 2:
        handler = Person.objects.get(
            user=world.users["grid"] if index % 2 else world.users["community"]
        )
        petition = petition_transition(
            petition=petition, action="dispatch", actor=staff, handler=handler
        )
        petition = petition_transition(
            petition=petition, action="resolve", actor=staff, note="好了"
        )
    if index == 3:
        petition = petition_transition(
            petition=petition, action="confirm", rating="fairly"
        )
    if index == 4 and petition.status == "awaiting_resident":
        petition = petition_transition(petition=petition, action="reopen", note="没好")
    return petition


def _date_case(petition: Petition, months_ago: int, index: int) -> None:
    """Move the case back in time with times to accept and to close that
    differ from case to case (the medians read them)."""
    created = moment(months_ago, day=index + 1, hour=9 + index)
    hours = datetime.timedelta(hours=1)
    taken = datetime.timedelta(minutes=17 * index + 7 * months_ago)
    Petition.objects.filter(pk=petition.pk).update(
        created_at=created,
        accept_due_at=created + 2 * (index % 3) * hours,
        resolve_due_at=created + 30 * hours,
        accepted_at=created + taken if petition.accepted_at else None,
        resolved_at=created + (9 * index + 5 * months_ago) * hours
        if petition.resolved_at
        else None,
        closed_at=created + (9 * index + 5 * months_ago + 1) * hours
        if petition.closed_at
        else None,
    )


def _referred_case(world, submit_case, months_ago: int) -> None:
    """File a case in C3 that the district refers to a department, dated on the
    first of the month ``months_ago`` back."""
    superuser = world.users["superuser"]
    referred = submit_case(building=world.households["G4"][0].unit.building)
    referred = petition_transition(petition=referred, action="accept", actor=superuser)
    petition_transition(
        petition=referred,
        action="refer",
        actor=superuser,
        department=DepartmentFactory(),
    )
    Petition.objects.filter(pk=referred.pk).update(
        created_at=moment(months_ago, day=1, hour=8)
    )


def _at(months_ago: int, day: int = 10, hour: int = 19) -> datetime.datetime:
    """A moment ``months_ago`` months back, on ``day`` at ``hour`` local time
    (this month: a moment already past)."""
    return moment(months_ago, day=day, hour=hour)


@pytest.fixture
def records(world, cases):
    """Meetings, topics, decisions, action items, activities, verified hours,
    wishes, party organisations, compounds of every coverage state and fees,
    over the same three months, in c1 and c3."""
    owner = Person.objects.get(user=world.users["community"])
    made = {"meetings": [], "topics": [], "items": [], "signups": [], "wishes": []}
    for community in (world.c1, world.c3):
        body = BodyFactory(community=community, day_of_month=4)
        for months_ago in (0, 1, 2):
            starts = _at(months_ago, day=4)
            cancelled = months_ago == 1 and community == world.c3
            meeting, topics, items = _meeting_of_the_month(
                body, starts, owner, cancelled=cancelled
            )
            made["meetings"].append(meeting)
            made["topics"] += topics
            made["items"] += items
            made["signups"] += _activity_with_signups(community, starts)
            made["wishes"] += _wishes(community, starts)
    _coverage(world)
    made["fees"] = _fees()
    made["cases"] = cases
    made.update(_field_work(world, cases))
    return made


def _meeting_of_the_month(body, starts, owner, *, cancelled: bool) -> tuple:
    """Hold (or cancel) the month's meeting of ``body`` with three topics; the
    adopted one gets four action items. Return the meeting, topics and items."""
    status = "cancelled" if cancelled else "closed"
    meeting = MeetingFactory(
        body=body,
        starts_at=starts,
        status=status,
        minutes="议定事项" if status == "closed" else "",
    )
    topics, items = [], []
    for n, decision in enumerate(["adopted", "", "referred"]):
        topic = TopicFactory(
            meeting=meeting, title=f"议题{n}", decision=decision, position=n
        )
        topics.append(topic)
        if decision == "adopted":
            items += _action_items(topic, starts, owner)
    return meeting, topics, items


def _action_items(topic, starts, owner) -> list:
    """Four action items due five days after the meeting: done after two days,
    done after nine, open, and cancelled."""
    due = starts.date() + datetime.timedelta(days=5)
    return [
        ActionItemFactory(
            topic=topic,
            title=f"落实{k}",
            owner=owner,
            due_date=due,
            status=item_status,
            done_at=starts + datetime.timedelta(days=done_after)
            if done_after
            else None,
        )
        for k, (item_status, done_after) in enumerate(
            [("done", 2), ("done", 9), ("open", None), ("cancelled", None)]
        )
    ]


def _activity_with_signups(community, starts) -> list:
    """A three-hour activity at ``starts`` with five sign-ups: two with verified
    hours, one without, one cancelled (hours it must not count) and one
    waiting."""
    activity = ActivityFactory(community=community, starts_at=starts, hours=3)
    return [
        SignUpFactory(
            activity=activity,
            name=f"志愿者{k}",
            phone=f"1391234{k:04d}",
            status=status,
            verified_hours=Decimal(hours) if hours else None,
        )
        for k, (status, hours) in enumerate(
            [
                ("confirmed", "2.50"),
                ("confirmed", "1.00"),
                ("confirmed", None),
                ("cancelled", "3.00"),
                ("waiting", None),
            ]
        )
    ]


def _wishes(community, starts) -> list:
    """Three wishes posted at ``starts``: published, fulfilled and confirmed."""
    wishes = []
    for k, status in enumerate(["published", "fulfilled", "confirmed"]):
        wish = WishFactory(
            community=community,
            title=f"心愿{k}",
            wisher_name="李奶奶",
            status=status,
            fulfilled_at=starts + datetime.timedelta(days=1)
            if status != "published"
            else None,
        )
        Wish.objects.filter(pk=wish.pk).update(created_at=starts)
        wishes.append(wish)
    return wishes


def _coverage(world) -> None:
    """Party coverage in C1: the company gets a branch (it covers 民生·壹号院,
    class A); an uncovered class-B compound; a 三无 compound with a small-stool
    meeting, another without; one with an owners' committee is not 三无."""
    c1 = world.c1
    gf.PartyOrganizationFactory(
        name="民晟物业党支部",
        kind="property_branch",
        community=c1,
        property_company=world.company,
    )
    Compound.objects.filter(name="民生·壹号院").update(grade="A")
    gf.CompoundFactory(
        community=c1, name="老厂宿舍", grade="B", supervising_unit="市纺织厂"
    )
    self_run = gf.CompoundFactory(community=c1, name="三无院一")
    gf.CompoundFactory(community=c1, name="三无院二")
    committee = gf.CompoundFactory(community=c1, name="业委会院")
    OwnersCommittee.objects.create(compound=committee, name="业委会院业委会")
    BodyFactory(
        community=c1,
        compound=self_run,
        name="小板凳议事会",
        kind="stool",
        day_of_month=14,
    )


def _fees() -> list:
    """Fee collection of 民生·壹号院 this month (95 %) and last month (90 %)."""
    compound = Compound.objects.get(name="民生·壹号院")
    return [
        FeeCollection.objects.create(
            compound=compound,
            month=_at(months_ago).date().replace(day=1),
            households_billed=billed,
            households_paid=paid,
            amount_due=Decimal(due),
            amount_collected=Decimal(got),
        )
        for months_ago, (billed, paid, due, got) in enumerate(
            [(100, 95, "10000.00", "9500.00"), (100, 90, "10000.00", "9000.00")]
        )
    ]


def _field_work(world, cases) -> dict:
    """Patrols with findings (some filed as cases: cases above are given a
    finding, so that the case figures stay) and home visits of households
    under a care plan, over the same three months, in G1, G2 and G4; one
    household under care in G2 is never visited."""
    from grids.models import PatrolFinding, Visit

    unlinked = iter(cases)

    made = {"patrols": [], "findings": [], "visits": [], "care": []}
    alone = gf.TagFactory(name="独居老人")
    for community in (world.c1, world.c3):
        gf.CarePlanFactory(community=community, tag=alone, every_days=7)
    for grid in ("G1", "G2", "G4"):
        made["care"].append(
            gf.HouseholdTagFactory(household=world.households[grid][0], tag=alone)
        )
    for months_ago in (0, 1, 2):
        for index, grid in enumerate(("G1", "G4")):
            worker = gf.PersonFactory(
                household=None, community=world.grids[grid].community
            )
            started = _at(months_ago, day=3 + index, hour=9)
            patrol = gf.PatrolFactory(
                grid=world.grids[grid],
                person=worker,
                status="ended",
                started_at=started,
                ended_at=started + datetime.timedelta(hours=1),
            )
            made["patrols"].append(patrol)
            place = world.households[grid][0].unit.building
            for n in range(2 + index):
                finding = PatrolFinding.objects.create(
                    patrol=patrol,
                    building=place,
                    kind="environment",
                    description=f"发现{n}",
                    created_at=started + datetime.timedelta(minutes=10 * (n + 1)),
                )
                if n == 0:
                    Petition.objects.filter(pk=next(unlinked).pk).update(
                        patrol_finding=finding
                    )
                made["findings"].append(finding)
            if months_ago < 2:
                made["visits"].append(
                    Visit.objects.create(
                        household=world.households[grid][0],
                        visitor=worker,
                        visited_at=_at(months_ago, day=6 + index, hour=15),
                        findings="老人身体尚好",
                    )
                )
    return made


def period():
    """This month and the three before: (first day, today, the API's start/end)."""
    today = calendar.today()
    first = month(3)
    return first, today, {"start": f"{first:%Y-%m}", "end": f"{today:%Y-%m}"}


@pytest.fixture
def built(world, records):
    """Every record kind, rolled up for the last hundred days: the API's
    start/end for that period."""
    from stats.services import stats_rebuild

    first, last, params = period()
    stats_rebuild(first=first, last=last)
    return params
