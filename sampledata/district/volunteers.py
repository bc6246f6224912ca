"""Volunteer service of a generated district (or of the demo community): the
红领管家 team and its four sub-teams (seed 002), activities with sign-ups and
hours verified by the organiser (only verified hours count), micro-wishes,
and the 双报到 registrations of in-service party members."""

import datetime
from dataclasses import dataclass, field

from core import calendar
from volunteers.models import Activity, Registration, SignUp, Team, Wish

from .clock import DAY, HOUR, count, months
from .plan import Build, CommunityPlan

ACTIVITIES_PER_MONTH = 1.5
WISHES_PER_MONTH = 1.2
STAMP = ["id", "created_at", "updated_at"]
SUB_TEAMS = ["文明传递", "矛盾调处", "爱心接力", "美丽家园"]

ACTIVITY_KINDS = [
    ("haircut", "爱心义剪", None),
    ("elderly", "重阳敬老", (10,)),
    ("health", "健康讲座进社区", None),
    ("fire", "消防安全检查", (11, 12, 1)),
    ("fraud", "防范电信诈骗宣传", None),
    ("cleanup", "美丽家园清洁行动", (3, 4, 5, 9)),
    ("other", "文明传递志愿服务", None),
]
WISHES = [
    ("elderly", "希望有人陪我去医院复查"),
    ("elderly", "想要一副老花镜"),
    ("elderly", "家里灯泡坏了，希望有人帮忙更换"),
    ("child", "想要一套课外书"),
    ("child", "想要一个新书包"),
    ("other", "希望有人帮忙修理轮椅"),
    ("other", "想学习使用智能手机"),
]


@dataclass
class VolunteerRows:
    teams: list = field(default_factory=list)
    registrations: list = field(default_factory=list)
    activities: list = field(default_factory=list)
    signups: list = field(default_factory=list)
    wishes: list = field(default_factory=list)

    def write(self, loader) -> None:
        for model, fields, name in TABLES:
            loader.write(model, fields, getattr(self, name))


def build_volunteers(build: Build) -> None:
    clock, scale = build.clock, build.shape.scale
    rows = VolunteerRows()
    for community in build.communities:
        teams = teams_write(build, community, community.staff[1], rows)
        volunteers = (
            community.members + community.places[: max(30, len(community.members))]
        )
        for month in months(clock.first, clock.today):
            for _n in range(count(build.rng, ACTIVITIES_PER_MONTH * scale)):
                activity_write(build, community, month, teams, volunteers, rows)
            for _n in range(count(build.rng, WISHES_PER_MONTH * scale)):
                wish_write(build, community, month, volunteers, rows)
    for community, place, work_unit, work_org in build.in_service:
        registration_write(build, community, place, work_unit, work_org, rows)
    rows.write(build.loader)


def teams_write(build: Build, community, leader_id, rows: VolunteerRows) -> list[int]:
    """The community's 红领管家 team and its four sub-teams; return their ids."""
    community.team_id = build.loader.id(Team)
    rows.teams.append(
        (
            community.team_id,
            *build.stamps(),
            community.id,
            "红领管家志愿服务队",
            None,
            leader_id,
        )
    )
    teams = [community.team_id]
    for name in SUB_TEAMS:
        team_id = build.loader.id(Team)
        teams.append(team_id)
        rows.teams.append(
            (
                team_id,
                *build.stamps(),
                community.id,
                f"{name}分队",
                community.team_id,
                None,
            )
        )
    return teams


def registration_write(build: Build, community, place, work_unit, work_org, rows):
    """A confirmed 双报到 registration: the member's grid and the main team."""
    rows.registrations.append(
        (
            build.loader.id(Registration),
            *build.stamps(),
            community.id,
            place.household_id,
            place.name,
            place.phone,
            work_unit,
            work_org,
            Registration.Status.CONFIRMED,
            place.grid_id,
            community.team_id,
            20,
            place.person_id,
        )
    )


def activity_write(
    build: Build,
    community: CommunityPlan,
    month: datetime.date,
    teams: list[int],
    volunteers: list,
    rows: VolunteerRows,
    *,
    day: datetime.date | None = None,
    hour: int | None = None,
    kind: str | None = None,
) -> None:
    """One activity of the month (on ``day`` at ``hour`` and of ``kind`` if
    given, else a random day, time and kind of the season) with its sign-ups:
    the first up to capacity confirmed, the rest waiting; most of those
    confirmed check in and out, and the organiser verifies their hours within
    three days."""
    rng, clock = build.rng, build.clock
    if kind is None:
        fitting = [k for k in ACTIVITY_KINDS if k[2] is None or month.month in k[2]]
        kind, title, _season = rng.choice(fitting)
    else:
        title = next(k[1] for k in ACTIVITY_KINDS if k[0] == kind)
    if day is None:
        length = (calendar.month_end(month) - month).days + 1
        day = month + datetime.timedelta(days=rng.randrange(length))
    if day < clock.first:
        return
    hour = rng.choice([9, 14]) if hour is None else hour
    starts = clock.at(day, hour, rng.choice([0, 30]))
    hours = rng.choice([2, 2.5, 3])
    ends = starts + int(hours * HOUR)
    past = ends <= clock.now
    capacity = rng.randint(10, 40)
    activity_id = build.loader.id(Activity)
    rows.activities.append(
        (
            activity_id,
            *build.stamps(starts - 14 * DAY),
            community.id,
            title,
            kind,
            rng.choice(teams),
            "社区党群服务中心" if rng.random() < 0.6 else "小区广场",
            starts,
            ends,
            capacity,
            rng.randint(20, 150) if past else 0,
            build.token(16),
        )
    )
    if volunteers:
        _signups(build, activity_id, starts, ends, hours, capacity, volunteers, rows)


