"""Every read of the organisation that a view, the admin, the API or a task needs.

Each selector returns a queryset already joined for its callers and already
narrowed to what ``user`` may see (``grids.scoping``).
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from core import calendar
from core.ordering import natural_key

from . import extensions
from .models import (
    Building,
    CarePlan,
    Community,
    Compound,
    District,
    Grid,
    Household,
    HouseholdTag,
    OwnersCommittee,
    PartyMember,
    PartyOrganization,
    Patrol,
    PatrolFinding,
    Person,
    PersonalDataAccess,
    PropertyCompany,
    Role,
    Subdistrict,
    Tag,
    Unit,
    Visit,
)
from .scoping import scope_queryset, user_scope


def district_list(*, user) -> QuerySet[District]:
    return scope_queryset(District.objects.all(), user)


def subdistrict_list(*, user) -> QuerySet[Subdistrict]:
    return scope_queryset(Subdistrict.objects.select_related("district"), user)


def _count_of(queryset: QuerySet, outer: str, user):
    """Return a correlated COUNT of the rows of ``queryset`` that ``user`` may see
    and whose ``outer`` is the row."""
    counted = (
        scope_queryset(queryset, user)
        .filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def community_list(*, user) -> QuerySet[Community]:
    """Return the communities ``user`` may see, with the size of each.

    Counts are correlated subqueries so that the joins of one count cannot
    multiply the rows of another.
    """
    return scope_queryset(
        Community.objects.select_related("subdistrict__district").annotate(
            grid_count=_count_of(Grid.objects.all(), "community", user),
            compound_count=_count_of(Compound.objects.all(), "community", user),
            building_count=_count_of(
                Building.objects.all(), "compound__community", user
            ),
            household_count=_count_of(
                Household.objects.all(), "unit__building__compound__community", user
            ),
            party_org_count=_count_of(
                PartyOrganization.objects.all(), "community", user
            ),
        ),
        user,
    )


#: The roles every grid needs someone in (一格多员); a property steward only
#: where the grid has a compound with a property company.
GRID_SERVING_KINDS = (
    Role.Kind.GRID_WORKER,
    Role.Kind.PROPERTY_STEWARD,
    Role.Kind.REPAIR_WORKER,
)


def _serves(kind: str):
    return Exists(Role.objects.active().filter(grid=OuterRef("pk"), kind=kind))


def grid_missing_roles_q() -> Q:
    """The grids that lack an active grid worker, repair worker, or (with a
    managed compound) a property steward; for rows of ``grid_list``."""
    return (
        Q(has_grid_worker=False)
        | Q(has_repair_worker=False)
        | Q(has_property_steward=False, has_property_company=True)
    )


def grid_list(*, user) -> QuerySet[Grid]:
    """Return the grids ``user`` may see, with their size and which serving
    roles are filled (``has_grid_worker``, ``has_property_steward``,
    ``has_repair_worker``; ``has_property_company``)."""
    return scope_queryset(
        Grid.objects.select_related("community").annotate(
            building_count=_count_of(Building.objects.all(), "grid", user),
            household_count=_count_of(
                Household.objects.all(), "unit__building__grid", user
            ),
            has_grid_worker=_serves(Role.Kind.GRID_WORKER),
            has_property_steward=_serves(Role.Kind.PROPERTY_STEWARD),
            has_repair_worker=_serves(Role.Kind.REPAIR_WORKER),
            has_property_company=Exists(
                Building.objects.filter(
                    grid=OuterRef("pk"), compound__property_company__isnull=False
                )
            ),
        ),
        user,
    )


def property_company_list(*, user) -> QuerySet[PropertyCompany]:
    return scope_queryset(
        PropertyCompany.objects.select_related("district").annotate(
            compound_count=_count_of(Compound.objects.all(), "property_company", user)
        ),
        user,
    )


def compound_list(*, user) -> QuerySet[Compound]:
    return scope_queryset(
        Compound.objects.select_related(
            "community", "property_company", "owners_committee"
        ).annotate(
            building_count=_count_of(Building.objects.all(), "compound", user),
            household_count=_count_of(
                Household.objects.all(), "unit__building__compound", user
            ),
        ),
        user,
    )


def owners_committee_list(*, user) -> QuerySet[OwnersCommittee]:
    return scope_queryset(
        OwnersCommittee.objects.select_related("compound__community"), user
    )


def building_list(*, user) -> QuerySet[Building]:
    return scope_queryset(
        Building.objects.select_related("compound", "grid__community").annotate(
            household_count=_count_of(Household.objects.all(), "unit__building", user)
        ),
        user,
    )


def unit_list(*, user) -> QuerySet[Unit]:
    return scope_queryset(Unit.objects.select_related("building__compound"), user)


def household_list(*, user) -> QuerySet[Household]:
    return scope_queryset(
        Household.objects.select_related(
            "unit__building__compound__community", "unit__building__grid"
        ).annotate(resident_count=_count_of(Person.objects.all(), "household", user)),
        user,
    )


def person_list(*, user) -> QuerySet[Person]:
    return scope_queryset(
        Person.objects.select_related(
            "community", "household__unit__building__compound", "party_member"
        ),
        user,
    )


def party_organization_list(*, user) -> QuerySet[PartyOrganization]:
    return scope_queryset(
        PartyOrganization.objects.select_related(
            "parent", "subdistrict", "community", "grid__community"
        ).annotate(
            member_count=_count_of(PartyMember.objects.all(), "party_org", user)
        ),
        user,
    )


def party_member_list(*, user) -> QuerySet[PartyMember]:
    return scope_queryset(
        PartyMember.objects.select_related(
            "person", "community", "party_org", "grid__community"
        ),
        user,
    )


def role_list(*, user) -> QuerySet[Role]:
    return scope_queryset(
        Role.objects.select_related(
            "person",
            "district",
            "subdistrict",
            "community",
            "grid__community",
            "building__compound",
            "property_company",
            "owners_committee",
            "party_org",
        ),
        user,
    )


def community_staff_users(*, community_id) -> list:
    """Return the login accounts of the community's staff with an active role:
    the people tasks tell about what needs attention in the community."""
    roles = Role.objects.active().filter(
        kind=Role.Kind.COMMUNITY_STAFF,
        community_id=community_id,
        person__user__isnull=False,
    )
    return [role.person.user for role in roles.select_related("person__user")]


def personal_data_access_list(*, user) -> QuerySet[PersonalDataAccess]:
    """The record of personal-data access in ``user``'s units, newest first."""
    return scope_queryset(
        PersonalDataAccess.objects.select_related("community", "actor"), user
    )


