"""The territory of a generated district: the district, its subdistricts,
communities and grids, property companies, compounds with their owners'
committees, buildings, units and households."""

# Generated data wants repeatable, not secure, randomness.
# ruff: noqa: S311

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from core import calendar
from grids.models import (
    Building,
    Community,
    Compound,
    District,
    Grid,
    Household,
    OwnersCommittee,
    PropertyCompany,
    Subdistrict,
    Unit,
)

from .clock import days_in_years
from .names import (
    COMMUNITY_NAMES,
    COMPANY_WORDS,
    COMPOUND_FIRST,
    COMPOUND_SUFFIX,
    CREDIT_CHARS,
    DISTRICT_NAMES,
    STAFF_HOUSING,
    SUBDISTRICT_NAMES,
)
from .plan import Build, CommunityPlan, Place, apportion

STAMP = ["id", "created_at", "updated_at"]


def build_district(build: Build) -> None:
    """The district, named and coded apart from any already there."""
    taken = set(District.objects.values_list("name", flat=True))
    name = next((n for n in DISTRICT_NAMES if n not in taken), None)
    number = len(taken) + 1
    while name is None or name in taken:
        name = f"{DISTRICT_NAMES[0][:-1]}{number}区"
        number += 1
    codes = set(
        District.objects.exclude(division_code=None).values_list(
            "division_code", flat=True
        )
    )
    # "99…" is no province: generated codes never look like a real place.
    code = next(
        f"99{n:02d}00000000" for n in range(1, 100) if f"99{n:02d}00000000" not in codes
    )
    district_id = build.loader.id(District)
    build.loader.write(
        District,
        [*STAMP, "name", "division_code"],
        [(district_id, *build.stamps(), name, code)],
    )
    build.district_id, build.district_name, build.code = district_id, name, code
    # Tokens and credit codes must differ between districts of the same seed.
    build.tag_rng = random.Random(f"{build.shape.seed}:{code}")


def build_territory(build: Build) -> None:
    """Subdistricts, communities over them (each at least one) and grids in
    proportion to households (each community at least one)."""
    subdistrict_ids = build.loader.ids(Subdistrict, build.shape.subdistricts)
    rows = []
    for index, sid in enumerate(subdistrict_ids):
        base = SUBDISTRICT_NAMES[index % len(SUBDISTRICT_NAMES)]
        suffix = "" if index < len(SUBDISTRICT_NAMES) else str(index)
        rows.append(
            (
                sid,
                *build.stamps(),
                build.district_id,
                f"{base}{suffix}街道",
                f"{build.code[:6]}{index + 1:03d}000",
            )
        )
    build.loader.write(
        Subdistrict, [*STAMP, "district_id", "name", "division_code"], rows
    )
    build.subdistrict_ids = list(subdistrict_ids)
    build.subdistrict_names = {row[0]: row[4] for row in rows}
    _communities(build)
    _grids(build)


def _communities(build: Build) -> None:
    shape, rng = build.shape, build.rng
    per_subdistrict = [1] * shape.subdistricts
    for _index in range(shape.communities - shape.subdistricts):
        per_subdistrict[rng.randrange(shape.subdistricts)] += 1
    community_ids = iter(build.loader.ids(Community, shape.communities))
    sizes = [rng.lognormvariate(0, 0.45) for _ in range(shape.communities)]
    community_households = apportion(shape.households, sizes, minimum=1)
    rows, position = [], 0
    for s_index, count in enumerate(per_subdistrict):
        sid = build.subdistrict_ids[s_index]
        for c_index in range(count):
            cid = next(community_ids)
            base = COMMUNITY_NAMES[position % len(COMMUNITY_NAMES)]
            suffix = "" if position < len(COMMUNITY_NAMES) else str(position)
            name = f"{base}{suffix}社区"
            build.communities.append(
                CommunityPlan(
                    id=cid,
                    subdistrict_id=sid,
                    name=name,
                    households=community_households[position],
                    activity=rng.uniform(0.6, 1.5),
                    late_share=rng.uniform(0.06, 0.30),
                )
            )
            founded = datetime.date(rng.randint(1995, 2015), rng.randint(1, 12), 1)
            rows.append(
                (
                    cid,
                    *build.stamps(),
                    sid,
                    name,
                    f"{build.code[:6]}{s_index + 1:03d}{c_index + 1:03d}",
                    founded,
                    f"{SUBDISTRICT_NAMES[s_index % 20]}路{rng.randint(1, 300)}号",
                )
            )
            position += 1
    build.loader.write(
        Community,
        [
            *STAMP,
            "subdistrict_id",
            "name",
            "division_code",
            "founded_date",
            "address",
        ],
        rows,
    )


