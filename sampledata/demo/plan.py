"""The demo community as the district generator sees one: its households
(places), staff, grid workers and stewards, read from the database, with a
clock whose history starts on the first of the month twelve months back.

The demo's history is written by the generator's own builders through this
plan, so cases, meetings and activities of the demo and of a generated district
come from one piece of code.
"""

# Demo data wants repeatable, not secure, randomness.
# ruff: noqa: S311

import datetime
import random
from collections import defaultdict

from django.db.models import Q

from core import calendar
from core.ordering import natural_key
from grids.models import Community, Household, PartyMember, Person, Role
from petitions.models import Petition

from ..district.clock import Clock, month_key
from ..district.loader import Loader
from ..district.plan import Build, CommunityPlan, Place, Shape

#: The demo looks back over this month and the twelve before it.
HISTORY_MONTHS = 12


def demo_clock() -> Clock:
    """Now, with a history from the first of the month twelve months back."""
    now = calendar.now()
    first = calendar.add_months(calendar.month_start(now), -HISTORY_MONTHS)
    return Clock(now, first)


def demo_build(community: Community, *, seed: str) -> Build:
    """A generator state holding the demo community, its people and roles."""
    clock = demo_clock()
    build = Build(
        Shape(subdistricts=1, communities=1, grids=9, companies=1, years=1),
        clock,
        Loader(clock),
        random.Random(seed),
        tag_rng=random.Random(f"{seed}:tokens"),
        district_id=community.subdistrict.district_id,
    )
    plan = CommunityPlan(
        id=community.pk,
        subdistrict_id=community.subdistrict_id,
        name=community.name,
        households=0,
        activity=1.0,
        late_share=0.15,
        grid_ids=_grid_ids(community),
    )
    _places(community, plan)
    _compounds(community, plan, build)
    _staff(community, plan, build)
    build.communities.append(plan)
    return build


def _grid_ids(community: Community) -> list[int]:
    grids = list(community.grids.values_list("pk", "name"))
    return [pk for pk, _name in sorted(grids, key=lambda g: natural_key(g[1]))]


def _places(community: Community, plan: CommunityPlan) -> None:
    """Every household with its registered resident (the first with a mobile)."""
    residents = {}
    for person_id, household_id, name, mobile in (
        Person.objects.filter(community=community, household__isnull=False)
        .exclude(mobile="")
        .order_by("pk")
        .values_list("pk", "household_id", "name", "mobile")
    ):
        residents.setdefault(household_id, (person_id, name, mobile))
    households = (
        Household.objects.filter(unit__building__compound__community=community)
        .order_by("pk")
        .values_list(
            "pk",
            "room",
            "unit_id",
            "unit__number",
            "unit__building_id",
            "unit__building__number",
            "unit__building__compound_id",
            "unit__building__grid_id",
        )
    )
    for (
        pk,
        room,
        unit_id,
        unit,
        building_id,
        building,
        compound_id,
        grid_id,
    ) in households:
        person_id, name, phone = residents.get(pk, (None, "", ""))
        plan.places.append(
            Place(
                household_id=pk,
                unit_id=unit_id,
                building_id=building_id,
                building_number=building,
                compound_id=compound_id,
                grid_id=grid_id,
                detail=f"{unit}{room}",
                person_id=person_id,
                name=name,
                phone=phone,
            )
        )
    plan.households = len(plan.places)
    members = set(
        PartyMember.objects.filter(community=community).values_list(
            "person_id", flat=True
        )
    )
    plan.members = [p for p in plan.places if p.person_id in members]


def _compounds(community: Community, plan: CommunityPlan, build: Build) -> None:
    buildings = defaultdict(list)
    for place in plan.places:
        pair = (place.building_id, place.grid_id)
        if pair not in buildings[place.compound_id]:
            buildings[place.compound_id].append(pair)
    households = defaultdict(int)
    for place in plan.places:
        households[place.compound_id] += 1
    for compound in community.compounds.order_by("pk"):
        company = compound.property_company_id
        build.company_of_compound[compound.pk] = company
        if company and all(c["id"] != company for c in build.companies):
            build.companies.append({"id": company, "quality": 0.02})
        plan.compounds.append(
            {
                "id": compound.pk,
                "name": compound.name,
                "kind": "managed" if company else "three_no",
                "company": company,
                "committee": None,  # major matters go through the services
                "households": households[compound.pk],
                "buildings": buildings[compound.pk],
            }
        )


def _staff(community: Community, plan: CommunityPlan, build: Build) -> None:
    """Community staff (the handlers of community matters), and the grid
    worker and property steward of each grid, as their roles say."""
    K = Role.Kind
    roles = (
        Role.objects.active()
        .filter(
            Q(kind=K.COMMUNITY_STAFF, community=community)
            | Q(kind__in=[K.GRID_WORKER, K.PROPERTY_STEWARD], grid__community=community)
        )
        .order_by("pk")
        .values_list(
            "kind", "person_id", "person__name", "grid_id", "property_company_id"
        )
    )
    for kind, person_id, name, grid_id, company_id in roles:
        build.names[person_id] = name
        if kind == Role.Kind.COMMUNITY_STAFF:
            plan.staff.append(person_id)
        elif kind == Role.Kind.GRID_WORKER:
            build.grid_worker.setdefault(grid_id, person_id)
        else:
            build.steward.setdefault((grid_id, company_id), person_id)


def case_samples(build: Build, community: Community) -> None:
    """The first few cases of each month, which meetings may discuss."""
    for pk, created_at in (
        Petition.objects.filter(community=community)
        .order_by("pk")
        .values_list("pk", "created_at")
    ):
        month = month_key(calendar.local_date(created_at))
        samples = build.case_samples.setdefault((community.pk, month), [])
        if len(samples) < 4:
            samples.append(pk)


def history_months(clock: Clock) -> float:
    """How many months the history spans: twelve whole ones and the part of
    this month that has passed."""
    start, end = calendar.month_bounds(clock.today)
    now = datetime.datetime.fromtimestamp(clock.now, datetime.UTC)
    return HISTORY_MONTHS + (now - start) / (end - start)
