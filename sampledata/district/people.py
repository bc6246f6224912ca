"""The people of a generated district: party organisations (the four tiers),
one registered resident a household, staff and their roles, party members."""

import datetime
from dataclasses import dataclass, field

from core import calendar
from grids.models import PartyMember, PartyOrganization, Person, Role

from .clock import days_in_years
from .names import WORK_UNITS
from .plan import Build, CommunityPlan

STAMP = ["id", "created_at", "updated_at"]
K = Role.Kind


def build_party(build: Build) -> None:
    """Subdistrict working committees, community committees (general branches
    in small communities), grid branches and groups, owners'-committee branches
    and the party branches of property companies."""
    orgs = _Orgs(build, calendar.add_years(build.clock.first, -3))
    P = PartyOrganization.Kind
    working = {
        sid: orgs.add(f"{name}党工委", P.SUBDISTRICT_COMMITTEE, None, sid)
        for sid, name in build.subdistrict_names.items()
    }
    build.party_orgs = {"working": working, "property": {}, "committee": {}}
    average = build.shape.households / len(build.communities)
    for community in build.communities:
        kind = (
            P.COMMUNITY_COMMITTEE
            if community.households >= average * 0.6
            else P.COMMUNITY_GENERAL_BRANCH
        )
        label = "党委" if kind == P.COMMUNITY_COMMITTEE else "党总支"
        community.committee_id = orgs.add(
            f"{community.name}{label}",
            kind,
            working[community.subdistrict_id],
            community.subdistrict_id,
            community.id,
        )
        _grid_branches(build, orgs, community)
    _company_branches(build, orgs)
    build.loader.write(
        PartyOrganization,
        [
            *STAMP,
            "name",
            "kind",
            "parent_id",
            "subdistrict_id",
            "community_id",
            "grid_id",
            "property_company_id",
            "owners_committee_id",
            "established_date",
        ],
        orgs.rows,
    )


@dataclass
class _Orgs:
    build: Build
    established: datetime.date
    rows: list = field(default_factory=list)

    def add(self, name, kind, parent, subdistrict, community=None, **attached) -> int:
        org_id = self.build.loader.id(PartyOrganization)
        self.rows.append(
            (
                org_id,
                *self.build.stamps(),
                name,
                kind,
                parent,
                subdistrict,
                community,
                attached.get("grid"),
                attached.get("company"),
                attached.get("committee"),
                self.established,
            )
        )
        return org_id


def _grid_branches(build: Build, orgs: _Orgs, community: CommunityPlan) -> None:
    P = PartyOrganization.Kind
    rng = build.rng
    for number, gid in enumerate(community.grid_ids, 1):
        if rng.random() < 0.85:
            branch = orgs.add(
                f"{community.name}第{number}网格党支部",
                P.GRID_BRANCH,
                community.committee_id,
                community.subdistrict_id,
                community.id,
                grid=gid,
            )
            community.grid_branch[gid] = branch
            if rng.random() < 0.5:
                orgs.add(
                    f"{community.name}第{number}网格第一党小组",
                    P.PARTY_GROUP,
                    branch,
                    community.subdistrict_id,
                    community.id,
                    grid=gid,
                )
    for compound in community.compounds:
        if compound["committee"] and rng.random() < 0.3:
            build.party_orgs["committee"][compound["committee"]] = orgs.add(
                f"{compound['name']}业委会党支部",
                P.OWNERS_COMMITTEE_BRANCH,
                community.committee_id,
                community.subdistrict_id,
                community.id,
                committee=compound["committee"],
            )


def _company_branches(build: Build, orgs: _Orgs) -> None:
    """A company's branch sits under the community where it serves most."""
    by_id = {c.id: c for c in build.communities}
    for company in build.companies:
        if not company["has_branch"] or not company["communities"]:
            continue
        home = by_id[max(company["communities"], key=company["communities"].get)]
        company["branch"] = orgs.add(
            f"{company['name'].replace('服务有限公司', '')}党支部",
            PartyOrganization.Kind.PROPERTY_BRANCH,
            home.committee_id,
            home.subdistrict_id,
            home.id,
            company=company["id"],
        )
        company["home"] = home.id


