"""The grids' field work of a generated district (or of the demo community):
household tags (一户一档) on a share of the households, each community's care
plans, patrols of every grid with what they found, cases of the history that
a patrol raised, and home visits of the households under care at their
plan's rhythm over the last months, so that now some are overdue, some due
today and some coming up. Rows, not services (see ``loader``)."""

import datetime
from dataclasses import dataclass, field

from django.db import connection

from grids.models import (
    CarePlan,
    HouseholdTag,
    Patrol,
    PatrolEvent,
    PatrolFinding,
    Tag,
    Visit,
)
from petitions.models import Petition, PetitionEvent

from ..reference import TAGS as TAG_NAMES
from .clock import DAY, HOUR, count
from .plan import Build, CommunityPlan

#: The share of households given each tag, and the rhythm of its care plan
#: (days between visits); a household under several plans follows the shortest.
TAGS = {
    "独居老人": (1 / 40, 7),
    "重点关注": (1 / 120, 7),
    "空巢": (1 / 55, 14),
    "残疾人": (1 / 90, 14),
    "一老一小": (1 / 75, 14),
    "低保": (1 / 70, 30),
}
TAG_NOTES = {
    "独居老人": ["80岁以上，独自居住", "子女在外地，每周电话联系", "行动不便"],
    "空巢": ["子女在外地工作", "老两口同住"],
    "残疾人": ["肢体残疾二级", "视力残疾"],
    "低保": ["低保户，按月发放", ""],
    "一老一小": ["祖孙二人同住", ""],
    "重点关注": ["独居，患慢性病", "家庭矛盾需跟进"],
}
#: Visits are written for this many days back; the history before is thinner.
VISIT_DAYS = 92
#: Where each household's last visit leaves it: days until it is next due
#: (negative: overdue by that many days).
DUE_IN = (-3, -1, 0, 0, 1, 1, 2, 3, 4, 5, 6)
VISIT_NOTES = [
    "老人身体尚好，药品充足",
    "家中水电气正常，已提醒注意用电安全",
    "老人情绪稳定，子女每周来电",
    "天气转凉，已提醒添衣保暖",
    "血压偏高，已提醒按时服药",
    "家中卫生良好，无安全隐患",
]
VISIT_NEEDS = ["希望有人帮忙买菜", "卫生间灯不亮", "想学用智能手机视频通话"]
MET = ["本人", "老人本人", "老人及其女儿", "户主"]
#: What patrols find, by kind, and the report category of a case they raise.
FINDINGS = {
    "fire_lane": ["楼道堆放杂物堵塞消防通道", "电动车飞线充电", "消防通道停放私家车"],
    "environment": ["垃圾桶满溢未清运", "绿化带杂草丛生", "楼道小广告"],
    "facilities": ["单元门禁损坏", "路灯不亮", "健身器材松动"],
    "repair": ["楼道水管渗水", "雨水管破裂"],
    "parking": ["车辆占用盲道", "非机动车乱停放"],
    "safety": ["井盖松动", "高空花盆未固定"],
    "other": ["楼道声控灯失灵"],
}
CASE_KINDS = {
    "fire-lane": "fire_lane",
    "greening": "environment",
    "facilities": "facilities",
    "road": "facilities",
    "parking": "parking",
}
#: The share of the history's cases in those categories that a patrol raised.
PATROL_CASE_SHARE = 0.15
PATROL_ROUND = (45 * 60, 100 * 60)


@dataclass
class FieldRows:
    tag_names: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    patrols: list = field(default_factory=list)
    events: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    visits: list = field(default_factory=list)
    #: (case id, finding id, patroller's name): cases a patrol raised.
    raised: list = field(default_factory=list)

    def write(self, loader) -> None:
        for model, fields, name in TABLES:
            loader.write(model, fields, getattr(self, name))
        _mark_raised(self.raised)


def build_field(build: Build, *, patrols_per_week: float = 1.0) -> None:
    """Tags and care plans, patrols and visits of every community of ``build``."""
    rows = FieldRows()
    tags = _tag_ids(build, rows)
    for community in build.communities:
        rhythm = _care_plans(build, community, tags, rows)
        cared = _tags(build, community, tags, rhythm, rows)
        buildings = _grid_buildings(community)
        for grid_id in community.grid_ids:
            if grid_id in build.grid_worker and buildings.get(grid_id):
                _patrols(build, grid_id, buildings[grid_id], patrols_per_week, rows)
        _raised_cases(build, community, rows)
        _visits(build, cared, rows)
    rows.write(build.loader)