def _grids(build: Build) -> None:
    weights = [c.households for c in build.communities]
    counts = apportion(build.shape.grids, weights, minimum=1)
    grid_ids = iter(build.loader.ids(Grid, sum(counts)))
    rows = []
    for community, count in zip(build.communities, counts, strict=True):
        for number in range(1, count + 1):
            gid = next(grid_ids)
            community.grid_ids.append(gid)
            rows.append(
                (
                    gid,
                    *build.stamps(),
                    community.id,
                    f"第{number}网格",
                    f"{community.name}第{number}网格群",
                )
            )
    build.loader.write(Grid, [*STAMP, "community_id", "name", "chat_group"], rows)


def build_companies(build: Build) -> None:
    """Property-service companies; a few large ones serve most compounds."""
    rng = build.rng
    short = build.district_name[:-1]
    taken = set(PropertyCompany.objects.values_list("name", flat=True))
    rows = []
    for index, cid in enumerate(
        build.loader.ids(PropertyCompany, build.shape.companies)
    ):
        name = f"{short}{COMPANY_WORDS[index % len(COMPANY_WORDS)]}物业服务有限公司"
        if index >= len(COMPANY_WORDS):
            name = name.replace("物业", f"{index}物业", 1)
        while name in taken:
            name = "新" + name
        taken.add(name)
        credit = f"91{build.code[:6]}MA{index:03d}" + "".join(
            build.tag_rng.choices(CREDIT_CHARS, k=5)
        )
        build.companies.append(
            {
                "id": cid,
                "name": name,
                "weight": rng.paretovariate(1.3),
                "has_branch": rng.random() < 0.8,
                "quality": rng.uniform(-0.06, 0.08),
                "communities": defaultdict(int),
            }
        )
        rows.append(
            (
                cid,
                *build.stamps(),
                build.district_id,
                name,
                credit,
                f"0635-{rng.randint(2000000, 8999999)}",
                f"{name[:4]}大厦{rng.randint(1, 30)}层",
            )
        )
    build.loader.write(
        PropertyCompany,
        [
            *STAMP,
            "district_id",
            "name",
            "credit_code",
            "contact_phone",
            "address",
        ],
        rows,
    )


# --- compounds and what is in them --------------------------------------------------


@dataclass
class _Rows:
    compounds: list = field(default_factory=list)
    committees: list = field(default_factory=list)
    buildings: list = field(default_factory=list)
    units: list = field(default_factory=list)
    households: list = field(default_factory=list)


def build_compounds(build: Build) -> None:
    """Compounds, owners' committees, buildings, units and households."""
    rows = _Rows()
    for community in build.communities:
        n_compounds = build.rng.randint(8, 15)
        sizes = [build.rng.lognormvariate(0, 0.7) for _ in range(n_compounds)]
        households = apportion(community.households, sizes, minimum=1)
        names: set[str] = set()
        buildings: list[list] = []
        for index in range(n_compounds):
            compound, style = _compound(build, community, rows, names)
            compound["households"] = households[index]
            buildings += _planned_buildings(build.rng, compound, style)
        _split_for_grids(community, buildings)
        _write_buildings(build, community, buildings, rows)
    loader = build.loader
    loader.write(
        Compound,
        [
            *STAMP,
            "community_id",
            "name",
            "address",
            "grade",
            "property_company_id",
            "supervising_unit",
        ],
        rows.compounds,
    )
    loader.write(
        OwnersCommittee,
        [*STAMP, "compound_id", "name", "elected_date", "term_end_date"],
        rows.committees,
    )
    loader.write(
        Building, [*STAMP, "compound_id", "grid_id", "number", "floors"], rows.buildings
    )
    loader.write(Unit, [*STAMP, "building_id", "number"], rows.units)
    loader.write(Household, [*STAMP, "unit_id", "room", "floor_area"], rows.households)


def _compound(build: Build, community, rows: _Rows, names: set) -> tuple[dict, str]:
    """One compound, with an owners' committee more often where the grade is
    high; return it and its style of building."""
    rng = build.rng
    kind, company, name, supervising = _compound_kind(build, names)
    style = (
        "old"
        if kind != "managed"
        else rng.choices(["old", "mid", "high"], [40, 25, 35])[0]
    )
    # Every grade is drawn and one kept: the random stream stays that of
    # earlier versions, so a seed gives the districts it always gave.
    grade = (
        ""
        if company is None
        else {
            "high": rng.choices("AB", [60, 40])[0],
            "mid": rng.choices("ABC", [20, 50, 30])[0],
            "old": rng.choices("BCD", [20, 50, 30])[0],
        }[style]
    )
    compound_id = build.loader.id(Compound)
    company_id = company and company["id"]
    build.company_of_compound[compound_id] = company_id
    if company is not None:
        company["communities"][community.id] += 1
    rows.compounds.append(
        (
            compound_id,
            *build.stamps(),
            community.id,
            name,
            f"{community.name[:-2]}路{rng.randint(1, 400)}号",
            grade,
            company_id,
            supervising,
        )
    )
    committee_id = None
    if company is not None and rng.random() < (0.6 if grade in "AB" else 0.3):
        committee_id = _committee(build, compound_id, name, rows)
    compound = {
        "id": compound_id,
        "name": name,
        "kind": kind,
        "company": company_id,
        "committee": committee_id,
        "households": 0,
        "buildings": [],
    }
    community.compounds.append(compound)
    return compound, style