def district_staff_users() -> list:
    """Return the accounts of every active district staff member (they are told
    of work the platform could not do: dead outbox messages)."""
    roles = Role.objects.active().filter(
        kind=Role.Kind.DISTRICT_STAFF, person__user__isnull=False
    )
    return list(
        {
            r.person.user_id: r.person.user
            for r in roles.select_related("person__user")
        }.values()
    )


# --- field work ---------------------------------------------------------------


def tag_list() -> QuerySet[Tag]:
    """The tags in use, in their order."""
    return Tag.objects.filter(is_active=True).order_by("position", "name")


def household_tag_list(*, user) -> QuerySet[HouseholdTag]:
    return scope_queryset(
        HouseholdTag.objects.select_related(
            "tag",
            "household__unit__building__compound",
            "household__unit__building__grid",
        ),
        user,
    )


def visit_list(*, user) -> QuerySet[Visit]:
    return scope_queryset(
        Visit.objects.select_related(
            "visitor",
            "household__unit__building__compound",
            "household__unit__building__grid",
        ),
        user,
    )


def care_plan_list(*, user) -> QuerySet[CarePlan]:
    return scope_queryset(CarePlan.objects.select_related("community", "tag"), user)


def _made_prefetches(source: str) -> list[str]:
    return [follow_up.accessor for follow_up in extensions.follow_ups(source)]