def _tag_ids(build: Build, rows: FieldRows) -> dict[str, int]:
    """The ids of the seeds' household tags, the missing ones made: {name: id}."""
    ids = dict(Tag.objects.values_list("name", "id"))
    for position, (name, description) in enumerate(TAG_NAMES):
        if name not in ids:
            ids[name] = build.loader.id(Tag)
            rows.tag_names.append(
                (ids[name], *build.stamps(), name, description, position, True)
            )
    return ids


def _care_plans(build: Build, community, tags: dict, rows: FieldRows) -> dict:
    """The community's plan for each tag; return {tag id: days}."""
    rhythm = {}
    for name, (_share, days) in TAGS.items():
        rows.plans.append(
            (
                build.loader.id(CarePlan),
                *build.stamps(),
                community.id,
                tags[name],
                days,
                True,
                "",
            )
        )
        rhythm[tags[name]] = days
    return rhythm


def _tags(build: Build, community: CommunityPlan, tags, rhythm, rows) -> dict:
    """Tag a share of the households; return {household id: (place, days
    between visits)}."""
    rng, clock = build.rng, build.clock
    latest = clock.midnight(clock.today) - VISIT_DAYS * DAY
    cared = {}
    for place in community.places:
        for name, (share, _days) in TAGS.items():
            if rng.random() >= share:
                continue
            since = clock.start + rng.randrange(max(latest - clock.start, DAY))
            rows.tags.append(
                (
                    build.loader.id(HouseholdTag),
                    place.household_id,
                    tags[name],
                    rng.choice(TAG_NOTES[name]),
                    min(since, latest),
                )
            )
            days = rhythm[tags[name]]
            _place, before = cared.get(place.household_id, (place, days))
            cared[place.household_id] = (place, min(before, days))
    return cared


def _grid_buildings(community: CommunityPlan) -> dict[int, list[int]]:
    buildings: dict[int, list[int]] = {}
    for compound in community.compounds:
        for building_id, grid_id in compound["buildings"]:
            buildings.setdefault(grid_id, []).append(building_id)
    return buildings


def _patrol(build: Build, grid_id: int, start: int, rows: FieldRows) -> int:
    """One ended round of ``grid_id`` by its grid worker from ``start``."""
    worker = build.grid_worker[grid_id]
    name = build.names.get(worker, "")
    end = start + build.rng.randint(*PATROL_ROUND)
    patrol_id = build.loader.id(Patrol)
    rows.patrols.append(
        (patrol_id, start, end, grid_id, worker, "ended", start, end, "巡查完毕")
    )
    for action, before, after, moment in (
        ("start", "", "ongoing", start),
        ("end", "ongoing", "ended", end),
    ):
        rows.events.append(
            (
                build.loader.id(PatrolEvent),
                patrol_id,
                action,
                before,
                after,
                name,
                "",
                True,
                moment,
            )
        )
    return patrol_id


def _patrols(build: Build, grid_id, buildings, per_week: float, rows) -> None:
    """Rounds every week of the history, each finding something or not."""
    rng, clock = build.rng, build.clock
    week = clock.start
    while week < clock.now:
        for _n in range(count(rng, per_week)):
            start = week + rng.randrange(7) * DAY + rng.randint(8 * HOUR, 16 * HOUR)
            if start + PATROL_ROUND[1] + HOUR >= clock.now:
                continue
            patrol_id = _patrol(build, grid_id, start, rows)
            for n in range(count(rng, 1.2)):
                kind = rng.choice(list(FINDINGS))
                rows.findings.append(
                    (
                        build.loader.id(PatrolFinding),
                        patrol_id,
                        rng.choice(buildings),
                        kind,
                        rng.choice(FINDINGS[kind]),
                        "",
                        rng.random() < 0.6,
                        start + (n + 1) * 10 * 60,
                    )
                )
        week += 7 * DAY


