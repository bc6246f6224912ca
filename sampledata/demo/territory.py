"""The demo community of seed 000: 湖西街道 → 端庄社区, idempotent.

Figures from the article (聊城新闻网, 2023-12-27): 端庄社区 was founded in 2004,
has 5 compounds, 2,679 households and 8,000+ residents, 9 grids each with a
chat group, the four tiers 街道党工委 → 社区党委 → 网格党支部 / 物业党支部 → 楼道党员,
the 民晟物业 party branch serving 民生·壹号院, and an owners'-committee branch;
tier four adds a party group (党小组) in every grid with its leader.
People's names and phone numbers are generated (Faker, fixed seed); the other
four compound names and the subdistrict and community division codes are
illustrative, shaped like the official 12-digit statistical codes.

Who works there: the logins of ``DEMO_LOGINS``, three community staff, a grid
worker in every grid and, in every grid 民晟物业 serves, a property steward and a
repair worker (seed 004); 东关老宿舍 has no property company, so its grid has
neither (the command says so); a building head (楼长) and, where one lives, a
building party member in every building.

The small structure is written through the registry services. The 2,679
households and 8,000+ people are written with ``bulk_create`` in one transaction:
this is system-generated data, row-by-row saves would take minutes, and one
audit row records the load. Everything is keyed by natural keys, so a second run
finds every row present and writes nothing.
"""

# Demo data wants repeatable, not secure, randomness.
# ruff: noqa: S311

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from faker import Faker

from core.services import audit_record
from grids.models import (
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
    PropertyCompany,
    Role,
    Subdistrict,
    Unit,
)
from grids.services import org_object_save, role_assign, staff_account_create

from ..district.clock import days_in_years

DEMO_PASSWORD = "Hongse@2023"  # noqa: S105 - printed demo password, demo data only
HOUSEHOLDS = 2679
GRIDS = 9
# Compound name, households, has the property company, has an owners' committee.
COMPOUNDS = [
    ("民生·壹号院", 720, True, True),
    ("端庄花园", 630, True, False),
    ("湖西新苑", 540, True, False),
    ("柳园小区", 450, True, False),
    ("东关老宿舍", 339, False, False),  # the self-governed "三无" compound
]
UNITS_PER_BUILDING = 3
FLOORS = 6
ROOMS_PER_FLOOR = 2
GRID_NUMERALS = "一二三四五六七八九"
#: Roles of the demo's staff begin here (before the thirteen months of history).
ROLES_FROM = datetime.date(2023, 1, 1)
#: Community staff besides the login 王社区.
COMMUNITY_STAFF = ["王社区", "刘社区", "孙社区"]
#: Who holds each grid role, grid by grid (the first grid's are logins).
ROSTER = {
    Role.Kind.GRID_WORKER: [
        "张网格", "李网格", "刘网格", "陈网格", "杨网格", "黄网格", "周网格",
        "吴网格", "徐网格",
    ],
    Role.Kind.PROPERTY_STEWARD: [
        "赵管家", "钱管家", "郑管家", "冯管家", "褚管家", "卫管家", "蒋管家",
        "沈管家", "韩管家",
    ],
    Role.Kind.REPAIR_WORKER: [
        "孙师傅", "朱师傅", "秦师傅", "尤师傅", "许师傅", "何师傅", "吕师傅",
        "施师傅", "曹师傅",
    ],
}  # fmt: skip


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    person: str
    description: str


DEMO_LOGINS = [
    DemoLogin("admin", "superuser", "", "superuser: everything"),
    DemoLogin(
        "dcf_district",
        Role.Kind.DISTRICT_STAFF,
        "陈立群",
        "district staff of 东昌府区",
    ),
    DemoLogin(
        "hx_street",
        Role.Kind.SUBDISTRICT_STAFF,
        "李街道",
        "subdistrict staff of 湖西街道",
    ),
    DemoLogin(
        "dz_community",
        Role.Kind.COMMUNITY_STAFF,
        "王社区",
        "community staff of 端庄社区",
    ),
    DemoLogin("dz_grid1", Role.Kind.GRID_WORKER, "张网格", "grid worker of 第一网格"),
    DemoLogin(
        "ms_steward1",
        Role.Kind.PROPERTY_STEWARD,
        "赵管家",
        "property steward of 民晟物业, 第一网格",
    ),
    DemoLogin(
        "ms_repair1",
        Role.Kind.REPAIR_WORKER,
        "孙师傅",
        "repair worker of 民晟物业, 第一网格",
    ),
]


