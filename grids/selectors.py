"""Every read of the organisation that a view, the admin, the API or a task needs.

Each selector returns a queryset already joined for its callers and already
narrowed to what ``user`` may see (``grids.scoping``).
"""

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from .models import (
    Building,
    Community,
    Compound,
    District,
    Grid,
    Household,
    OwnersCommittee,
    PartyMember,
    PartyOrganization,
    Person,
    PersonalDataAccess,
    PropertyCompany,
    Role,
    Subdistrict,
    Unit,
)
from .scoping import scope_queryset


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