def _raised_cases(build: Build, community: CommunityPlan, rows: FieldRows) -> None:
    """Cases of the history that a patrol of their grid raised: the round
    went out before the case came in, and its finding is the case's."""
    rng = build.rng
    cases = (
        Petition.objects.filter(
            community_id=community.id,
            category__code__in=list(CASE_KINDS),
            building__isnull=False,
            grid_id__in=list(build.grid_worker),
            patrol_finding__isnull=True,
            created_at__gte=build.clock.aware(build.clock.start + DAY),
        )
        .order_by("pk")
        .values_list("pk", "created_at", "building_id", "grid_id", "category__code")
    )
    for pk, created_at, building_id, grid_id, code in cases:
        if rng.random() >= PATROL_CASE_SHARE:
            continue
        found = int(created_at.timestamp()) - 10 * 60
        if found - 30 * 60 + PATROL_ROUND[1] >= build.clock.now:
            continue  # the round would still be under way
        patrol_id = _patrol(build, grid_id, found - 30 * 60, rows)
        finding_id = build.loader.id(PatrolFinding)
        kind = CASE_KINDS[code]
        rows.findings.append(
            (
                finding_id,
                patrol_id,
                building_id,
                kind,
                rng.choice(FINDINGS[kind]),
                "",
                False,
                found,
            )
        )
        rows.raised.append(
            (pk, finding_id, build.names.get(build.grid_worker[grid_id]))
        )


def _visits(build: Build, cared: dict, rows: FieldRows) -> None:
    """Visits of each household under care at its rhythm, the last one
    leaving it due anywhere from three days ago to six days ahead."""
    rng, clock = build.rng, build.clock
    first = clock.today - datetime.timedelta(days=VISIT_DAYS)
    for place, days in cared.values():
        visitor = build.grid_worker.get(place.grid_id)
        if visitor is None:
            continue
        day = clock.today - datetime.timedelta(days=days - rng.choice(DUE_IN))
        day = min(day, clock.today - datetime.timedelta(days=1))
        while day >= first:
            moment = clock.at(day, rng.randint(9, 16), rng.randrange(60))
            need = rng.choice(VISIT_NEEDS) if rng.random() < 0.05 else ""
            rows.visits.append(
                (
                    build.loader.id(Visit),
                    place.household_id,
                    visitor,
                    moment,
                    rng.choice(MET),
                    rng.choice(VISIT_NOTES),
                    need,
                    moment,
                )
            )
            day -= datetime.timedelta(days=days + rng.choice((-1, 0, 0, 1)))


def _mark_raised(raised: list) -> None:
    """The raised cases came in by patrol, reported by the patroller."""
    if not raised:
        return
    quote = connection.ops.quote_name
    cases, events = Petition._meta.db_table, PetitionEvent._meta.db_table
    with connection.cursor() as cursor:
        # Our own table names; the values are parameters.
        cursor.executemany(
            f"UPDATE {quote(cases)} SET patrol_finding_id = %s, "  # noqa: S608
            "channel = 'patrol' WHERE id = %s",
            [(finding, case) for case, finding, _name in raised],
        )
        cursor.executemany(
            f"UPDATE {quote(events)} SET actor_label = %s "  # noqa: S608
            "WHERE petition_id = %s AND action = 'submit'",
            [(name or "", case) for case, _finding, name in raised],
        )


_STAMPED = ["id", "created_at", "updated_at"]
TABLES = [
    (
        Tag,
        [*_STAMPED, "name", "description", "position", "is_active"],
        "tag_names",
    ),
    (
        CarePlan,
        [*_STAMPED, "community", "tag", "every_days", "is_active", "note"],
        "plans",
    ),
    (HouseholdTag, ["id", "household", "tag", "note", "created_at"], "tags"),
    (
        Patrol,
        [*_STAMPED, "grid", "person", "status", "started_at", "ended_at", "note"],
        "patrols",
    ),
    (
        PatrolEvent,
        [
            "id",
            "patrol",
            "action",
            "from_status",
            "to_status",
            "actor_label",
            "note",
            "is_public",
            "created_at",
        ],
        "events",
    ),
    (
        PatrolFinding,
        [
            "id",
            "patrol",
            "building",
            "kind",
            "description",
            "photo",
            "is_handled",
            "created_at",
        ],
        "findings",
    ),
    (
        Visit,
        [
            "id",
            "household",
            "visitor",
            "visited_at",
            "met",
            "findings",
            "need",
            "created_at",
        ],
        "visits",
    ),
]