# --- people, staff and their roles ----------------------------------------------


@dataclass
class _Registry:
    """The person, role and party-member rows being built."""

    build: Build
    start: datetime.date
    persons: list = field(default_factory=list)
    roles: list = field(default_factory=list)
    members: list = field(default_factory=list)

    def __post_init__(self):
        today = self.build.clock.today
        # Spans of days to draw ages and dates from, in calendar years.
        self.adult = (days_in_years(today, 18), days_in_years(today, 85))
        self.resident = (30, days_in_years(today, 25))
        self.member = (days_in_years(today, 2), days_in_years(today, 50))

    def person(self, community_id, household_id=None) -> tuple[int, str, str]:
        build, rng, today = self.build, self.build.rng, self.build.clock.today
        person_id = build.loader.id(Person)
        name, phone = build.person_name(), build.mobile()
        self.persons.append(
            (
                person_id,
                *build.stamps(),
                community_id,
                name,
                rng.choice("MF"),
                today - datetime.timedelta(days=rng.randrange(*self.adult)),
                phone,
                household_id,
                None
                if household_id is None
                else today - datetime.timedelta(days=rng.randrange(*self.resident)),
            )
        )
        return person_id, name, phone

    def staff(self, community_id) -> int:
        """A member of staff (no household), remembered by name for timelines."""
        person_id, name, _phone = self.person(community_id)
        self.build.names[person_id] = name
        return person_id

    def role(self, person_id, kind, **targets) -> None:
        row = dict.fromkeys(Role.TARGET_FIELDS)
        row.update(targets)
        self.roles.append(
            (
                self.build.loader.id(Role),
                *self.build.stamps(),
                person_id,
                kind,
                self.start,
                None,
                *(row[f] for f in Role.TARGET_FIELDS),
                "",
            )
        )


def build_people(build: Build) -> None:
    """One registered resident a household, staff, roles and party members."""
    registry = _Registry(build, calendar.add_years(build.clock.first, -1))
    first_community = {}
    for community in build.communities:
        first_community.setdefault(community.subdistrict_id, community.id)
        for place in community.places:
            place.person_id, place.name, place.phone = registry.person(
                community.id, place.household_id
            )
        _community_staff(build, registry, community)
        _residents_roles(build, registry, community)
        _party_members(build, registry, community)
    for sid in build.subdistrict_ids:
        for _index in range(2):
            staff_id = registry.person(first_community[sid])[0]
            registry.role(staff_id, K.SUBDISTRICT_STAFF, subdistrict=sid)
            build.subdistrict_staff.setdefault(sid, staff_id)
    for _index in range(3):
        registry.role(
            registry.person(build.communities[0].id)[0],
            K.DISTRICT_STAFF,
            district=build.district_id,
        )
    by_id = {c.id: c for c in build.communities}
    for company in build.companies:
        if "branch" in company:
            instructor = build.subdistrict_staff[by_id[company["home"]].subdistrict_id]
            registry.role(
                instructor, K.PARTY_INSTRUCTOR, property_company=company["id"]
            )
    _write_people(build, registry)


def _community_staff(build: Build, registry: _Registry, community) -> None:
    """Three community staff, a grid worker a grid (secretary of its branch:
    交叉任职), a property steward and a repair worker for each grid a company
    serves."""
    for _index in range(3):
        staff_id = registry.staff(community.id)
        community.staff.append(staff_id)
        registry.role(staff_id, K.COMMUNITY_STAFF, community=community.id)
    registry.role(
        community.staff[0], K.PARTY_SECRETARY, party_org=community.committee_id
    )
    for gid in community.grid_ids:
        worker = registry.staff(community.id)
        build.grid_worker[gid] = worker
        registry.role(worker, K.GRID_WORKER, grid=gid)
        if gid in community.grid_branch:
            registry.role(
                worker, K.PARTY_SECRETARY, party_org=community.grid_branch[gid]
            )
    served = sorted(
        {
            (grid_id, compound["company"])
            for compound in community.compounds
            if compound["company"]
            for _building, grid_id in compound["buildings"]
        }
    )
    for grid_id, company_id in served:
        steward = registry.staff(community.id)
        build.steward[grid_id, company_id] = steward
        registry.role(
            steward, K.PROPERTY_STEWARD, grid=grid_id, property_company=company_id
        )
        repairer = registry.staff(community.id)
        registry.role(
            repairer, K.REPAIR_WORKER, grid=grid_id, property_company=company_id
        )