def _signups(build, activity_id, starts, ends, hours, capacity, volunteers, rows):
    rng, now = build.rng, build.clock.now
    wanted = min(len(volunteers), rng.randint(capacity // 2, capacity + 5))
    past = ends <= now
    seen = set()
    for position, person in enumerate(rng.sample(volunteers, wanted)):
        if person.phone in seen:
            continue
        seen.add(person.phone)
        signed_up = min(now, starts - rng.randint(1, 10 * DAY))
        status = "confirmed" if position < capacity else "waiting"
        if status == "confirmed" and rng.random() < 0.05:
            status = "cancelled"
        check_in = check_out = hours_text = verified = None
        if past and status == "confirmed" and rng.random() < 0.9:
            check_in = starts + rng.randrange(600)
            check_out = ends - rng.randrange(600)
            verified_at = ends + rng.randrange(3 * DAY)
            if verified_at <= now:
                served = hours if rng.random() < 0.85 else hours - 0.5
                hours_text, verified = f"{served:.2f}", verified_at
        rows.signups.append(
            (
                build.loader.id(SignUp),
                activity_id,
                person.name,
                person.phone,
                person.person_id,
                status,
                signed_up,
                check_in,
                check_out,
                hours_text,
                verified,
            )
        )


def wish_write(build: Build, community, month, volunteers, rows: VolunteerRows):
    """A micro-wish posted in the month: reviewed and published (a few
    rejected), claimed by one volunteer, fulfilled and confirmed, as far as
    time has come."""
    rng, clock = build.rng, build.clock
    if not community.places:
        return
    opens = clock.midnight(month)
    created = opens + rng.randrange(clock.midnight(calendar.next_month(month)) - opens)
    if created >= clock.now or created < clock.start:
        return
    beneficiary, title = rng.choice(WISHES)
    wisher = rng.choice(community.places)
    claimer = rng.choice(volunteers)
    published = created + rng.randint(HOUR, 3 * DAY)
    claimed = published + rng.randint(HOUR, 20 * DAY)
    fulfilled = claimed + rng.randint(DAY, 14 * DAY)
    confirmed = fulfilled + rng.randint(HOUR, 7 * DAY)
    status, updated = "submitted", created
    stamps = dict.fromkeys(("published", "claimed", "fulfilled", "confirmed"))
    if rng.random() < 0.06:
        if published <= clock.now:
            status, updated = "rejected", published
    else:
        steps = [
            ("published", published, 1.0),
            ("claimed", claimed, 0.92),
            ("fulfilled", fulfilled, 0.95),
            ("confirmed", confirmed, 0.85),
        ]
        for name, moment, chance in steps:
            if moment > clock.now or rng.random() >= chance:
                break
            status, updated, stamps[name] = name, moment, moment
    has_claimer = stamps["claimed"] is not None
    rows.wishes.append(
        (
            build.loader.id(Wish),
            created,
            updated,
            community.id,
            title,
            "",
            beneficiary,
            wisher.name,
            wisher.phone,
            status,
            claimer.name if has_claimer else "",
            claimer.phone if has_claimer else "",
            stamps["claimed"],
            stamps["published"],
            "",
            stamps["fulfilled"],
            stamps["confirmed"],
            rng.choices(["satisfied", "fairly"], [9, 1])[0]
            if stamps["confirmed"]
            else "",
        )
    )


#: Each table the rows go to: (model, columns, attribute of VolunteerRows).
TABLES = [
    (Team, [*STAMP, "community_id", "name", "parent_id", "leader_id"], "teams"),
    (
        Registration,
        [
            *STAMP,
            "community_id",
            "household_id",
            "name",
            "phone",
            "work_unit",
            "work_unit_party_org",
            "status",
            "grid_id",
            "team_id",
            "yearly_target_hours",
            "person_id",
        ],
        "registrations",
    ),
    (
        Activity,
        [
            *STAMP,
            "community_id",
            "title",
            "kind",
            "team_id",
            "place",
            "starts_at",
            "ends_at",
            "capacity",
            "beneficiaries",
            "check_in_token",
        ],
        "activities",
    ),
    (
        SignUp,
        [
            "id",
            "activity_id",
            "name",
            "phone",
            "person_id",
            "status",
            "created_at",
            "check_in_at",
            "check_out_at",
            "verified_hours",
            "verified_at",
        ],
        "signups",
    ),
    (
        Wish,
        [
            *STAMP,
            "community_id",
            "title",
            "text",
            "beneficiary_kind",
            "wisher_name",
            "wisher_phone",
            "status",
            "claimer_name",
            "claimer_phone",
            "claimed_at",
            "published_at",
            "photo",
            "fulfilled_at",
            "confirmed_at",
            "rating",
        ],
        "wishes",
    ),
]