def _compound_kind(build: Build, names: set) -> tuple:
    """Managed by a company, staff housing under a supervising unit, or 三无
    (no company, no committee, no supervisor); and a name not yet taken in
    the community. Return (kind, company, name, supervising unit)."""
    rng = build.rng
    roll = rng.random()
    supervising = ""
    if roll < 0.10:
        kind, company = "three_no", None
    elif roll < 0.16:
        kind, company = "staff_housing", None
    else:
        kind = "managed"
        weights = [c["weight"] for c in build.companies]
        company = rng.choices(build.companies, weights=weights)[0]
    if kind == "staff_housing":
        name, supervising = rng.choice(STAFF_HOUSING)
    else:
        name = rng.choice(COMPOUND_FIRST) + rng.choice(COMPOUND_SUFFIX)
    while name in names:
        name = rng.choice(COMPOUND_FIRST) + name
    names.add(name)
    return kind, company, name, supervising


def _committee(build: Build, compound_id: int, name: str, rows: _Rows) -> int:
    """An owners' committee elected in the four years before the history, for
    a five-year term."""
    first = build.clock.first
    committee_id = build.loader.id(OwnersCommittee)
    elected = first - datetime.timedelta(
        days=build.rng.randint(0, days_in_years(first, 4))
    )
    rows.committees.append(
        (
            committee_id,
            *build.stamps(),
            compound_id,
            f"{name}业主委员会",
            elected,
            calendar.add_years(elected, 5),
        )
    )
    return committee_id


def _planned_buildings(rng: random.Random, compound: dict, style: str) -> list[list]:
    """The compound's buildings as [compound, number, floors, units, rooms,
    households], filled up to the compound's households."""
    floors, units, rooms = {  # all drawn, one kept (see the grade)
        "old": (6, rng.randint(2, 3), 2),
        "mid": (11, 2, 2),
        "high": (rng.choice([18, 26]), 2, rng.randint(2, 3)),
    }[style]
    per_building = floors * units * rooms
    left, number, planned = compound["households"], 0, []
    while left > 0:
        number += 1
        size = min(left, per_building)
        left -= size
        planned.append([compound, f"{number}号楼", floors, units, rooms, size])
    return planned


def _split_for_grids(community, buildings: list[list]) -> None:
    """Every grid has at least one building: split the largest until so, then
    keep the buildings of a compound together."""
    while len(buildings) < len(community.grid_ids):
        largest = max(buildings, key=lambda b: b[5])
        if largest[5] < 2:
            break
        half = largest[5] // 2
        largest[5] -= half
        compound = largest[0]
        count = sum(1 for b in buildings if b[0] is compound)
        buildings.append([compound, f"{count + 1}号楼", *largest[2:5], half])
    buildings.sort(key=lambda b: community.compounds.index(b[0]))


def _write_buildings(build: Build, community, buildings, rows: _Rows) -> None:
    """Buildings in contiguous blocks per grid, as on a real map, with their
    units and households."""
    for index, (compound, number, floors, units, rooms, size) in enumerate(buildings):
        grid_id = community.grid_ids[index * len(community.grid_ids) // len(buildings)]
        building_id = build.loader.id(Building)
        compound["buildings"].append((building_id, grid_id))
        rows.buildings.append(
            (building_id, *build.stamps(), compound["id"], grid_id, number, floors)
        )
        left = size
        for unit_number in range(1, units + 1):
            if left <= 0:
                break
            unit_id = build.loader.id(Unit)
            rows.units.append(
                (unit_id, *build.stamps(), building_id, f"{unit_number}单元")
            )
            place = Place(
                household_id=0,
                unit_id=unit_id,
                building_id=building_id,
                building_number=number,
                compound_id=compound["id"],
                grid_id=grid_id,
                detail=f"{unit_number}单元",
                person_id=0,
                name="",
                phone="",
            )
            left = _households(build, community, place, floors, rooms, left, rows)


def _households(build: Build, community, unit: Place, floors, rooms, left, rows):
    """The households of one unit, floor by floor; return how many of the
    building's are left for its next unit."""
    for floor in range(1, floors + 1):
        for room in range(1, rooms + 1):
            if left <= 0:
                return left
            left -= 1
            household_id = build.loader.id(Household)
            room_name = f"{floor}{room:02d}"
            area = 55 + build.rng.randrange(9000) / 100
            rows.households.append(
                (household_id, *build.stamps(), unit.unit_id, room_name, f"{area:.2f}")
            )
            community.places.append(
                Place(
                    household_id=household_id,
                    unit_id=unit.unit_id,
                    building_id=unit.building_id,
                    building_number=unit.building_number,
                    compound_id=unit.compound_id,
                    grid_id=unit.grid_id,
                    detail=f"{unit.detail}{room_name}",
                    person_id=0,
                    name="",
                    phone="",
                )
            )
    return left