def _residents_roles(build: Build, registry: _Registry, community) -> None:
    """A deputy, building heads (most buildings) and owners'-committee chairs."""
    rng = build.rng
    registry.role(
        rng.choice(community.places).person_id, K.DEPUTY, community=community.id
    )
    heads = {}
    for place in community.places:
        heads.setdefault(place.building_id, place)
    for building_id, place in heads.items():
        if rng.random() < 0.7:
            registry.role(place.person_id, K.BUILDING_HEAD, building=building_id)
    for compound in community.compounds:
        if compound["committee"]:
            chair = next(
                (p for p in community.places if p.compound_id == compound["id"]), None
            )
            if chair is not None:
                registry.role(
                    chair.person_id,
                    K.OWNERS_COMMITTEE_CHAIR,
                    owners_committee=compound["committee"],
                )


def _party_members(build: Build, registry: _Registry, community) -> None:
    """About 3% of residents are party members: registered in a grid branch,
    in service elsewhere (双报到) or employed by the property company; the
    first in each building is its building party member."""
    rng, clock = build.rng, build.clock
    stairwell: set[int] = set()
    branch_of = {
        c["branch"]: c for c in build.companies if c.get("home") == community.id
    }
    for place in community.places:
        if rng.random() >= 0.03:
            continue
        roll = rng.random()
        company = build.company_of_compound.get(place.compound_id)
        branch = next((b for b, c in branch_of.items() if c["id"] == company), None)
        work_unit = work_org = ""
        reported = None
        if roll < 0.22:
            kind, org = PartyMember.Kind.IN_SERVICE, None
            work_unit = rng.choice(WORK_UNITS)
            work_org = f"{work_unit}党委"
            reported = clock.first + datetime.timedelta(days=rng.randrange(clock.days))
        elif roll < 0.30 and branch is not None:
            kind, org = PartyMember.Kind.PROPERTY_COMPANY, branch
        else:
            kind = PartyMember.Kind.REGISTERED
            org = community.grid_branch.get(place.grid_id, community.committee_id)
        registry.members.append(
            (
                build.loader.id(PartyMember),
                *build.stamps(),
                place.person_id,
                kind,
                community.id,
                org,
                place.grid_id,
                work_unit,
                work_org,
                clock.today - datetime.timedelta(days=rng.randrange(*registry.member)),
                reported,
            )
        )
        community.members.append(place)
        if kind == PartyMember.Kind.IN_SERVICE:
            build.in_service.append((community, place, work_unit, work_org))
        if place.building_id not in stairwell:
            stairwell.add(place.building_id)
            registry.role(
                place.person_id, K.STAIRWELL_PARTY_MEMBER, building=place.building_id
            )


def _write_people(build: Build, registry: _Registry) -> None:
    build.loader.write(
        Person,
        [
            *STAMP,
            "community_id",
            "name",
            "gender",
            "birth_date",
            "mobile",
            "household_id",
            "moved_in_date",
        ],
        registry.persons,
    )
    build.loader.write(
        Role,
        [
            *STAMP,
            "person_id",
            "kind",
            "start_date",
            "end_date",
            *(f"{f}_id" for f in Role.TARGET_FIELDS),
            "note",
        ],
        registry.roles,
    )
    build.loader.write(
        PartyMember,
        [
            *STAMP,
            "person_id",
            "kind",
            "community_id",
            "party_org_id",
            "grid_id",
            "work_unit",
            "work_unit_party_org",
            "joined_party_date",
            "reported_date",
        ],
        registry.members,
    )