def _get_or_save(model, lookup: dict, defaults: dict | None = None):
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = org_object_save(
            actor=None, instance=model(**lookup, **(defaults or {}))
        )
    return instance


@transaction.atomic
def demo_seed() -> dict:
    """Build the demo community if it is not there yet; return what was made."""
    created = {"households": 0, "people": 0, "party_members": 0, "logins": 0}
    place = _demo_places()
    buildings = _demo_buildings(place["compounds"], place["grids"])
    created["households"] = _demo_households(buildings)
    community = place["community"]
    orgs = _demo_party_orgs(
        place["subdistrict"],
        community,
        place["grids"],
        place["company"],
        place["committee"],
    )
    rng = random.Random(2004)
    created["people"] = _demo_people(community)
    created["party_members"] = _demo_party_members(community, place["grids"], orgs, rng)
    created["logins"] = _demo_logins(place, buildings, rng)
    created["roles"] = _demo_roster(place, buildings, rng)
    created["party_groups"] = _demo_party_groups(community, orgs)
    if any(created.values()):
        audit_record(actor=None, action="demo.seed", target=community, changes=created)
    return {**created, "notes": _demo_notes(place)}


def _demo_places() -> dict:
    """湖西街道 → 端庄社区, its nine grids, five compounds, 民晟物业 and the
    owners' committee of 民生·壹号院."""
    district = _get_or_save(
        District, {"name": "东昌府区"}, {"division_code": "371502000000"}
    )
    subdistrict = _get_or_save(
        Subdistrict,
        {"district": district, "name": "湖西街道"},
        {"division_code": "371502010000"},
    )
    community = _get_or_save(
        Community,
        {"subdistrict": subdistrict, "name": "端庄社区"},
        {"division_code": "371502010001", "founded_date": datetime.date(2004, 1, 1)},
    )
    grids = [
        _get_or_save(
            Grid,
            {"community": community, "name": f"第{numeral}网格"},
            {"chat_group": f"端庄社区第{numeral}网格群"},
        )
        for numeral in GRID_NUMERALS[:GRIDS]
    ]
    company = _get_or_save(
        PropertyCompany,
        {"name": "民晟物业"},
        {"district": district, "contact_phone": "0635-8888666"},
    )
    compounds = [
        _get_or_save(
            Compound,
            {"community": community, "name": name},
            {
                "property_company": company if with_company else None,
                "grade": "A" if with_committee else ("B" if with_company else ""),
            },
        )
        for name, _count, with_company, with_committee in COMPOUNDS
    ]
    committee = _get_or_save(
        OwnersCommittee,
        {"compound": compounds[0]},
        {"name": "民生·壹号院业主委员会", "elected_date": datetime.date(2022, 6, 1)},
    )
    return {
        "district": district,
        "subdistrict": subdistrict,
        "community": community,
        "grids": grids,
        "company": company,
        "compounds": compounds,
        "committee": committee,
    }