def patrol_list(*, user) -> QuerySet[Patrol]:
    """The patrols ``user`` may see, newest first, with how much each found."""
    # A correlated count, not a GROUP BY: the newest rounds come by the index
    # on their start and only theirs are counted.
    findings = (
        PatrolFinding.objects.filter(patrol=OuterRef("pk"))
        .order_by()
        .values("patrol")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return scope_queryset(
        Patrol.objects.select_related("grid__community", "person").annotate(
            finding_count=Coalesce(Subquery(findings, output_field=IntegerField()), 0)
        ),
        user,
    ).order_by("-started_at", "-id")


def patrol_ongoing(*, user) -> Patrol | None:
    """The round ``user`` has under way, if any."""
    person_id = user_scope(user).person_id
    if person_id is None:
        return None
    return (
        scope_queryset(Patrol.objects.select_related("grid__community"), user)
        .filter(person_id=person_id, status=Patrol.Status.ONGOING)
        .first()
    )


def patrol_detail(*, user, pk) -> Patrol:
    """One visible patrol with its findings and what they became (404 if not
    visible)."""
    findings = PatrolFinding.objects.select_related(
        "building__compound"
    ).prefetch_related(*_made_prefetches(extensions.FINDING))
    return get_object_or_404(
        scope_queryset(
            Patrol.objects.select_related("grid__community", "person"), user
        ).prefetch_related(Prefetch("findings", queryset=findings)),
        pk=pk,
    )


def finding_detail(*, user, pk) -> PatrolFinding:
    return get_object_or_404(
        scope_queryset(PatrolFinding.objects.select_related("patrol"), user), pk=pk
    )


def grid_buildings(*, grid: Grid) -> QuerySet[Building]:
    """The buildings of a grid in the order people number them."""
    return Building.objects.filter(grid=grid).select_related("compound").order_by("pk")


# --- care plans: who is due for a visit -----------------------------------------


@dataclass
class CareDue:
    """A household under a care plan and when it is next due for a visit.
    ``household`` is loaded only for the rows a page or a message shows
    (``care_households``): a district has thousands."""

    household_id: int
    grid_id: int
    community_id: int
    every_days: int
    last_visit: datetime.datetime | None
    due: datetime.date
    household: Household | None = None

    @property
    def days_left(self) -> int:
        return (self.due - calendar.today()).days

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)

    @property
    def is_due(self) -> bool:
        return self.days_left <= 0

    @property
    def is_overdue(self) -> bool:
        return self.days_left < 0


_COMMUNITY = "unit__building__compound__community_id"


def _care_plans_of(outer: str):
    """The plans in force for the household at ``outer``, in its community."""
    return CarePlan.objects.filter(
        is_active=True,
        tag__is_active=True,
        community_id=OuterRef(_COMMUNITY),
        tag__household_tags__household_id=OuterRef(outer),
    )


def under_care_q() -> Q:
    """The households some care plan of their community covers."""
    return Q(
        pk__in=HouseholdTag.objects.filter(
            tag__is_active=True,
            tag__care_plans__is_active=True,
            tag__care_plans__community_id=F(f"household__{_COMMUNITY}"),
        ).values("household_id")
    )


def care_schedule(households: QuerySet[Household]) -> list[CareDue]:
    """The households of ``households`` under a care plan, each with its
    rhythm (the shortest of its plans), last visit and next due date, the
    soonest due first (one query, values only).

    A household is next due its rhythm after its last visit; one never
    visited is due from the day it came under the plan."""
    rows = (
        households.filter(under_care_q())
        .annotate(
            every_days=Subquery(
                _care_plans_of("pk").order_by("every_days").values("every_days")[:1]
            ),
            last_visit=Subquery(
                Visit.objects.filter(household=OuterRef("pk"))
                .order_by("-visited_at")
                .values("visited_at")[:1]
            ),
            cared_since=Subquery(
                HouseholdTag.objects.filter(
                    household=OuterRef("pk"),
                    tag__is_active=True,
                    tag__care_plans__is_active=True,
                    tag__care_plans__community_id=OuterRef(_COMMUNITY),
                )
                .order_by("created_at")
                .values("created_at")[:1]
            ),
        )
        .order_by()
        .values_list(
            "pk",
            "unit__building__grid_id",
            _COMMUNITY,
            "every_days",
            "last_visit",
            "cared_since",
        )
    )
    schedule = []
    for pk, grid_id, community_id, every_days, last_visit, since in rows:
        if last_visit is not None:
            due = calendar.local_date(last_visit) + datetime.timedelta(days=every_days)
        else:
            due = calendar.local_date(since)
        schedule.append(CareDue(pk, grid_id, community_id, every_days, last_visit, due))
    schedule.sort(key=lambda row: (row.due, row.household_id))
    return schedule


def care_households(rows: list[CareDue]) -> list[CareDue]:
    """Load the households of ``rows`` (with their place and tags: one query
    and one for the tags) and return the rows."""
    households = Household.objects.select_related(
        "unit__building__compound", "unit__building__grid"
    ).prefetch_related("tags")
    loaded = households.in_bulk([row.household_id for row in rows])
    for row in rows:
        row.household = loaded[row.household_id]
    return rows


def care_due_list(*, user) -> list[CareDue]:
    """The households under care that ``user`` may see, soonest due first
    (none for those who may not see visits: the property company)."""
    if not user.has_perm("grids.view_visit"):
        return []
    return care_schedule(scope_queryset(Household.objects.all(), user))


def care_next_due(*, household: Household) -> CareDue | None:
    """When ``household`` is next due for a visit, if a plan covers it."""
    rows = care_schedule(Household.objects.filter(pk=household.pk))
    return rows[0] if rows else None


# --- a household's file (一户一档) ------------------------------------------------


def household_file(*, user, pk) -> Household:
    """One visible household with its residents, tags and visits (404 if not
    visible)."""
    visits = Visit.objects.select_related("visitor").prefetch_related(
        *_made_prefetches(extensions.VISIT)
    )
    return get_object_or_404(
        scope_queryset(
            Household.objects.select_related(
                "unit__building__compound__community", "unit__building__grid"
            ),
            user,
        ).prefetch_related(
            Prefetch("residents", queryset=Person.objects.order_by("pk")),
            Prefetch(
                "household_tags", queryset=HouseholdTag.objects.select_related("tag")
            ),
            Prefetch("visits", queryset=visits),
        ),
        pk=pk,
    )


def household_sections_for(*, user, household: Household) -> list[dict]:
    """What the other apps keep about the household, as far as ``user`` may
    see it: [{key, title, rows}]."""
    return [
        {
            "key": section.key,
            "title": section.title,
            "rows": section.rows(user=user, household=household),
        }
        for section in extensions.household_sections()
        if section.may(user)
    ]


def building_households(*, user, building_pk) -> tuple[Building, QuerySet]:
    """A visible building and its households with their tags, unit by unit."""
    building = get_object_or_404(
        scope_queryset(Building.objects.select_related("compound", "grid"), user),
        pk=building_pk,
    )
    households = (
        Household.objects.filter(unit__building=building)
        .select_related("unit")
        .prefetch_related("tags")
        .order_by("unit_id", "room")
    )
    return building, households


# --- who serves a grid (一格多员) -----------------------------------------------

#: The roles a grid's page lists, in this order; building heads come per building.
GRID_PAGE_KINDS = (
    Role.Kind.GRID_WORKER,
    Role.Kind.PROPERTY_STEWARD,
    Role.Kind.REPAIR_WORKER,
)


def grid_detail(*, user, pk) -> Grid:
    return get_object_or_404(
        scope_queryset(Grid.objects.select_related("community"), user), pk=pk
    )


def grid_serving(*, grid: Grid) -> dict[str, list[Role]]:
    """Who serves ``grid`` now (one query): its grid worker, property steward
    and repair worker; the leaders of its party branch and party groups; and
    the heads of its buildings."""
    K = Role.Kind
    roles = (
        Role.objects.active()
        .filter(
            Q(kind__in=GRID_PAGE_KINDS, grid=grid)
            | Q(kind=K.PARTY_SECRETARY, party_org__grid=grid)
            | Q(kind=K.BUILDING_HEAD, building__grid=grid)
        )
        .select_related("person", "party_org", "building__compound", "property_company")
        .order_by("kind", "building_id", "person__name")
    )
    serving: dict[str, list[Role]] = {
        "grid_worker": [],
        "property_steward": [],
        "repair_worker": [],
        "party_leader": [],
        "building_head": [],
    }
    for role in roles:
        key = "party_leader" if role.kind == K.PARTY_SECRETARY else role.kind
        serving[key].append(role)
    serving["building_head"].sort(key=lambda r: natural_key(str(r.building)))
    return serving


def grid_contacts(*, grid_id) -> list[Person]:
    """The grid workers a resident of the grid can call (the tracking page)."""
    if grid_id is None:
        return []
    return list(
        Person.objects.filter(
            pk__in=Role.objects.active()
            .filter(kind=Role.Kind.GRID_WORKER, grid_id=grid_id)
            .values("person_id")
        )
        .exclude(mobile="")
        .order_by("pk")
    )


def care_due_by_grid() -> dict[int, list[CareDue]]:
    """The households due a visit today or earlier, grid by grid, loaded
    (for the grid workers' morning reminder)."""
    due = care_households(
        [r for r in care_schedule(Household.objects.all()) if r.is_due]
    )
    by_grid: dict[int, list[CareDue]] = {}
    for row in due:
        by_grid.setdefault(row.grid_id, []).append(row)
    return by_grid


def care_overdue_by_community(*, grace_days: int) -> dict[int, list[CareDue]]:
    """The households more than ``grace_days`` past their due visit,
    community by community, loaded (for the community's staff)."""
    overdue = care_households(
        [r for r in care_schedule(Household.objects.all()) if r.days_left < -grace_days]
    )
    by_community: dict[int, list[CareDue]] = {}
    for row in overdue:
        by_community.setdefault(row.community_id, []).append(row)
    return by_community


def grid_worker_users(*, grid_id) -> list:
    """The login accounts of the grid's workers with an active role."""
    roles = Role.objects.active().filter(
        kind=Role.Kind.GRID_WORKER, grid_id=grid_id, person__user__isnull=False
    )
    return [role.person.user for role in roles.select_related("person__user")]