def _demo_buildings(compounds, grids) -> list[Building]:
    per_building = UNITS_PER_BUILDING * FLOORS * ROOMS_PER_FLOOR
    plan = []
    for compound, (_name, count, _c, _o) in zip(compounds, COMPOUNDS, strict=True):
        full, rest = divmod(count, per_building)
        sizes = [per_building] * full + ([rest] if rest else [])
        plan.extend((compound, number, size) for number, size in enumerate(sizes, 1))
    buildings = []
    for index, (compound, number, size) in enumerate(plan):
        # Contiguous blocks of buildings form the nine grids, as on a real map.
        grid = grids[index * len(grids) // len(plan)]
        building = _get_or_save(
            Building,
            {"compound": compound, "number": f"{number}号楼"},
            {"grid": grid, "floors": FLOORS},
        )
        building.demo_size = size
        buildings.append(building)
    return buildings


def _demo_households(buildings) -> int:
    existing = set(
        Household.objects.filter(unit__building__in=buildings).values_list(
            "unit_id", "room"
        )
    )
    new = []
    for building in buildings:
        left = building.demo_size
        for unit_number in range(1, UNITS_PER_BUILDING + 1):
            unit = _get_or_save(
                Unit, {"building": building, "number": f"{unit_number}单元"}
            )
            for floor in range(1, FLOORS + 1):
                for room in range(1, ROOMS_PER_FLOOR + 1):
                    if left == 0:
                        break
                    left -= 1
                    key = (unit.pk, f"{floor}0{room}")
                    if key not in existing:
                        area = Decimal(
                            88 + (floor * 7 + room * 13 + unit_number * 5) % 55
                        )
                        new.append(Household(unit=unit, room=key[1], floor_area=area))
    Household.objects.bulk_create(new, batch_size=500)
    return len(new)


def _demo_party_orgs(subdistrict, community, grids, company, committee) -> dict:
    working = _get_or_save(
        PartyOrganization,
        {"name": "湖西街道党工委"},
        {
            "kind": PartyOrganization.Kind.SUBDISTRICT_COMMITTEE,
            "subdistrict": subdistrict,
        },
    )
    committee_org = _get_or_save(
        PartyOrganization,
        {"name": "端庄社区党委"},
        {
            "kind": PartyOrganization.Kind.COMMUNITY_COMMITTEE,
            "parent": working,
            "subdistrict": subdistrict,
            "community": community,
        },
    )
    branches = [
        _get_or_save(
            PartyOrganization,
            {"name": f"{grid.name}党支部", "community": community},
            {
                "kind": PartyOrganization.Kind.GRID_BRANCH,
                "parent": committee_org,
                "subdistrict": subdistrict,
                "grid": grid,
            },
        )
        for grid in grids
    ]
    property_branch = _get_or_save(
        PartyOrganization,
        {"name": "民晟物业党支部"},
        {
            "kind": PartyOrganization.Kind.PROPERTY_BRANCH,
            "parent": committee_org,
            "subdistrict": subdistrict,
            "community": community,
            "property_company": company,
        },
    )
    oc_branch = _get_or_save(
        PartyOrganization,
        {"name": "民生·壹号院业委会党支部"},
        {
            "kind": PartyOrganization.Kind.OWNERS_COMMITTEE_BRANCH,
            "parent": committee_org,
            "subdistrict": subdistrict,
            "owners_committee": committee,
        },
    )
    return {
        "working": working,
        "community": committee_org,
        "grid_branches": branches,
        "property": property_branch,
        "owners_committee": oc_branch,
    }


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _demo_people(community) -> int:
    """Three people in most households, a few more in some: 8,000+ in all.

    Each household draws from its own seeded generators, so a second run
    generates exactly the same people and finds them all present.
    """
    fake = Faker("zh_CN")
    households = list(
        Household.objects.filter(
            unit__building__compound__community=community
        ).order_by("pk")
    )
    existing = set(
        Person.objects.filter(community=community).values_list("household_id", "name")
    )
    new = []
    today = datetime.date(2023, 12, 1)
    # Moved in since the community was founded; aged 3 to 88.
    lived = (30, days_in_years(today, 19))
    aged = (days_in_years(today, 3), days_in_years(today, 88))
    for index, household in enumerate(households):
        rng = random.Random(index)
        fake.seed_instance(index)
        size = 3 + (1 if index % 9 == 0 else 0) - (1 if index % 23 == 0 else 0)
        surname = fake.last_name()
        moved_in = today - datetime.timedelta(days=rng.randrange(*lived))
        for member in range(size):
            person = Person(
                community=community,
                household=household,
                name=surname + fake.first_name() if member < 2 else fake.name(),
                gender=rng.choice("MF"),
                birth_date=today - datetime.timedelta(days=rng.randrange(*aged)),
                mobile=_mobile(rng) if member < 2 else "",
                moved_in_date=moved_in,
            )
            if (household.pk, person.name) not in existing:
                existing.add((household.pk, person.name))
                new.append(person)
    Person.objects.bulk_create(new, batch_size=1000)
    return len(new)


def _demo_party_members(community, grids, orgs, rng: random.Random) -> int:
    """About 3% of adults are party members: registered, 双报到 and 自管."""
    if PartyMember.objects.filter(community=community).exists():
        return 0
    people = list(
        Person.objects.filter(community=community, household__isnull=False)
        .exclude(mobile="")
        .select_related("household__unit__building")
        .order_by("pk")
    )
    chosen = people[::33]
    grid_branch = {branch.grid_id: branch for branch in orgs["grid_branches"]}
    members = []
    for index, person in enumerate(chosen):
        grid_id = person.household.unit.building.grid_id
        if index % 5 == 0:
            kind, org, unit = (
                PartyMember.Kind.IN_SERVICE,
                None,
                rng.choice(
                    [
                        "聊城市第二人民医院",
                        "东昌府区税务局",
                        "聊城大学",
                        "湖西中学",
                        "国网聊城供电公司",
                    ]
                ),
            )
        elif index % 17 == 0:
            kind, org, unit = (
                PartyMember.Kind.PROPERTY_COMPANY,
                orgs["property"],
                "民晟物业",
            )
        else:
            kind, org, unit = PartyMember.Kind.REGISTERED, grid_branch[grid_id], ""
        members.append(
            PartyMember(
                person=person,
                kind=kind,
                community=community,
                party_org=org,
                grid_id=grid_id,
                work_unit=unit,
                work_unit_party_org=f"{unit}党委"
                if kind == PartyMember.Kind.IN_SERVICE
                else "",
                reported_date=datetime.date(2023, 3, 1)
                if kind == PartyMember.Kind.IN_SERVICE
                else None,
            )
        )
    PartyMember.objects.bulk_create(members)
    return len(members)


def _demo_logins(place: dict, buildings, rng) -> int:
    """The logins of ``DEMO_LOGINS``, each a person with one role."""
    User = get_user_model()
    made = 0
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser(
            "admin", password=DEMO_PASSWORD, first_name="管理员"
        )
        made += 1
    grid, company = place["grids"][0], place["company"]
    targets = {
        Role.Kind.DISTRICT_STAFF: {"district": place["district"]},
        Role.Kind.SUBDISTRICT_STAFF: {"subdistrict": place["subdistrict"]},
        Role.Kind.COMMUNITY_STAFF: {"community": place["community"]},
        Role.Kind.GRID_WORKER: {"grid": grid},
        Role.Kind.PROPERTY_STEWARD: {"grid": grid, "property_company": company},
        Role.Kind.REPAIR_WORKER: {"grid": grid, "property_company": company},
    }
    for login in DEMO_LOGINS[1:]:
        if User.objects.filter(username=login.username).exists():
            continue
        person = _demo_person(place["community"], login.person, rng)
        role_assign(
            actor=None,
            person=person,
            kind=login.role,
            start_date=ROLES_FROM,
            **targets[login.role],
        )
        staff_account_create(
            actor=None, person=person, username=login.username, password=DEMO_PASSWORD
        )
        made += 1
    return made


def _demo_person(community, name: str, rng) -> Person:
    return org_object_save(
        actor=None,
        instance=Person(community=community, name=name, mobile=_mobile(rng)),
    )


def _grids_with_company(buildings) -> set[int]:
    return {b.grid_id for b in buildings if b.compound.property_company_id}


def _demo_roster(place: dict, buildings, rng) -> int:
    """Three community staff; in every grid a grid worker, and where a
    property company serves it, a property steward and a repair worker (seed
    004); a building party member and a building head in every building."""
    community, company = place["community"], place["company"]
    made = 0
    staff = Role.objects.filter(kind=Role.Kind.COMMUNITY_STAFF, community=community)
    for name in COMMUNITY_STAFF[staff.count() :]:
        made += _demo_role(
            community, name, rng, Role.Kind.COMMUNITY_STAFF, community=community
        )
    served = _grids_with_company(buildings)
    for index, grid in enumerate(place["grids"]):
        for kind, names in ROSTER.items():
            needs_company = kind != Role.Kind.GRID_WORKER
            if needs_company and grid.pk not in served:
                continue
            if Role.objects.filter(kind=kind, grid=grid).exists():
                continue
            extra = {"property_company": company} if needs_company else {}
            made += _demo_role(community, names[index], rng, kind, grid=grid, **extra)
    return made + _demo_building_roles(community, buildings)


def _demo_role(home, name, rng, kind, **targets) -> int:
    person = _demo_person(home, name, rng)
    role_assign(actor=None, person=person, kind=kind, start_date=ROLES_FROM, **targets)
    return 1


def _demo_building_roles(community, buildings) -> int:
    """A building party member (楼道党员) where a party member lives, and a
    building head (楼长) in every building: a resident of it (seed 001)."""
    made = []
    if not Role.objects.filter(
        kind=Role.Kind.STAIRWELL_PARTY_MEMBER, building__in=buildings
    ).exists():
        members = {
            m.person.household.unit.building_id: m.person
            for m in PartyMember.objects.filter(community=community).select_related(
                "person__household__unit"
            )
        }
        made += [
            Role(
                person=members[b.pk],
                kind=Role.Kind.STAIRWELL_PARTY_MEMBER,
                building=b,
                start_date=ROLES_FROM,
            )
            for b in buildings
            if b.pk in members
        ]
    if not Role.objects.filter(
        kind=Role.Kind.BUILDING_HEAD, building__in=buildings
    ).exists():
        heads = {}
        for person_id, building_id in (
            Person.objects.filter(household__unit__building__in=buildings)
            .order_by("-pk")
            .values_list("pk", "household__unit__building_id")
        ):
            heads[building_id] = person_id  # the first resident of each building
        made += [
            Role(
                person_id=heads[b.pk],
                kind=Role.Kind.BUILDING_HEAD,
                building=b,
                start_date=ROLES_FROM,
            )
            for b in buildings
        ]
    Role.objects.bulk_create(made)
    return len(made)


def _demo_party_groups(community, orgs) -> int:
    """Tier four: a party group (党小组) under each grid branch, led by a
    registered party member of the grid (the grid's page names the leader)."""
    made = 0
    for branch in orgs["grid_branches"]:
        group = PartyOrganization.objects.filter(
            parent=branch, grid=branch.grid
        ).first()
        if group is not None:
            continue
        group = org_object_save(
            actor=None,
            instance=PartyOrganization(
                name=f"{branch.grid.name}第一党小组",
                kind=PartyOrganization.Kind.PARTY_GROUP,
                parent=branch,
                subdistrict=branch.subdistrict,
                community=community,
                grid=branch.grid,
            ),
        )
        leader = (
            PartyMember.objects.filter(
                community=community,
                grid=branch.grid,
                kind=PartyMember.Kind.REGISTERED,
            )
            .order_by("pk")
            .first()
        )
        if leader is not None:
            role_assign(
                actor=None,
                person=leader.person,
                kind=Role.Kind.PARTY_SECRETARY,
                start_date=ROLES_FROM,
                party_org=group,
            )
        made += 1
    return made


def _demo_notes(place: dict) -> list[str]:
    """Say which grids have no property steward, and why."""
    compounds: dict[int, set] = {}
    served = set()
    for grid_id, name, company in Building.objects.filter(
        grid__in=place["grids"]
    ).values_list("grid_id", "compound__name", "compound__property_company"):
        compounds.setdefault(grid_id, set()).add(name)
        if company:
            served.add(grid_id)
    return [
        f"{grid.name} ({'、'.join(sorted(compounds.get(grid.pk, ())))}) has no "
        "property company (三无, residents govern it themselves): no property "
        "steward or repair worker there; its grid worker takes property reports."
        for grid in place["grids"]
        if grid.pk not in served
    ]
