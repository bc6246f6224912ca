"""Residents' reports of a generated district (or of the demo community):
when they come in, what they are about, and the life each one leads.

A case's life is a story of actions (accept, dispatch, start, hold, refer,
resolve, reopen, confirm …) at epoch seconds. Where it stands now is replayed
through the platform's own rules: each action's next state comes from
``petitions.workflow.status_after``, the escalation level from
``petitions.workflow.overdue_level``, the auto-close period from
``settings.PETITION_AUTO_CLOSE_DAYS``. With ``timelines`` every case also gets
its timeline rows (``PetitionEvent``) as the services would have written them.
"""

import base64
import bisect
import datetime
import math
from typing import NamedTuple

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from petitions.models import Category, Petition, PetitionEvent
from petitions.workflow import TRANSITIONS, overdue_level, status_after

from ..reference import categories_ensure, departments_ensure
from .clock import DAY, HOUR, OFFSET, month_key
from .loader import DeferredIndexes
from .plan import Build

#: From this many cases on, PostgreSQL loads the case table without its
#: secondary indexes and foreign keys and rebuilds them after.
DEFER_INDEXES_FROM = 50_000


class CaseProfile(NamedTuple):
    """How a category's cases look: how many, when, where, and who else helps."""

    weight: float
    #: Multipliers for January … December, or None for an even year.
    season: tuple[float, ...] | None
    #: Share of cases reported for the community, not a building.
    unplaced: float
    #: Share referred to a department (联动处理).
    referred: float
    departments: tuple[str, ...]
    #: Descriptions; ``{b}`` is the building.
    texts: tuple[str, ...]


CASE_PROFILE = {
    "leak": CaseProfile(
        9,
        (1, 1, 1, 1, 1.2, 1.8, 2.2, 2.0, 1.2, 1, 1, 1),
        0.0,
        0.01,
        ("城市管理",),
        ("{b}顶楼楼道漏水，墙皮脱落", "{b}卫生间渗水到楼下", "{b}外墙渗水"),
    ),
    "pipe": CaseProfile(
        8,
        None,
        0.0,
        0.01,
        ("城市管理",),
        ("{b}单元下水道堵塞，污水外溢", "{b}化粪池满溢", "{b}厨房下水不畅"),
    ),
    "aircon-drip": CaseProfile(
        2,
        (0.2, 0.2, 0.3, 0.5, 1.5, 3.5, 4.5, 4, 1.5, 0.4, 0.2, 0.2),
        0.0,
        0.0,
        (),
        ("楼上空调滴水到{b}阳台", "{b}空调冷凝水乱排"),
    ),
    "paid-repair": CaseProfile(
        18,
        None,
        0.0,
        0.0,
        (),
        ("{b}入户维修水龙头", "{b}更换门锁", "{b}灯具维修", "{b}燃气灶维修"),
    ),
    "road": CaseProfile(
        6,
        (1.2, 1.3, 1.2, 1, 1, 1.1, 1.2, 1.1, 1, 1, 1, 1.1),
        0.05,
        0.05,
        ("城市管理",),
        ("小区主干道路面破损有坑", "{b}门前路面塌陷", "人行道砖松动"),
    ),
    "facilities": CaseProfile(
        12,
        None,
        0.05,
        0.02,
        ("城市管理",),
        ("健身器材损坏", "{b}单元门禁失灵", "{b}楼道灯不亮", "路灯不亮"),
    ),
    "parking": CaseProfile(
        12,
        None,
        0.05,
        0.10,
        ("城市管理", "派出所"),
        ("{b}门口车辆乱停，老人出行不便", "私家车占用消防车位", "僵尸车长期占位"),
    ),
    "fire-lane": CaseProfile(
        6,
        (1.4, 1.4, 1.2, 1, 0.9, 0.8, 0.8, 0.8, 0.9, 1, 1.2, 1.4),
        0.05,
        0.08,
        ("派出所", "城市管理"),
        ("消防通道被私家车堵住", "{b}楼道飞线充电", "{b}楼道堆放杂物"),
    ),
    "greening": CaseProfile(
        10,
        (0.6, 0.6, 1, 1.3, 1.4, 1.4, 1.4, 1.3, 1.1, 1, 0.7, 0.6),
        0.05,
        0.0,
        (),
        ("绿化带杂草丛生", "{b}旁树枝遮挡窗户", "垃圾清运不及时"),
    ),
    "dispute": CaseProfile(
        7,
        None,
        0.25,
        0.25,
        ("司法调解", "派出所"),
        ("楼上装修噪音扰民，协商未果", "{b}邻居养狗扰民", "{b}漏水纠纷"),
    ),
    "elevator": CaseProfile(
        2,
        None,
        0.25,
        0.02,
        ("民政",),
        ("建议为{b}加装电梯", "建议增设电动车充电桩", "建议增加休息座椅"),
    ),
    "property-complaint": CaseProfile(
        8,
        None,
        0.05,
        0.08,
        ("市场监管",),
        ("物业保洁不到位", "物业收费不透明", "物业维修拖延"),
    ),
}
#: For a category of a deployment that the profiles above do not know.
DEFAULT_PROFILE = CaseProfile(3, None, 0.05, 0.02, (), ("{b}问题反映",))
CHANNELS = [
    ("web", 35), ("qr", 20), ("chat_group", 20), ("phone", 15), ("visit", 7),
    ("meeting", 3),
]  # fmt: skip
RATING_COMMENTS = ["处理及时，谢谢！", "师傅很负责", "还行", "太慢了", "问题还在"]
#: Cases a local hour of the day (0–23).
HOUR_WEIGHTS = (
    0.3, 0.2, 0.1, 0.1, 0.1, 0.3, 0.8, 2.0, 3.5, 4.0, 3.8, 3.0,
    2.2, 2.5, 3.2, 3.4, 3.0, 2.6, 2.8, 3.0, 2.6, 1.8, 1.0, 0.6,
)  # fmt: skip


S = Petition.Status
# Plain values: enum members are slow to look up a million times.
SUBMITTED, MERGED = S.SUBMITTED.value, S.MERGED.value
WORKING = (S.ACCEPTED.value, S.DISPATCHED.value, S.IN_PROGRESS.value)
FINAL = (S.CLOSED.value, S.REJECTED.value, S.MERGED.value)
GRID, COMMUNITY = int(Petition.Level.GRID), int(Petition.Level.COMMUNITY)
BY_COMMUNITY = Category.Handler.COMMUNITY.value
BY_PROPERTY = Category.Handler.PROPERTY.value
#: Channels through which staff file a report for the resident.
FILED_BY_STAFF = ("phone", "visit", "meeting")
#: How long the five-minute escalation task takes to notice a missed deadline.
ESCALATION_DELAY = 120
RESOLVE_NOTES = (
    "问题已处理完毕，请您确认并对我们的服务进行评价，谢谢！",
    "已安排维修人员处理完毕，请您确认。",
    "已现场处理，请您查看。",
)
REJECT_NOTE = "经核实不属于受理范围，已告知居民向相关单位反映。"
HOLD_NOTE = "等待采购配件，到货后继续处理。"
REOPEN_NOTE = "问题还在，请再来看看。"


def reference_data(build: Build) -> None:
    """The seeds' categories and departments, shared with any already there."""
    build.categories = [category for category, _made in categories_ensure()]
    build.departments = departments_ensure()


def next_status_table() -> dict[tuple[str, str, bool, bool], str]:
    """Every allowed (action, state, has a handler, was accepted) of the case
    lifecycle with the state it leads to, read from ``status_after``: the
    services' one rule, asked once per combination instead of once per event."""
    table = {}
    for action in TRANSITIONS:
        for status in S.values:
            for has_handler in (False, True):
                for was_accepted in (False, True):
                    try:
                        table[action, status, has_handler, was_accepted] = status_after(
                            action,
                            status,
                            has_handler=has_handler,
                            was_accepted=was_accepted,
                        )
                    except ApplicationError:
                        continue
    return table


# --- when cases come in ------------------------------------------------------------


def case_times(
    build: Build, n: int, ramp: tuple[float, float] = (0.55, 0.9)
) -> tuple[list[int], list[int], list[int]]:
    """Return when each of ``n`` cases came in (sorted), its community (index)
    and its category (index).

    More cases as the platform is adopted (from ``ramp[0]`` up by ``ramp[1]``
    over the history), more in summer, fewer at the Spring Festival and at
    weekends, most in office hours.
    """
    rng, clock = build.rng, build.clock
    day_weights = _day_weights(clock, ramp)
    days = rng.choices(range(clock.days), weights=day_weights, k=n)
    hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=n)
    randrange, start, now = rng.randrange, clock.start, clock.now
    times = []
    for day, hour in zip(days, hours, strict=True):
        moment = start + day * DAY + hour * HOUR + randrange(HOUR)
        times.append(moment if moment < now else now - randrange(1, 6 * HOUR))
    times.sort()
    community_weights = [c.households * c.activity for c in build.communities]
    communities = rng.choices(range(len(build.communities)), community_weights, k=n)
    cumulative = _category_weights(build.categories)
    month_of_day = [
        (clock.first + datetime.timedelta(days=offset)).month - 1
        for offset in range(clock.days)
    ]
    random_ = rng.random
    categories = []
    for moment in times:
        weights = cumulative[month_of_day[(moment - start) // DAY]]
        categories.append(bisect.bisect_right(weights, random_() * weights[-1]))
    return times, communities, categories


def _day_weights(clock, ramp: tuple[float, float]) -> list[float]:
    base, rise = ramp
    weights = []
    for offset in range(clock.days):
        day = clock.first + datetime.timedelta(days=offset)
        weight = base + rise * offset / clock.days
        weight *= 1 + 0.15 * math.cos(
            2 * math.pi * (day.timetuple().tm_yday - 196) / 365.25
        )
        if day.month == 2:
            weight *= 0.8
        if day.weekday() >= 5:
            weight *= 0.85
        weights.append(weight)
    # Today counts for the part of it that has passed.
    weights[-1] *= (clock.now - clock.midnight(clock.today)) / DAY
    return weights


def _category_weights(categories) -> list[list[float]]:
    """Cumulative weights of the categories for each month of the year."""
    cumulative = []
    for month in range(12):
        running, weights = 0.0, []
        for category in categories:
            weight, season, *_rest = CASE_PROFILE.get(category.code, DEFAULT_PROFILE)
            running += weight * (season[month] if season else 1)
            weights.append(running)
        cumulative.append(weights)
    return cumulative


# --- the life of each case ---------------------------------------------------------


class _Rules(NamedTuple):
    """A category as the case builder reads it, once."""

    pk: int
    accept_s: int
    resolve_s: int
    accept_hours: int
    resolve_hours: int
    handled_by: str
    anonymous_ok: bool
    unplaced: float
    refer_share: float
    departments: list[int]
    texts: tuple[str, ...]


class _Story(NamedTuple):
    """What happens to a case, whether or not it has happened by now."""

    events: list  # [(epoch, action)]
    department: int | None
    merged_into: tuple[int, str] | None  # (id, number)
    rating: str
    comment: str
    dispatched: bool


class _State(NamedTuple):
    """Where a case stands now, replayed from its story."""

    status: str
    accepted_at: int | None
    resolved_at: int | None
    closed_at: int | None
    reopen_count: int
    version: int
    updated: int
    has_handler: bool
    has_department: bool
    has_merge: bool
    rated: bool
    happened: int  # how many of the story's events have happened
    waited_until: int  # when it stopped waiting for acceptance (or now)
    worked_until: int | None  # when it last stopped being worked on (or now)


PETITION_FIELDS = [
    "id",
    "created_at",
    "updated_at",
    "number",
    "tracking_token",
    "category_id",
    "description",
    "answers",
    "community_id",
    "grid_id",
    "compound_id",
    "building_id",
    "place_detail",
    "reporter_name",
    "reporter_phone",
    "is_anonymous",
    "channel",
    "status",
    "handler_id",
    "escalation_level",
    "department_id",
    "merged_into_id",
    "accept_due_at",
    "resolve_due_at",
    "accepted_at",
    "resolved_at",
    "closed_at",
    "rating",
    "rating_comment",
    "reopen_count",
    "version",
]
EVENT_FIELDS = [
    "id",
    "petition_id",
    "action",
    "from_status",
    "to_status",
    "actor_id",
    "actor_label",
    "note",
    "is_public",
    "created_at",
]


def build_petitions(
    build: Build,
    n: int | None = None,
    *,
    timelines: bool = False,
    ramp: tuple[float, float] = (0.55, 0.9),
) -> int:
    """Write ``n`` cases (by default the shape's) and, with ``timelines``,
    their timeline rows; return how many cases."""
    times, community_of, category_of = case_times(
        build, build.shape.petitions if n is None else n, ramp
    )
    writer = CaseWriter(build, timelines=timelines)
    rows = writer.rows(times, community_of, category_of)
    if build.loader.is_postgresql and len(times) >= DEFER_INDEXES_FROM:
        with DeferredIndexes(Petition):
            build.loader.write(Petition, PETITION_FIELDS, rows)
    else:
        build.loader.write(Petition, PETITION_FIELDS, rows)
    if timelines:
        writer.write_timelines()
    return len(times)


class CaseWriter:
    """Turn case times into case rows: place, handler, story, state now."""

    def __init__(self, build: Build, *, timelines: bool = False):
        self.build = build
        self.rng = build.rng
        self.random = build.rng.random
        self.token_bytes = build.tag_rng.randbytes
        self.urlsafe = base64.urlsafe_b64encode
        self.company_of = build.company_of_compound
        self.now = build.clock.now
        self.timelines = timelines
        self.events: list[tuple] = []
        self.next_status = next_status_table()
        self.auto_close_s = settings.PETITION_AUTO_CLOSE_DAYS * DAY
        self.quality = {c["id"]: c["quality"] for c in build.companies}
        self.rules = [self._rules(category) for category in build.categories]
        self.day_label: dict[int, tuple[str, int]] = {}
        self.last_case: dict[int, tuple[int, str]] = {}
        self.texts = _TimelineTexts(build) if timelines else None

    def _rules(self, category: Category) -> _Rules:
        _w, _s, unplaced, refer, departments, texts = CASE_PROFILE.get(
            category.code, DEFAULT_PROFILE
        )
        return _Rules(
            category.pk,
            category.accept_hours * HOUR,
            category.resolve_hours * HOUR,
            category.accept_hours,
            category.resolve_hours,
            category.default_handler,
            category.allows_anonymous,
            unplaced,
            refer,
            [self.build.departments[d] for d in departments]
            or list(self.build.departments.values()),
            texts,
        )

    def rows(self, times, community_of, category_of):
        """Yield one row of ``PETITION_FIELDS`` per case time."""
        build = self.build
        ids = build.loader.ids(Petition, len(times))
        channels, channel_weights = zip(*CHANNELS, strict=True)
        channel_picks = self.rng.choices(channels, channel_weights, k=len(times))
        communities = build.communities
        for index, t0 in enumerate(times):
            yield self._case(
                ids[index],
                t0,
                communities[community_of[index]],
                self.rules[category_of[index]],
                channel_picks[index],
            )

    def _case(self, pk, t0, community, rules: _Rules, channel) -> tuple:
        # The hot loop of a million cases: plain tuples unpacked into locals.
        random_ = self.random
        places = community.places
        place = None
        if places and random_() >= rules.unplaced:
            place = places[int(random_() * len(places))]
        company = place and self.company_of.get(place.compound_id)
        late_share = community.late_share - (self.quality[company] if company else 0)
        handler = self._handler(community, place, company, rules)
        story = self._story(t0, rules, late_share, self.last_case.get(community.id))
        events, department, merged_into, rating, comment, _dispatched = story
        state = self._replay(events, t0)
        status, accepted_at, resolved_at, closed_at, reopened, version, updated = state[
            :7
        ]
        has_handler, has_department, has_merge, rated = state[7:11]
        level = self._level(place, state, rules, t0)
        number = self._number(pk, t0, community, status)
        anonymous = rules.anonymous_ok and random_() < 0.25
        text = rules.texts[int(random_() * len(rules.texts))].format(
            b=place.building_number if place else "小区"
        )
        if anonymous:
            name = phone = ""
        elif place is not None and random_() < 0.8:
            name, phone = place.name, place.phone
        else:
            name, phone = self.build.person_name(), self.build.mobile()
        if self.timelines:
            story, state = _Story._make(story), _State._make(state)
            self._timeline(pk, number, t0, channel, community, handler, story, state)
            self._escalations(pk, place, story.events, rules, t0, level)
        given = rating if rated else ""
        return (
            pk,
            t0,
            updated,
            number,
            self.urlsafe(self.token_bytes(18)).decode(),
            rules.pk,
            text,
            {},
            community.id,
            place and place.grid_id,
            place and place.compound_id,
            place and place.building_id,
            place.detail if place else "",
            name,
            phone,
            anonymous,
            channel,
            status,
            handler if has_handler else None,
            level,
            department if has_department else None,
            merged_into[0] if has_merge else None,
            t0 + rules.accept_s,
            t0 + rules.resolve_s,
            accepted_at,
            resolved_at,
            closed_at,
            given,
            comment if given else "",
            reopened,
            version,
        )

    def _handler(self, community, place, company, rules: _Rules) -> int | None:
        """Who would handle it: community staff for what is theirs or has no
        building, the company's steward for property matters, else the grid
        worker."""
        build = self.build
        if place is None or rules.handled_by == BY_COMMUNITY:
            return community.staff[int(self.random() * 3)]
        if rules.handled_by == BY_PROPERTY and company:
            return build.steward.get((place.grid_id, company)) or build.grid_worker.get(
                place.grid_id
            )
        return build.grid_worker.get(place.grid_id)

    def _story(self, t0: int, rules: _Rules, late_share: float, previous) -> tuple:
        """Rejected or merged at once (a few), else accepted (some late),
        mostly dispatched and started, sometimes held or referred, and in all
        but a very few cases resolved."""
        random_ = self.random
        events: list[tuple[int, str]] = []
        department = merged_into = None
        dispatched = False
        roll = random_()
        if roll < 0.025:
            events.append((t0 + 60 + int(rules.accept_s * 0.9 * random_()), "reject"))
            return (events, None, None, "", "", False)
        if roll < 0.037 and previous is not None:
            events.append((t0 + 60 + int(rules.accept_s * 0.9 * random_()), "merge"))
            return (events, None, previous, "", "", False)
        acc_s, res_s = rules.accept_s, rules.resolve_s
        if random_() < late_share * 0.6:
            t = t0 + acc_s + 60 + int(acc_s * 3 * random_() ** 2)
        else:
            t = t0 + 60 + int((acc_s - 120) * random_() ** 1.5)
        events.append((t, "accept"))
        if random_() < 0.9:
            dispatched = True
            t += 300 + int(5400 * random_())
            events.append((t, "dispatch"))
            t += 600 + int(min(res_s * 0.2, DAY) * random_())
            events.append((t, "start"))
        late = random_() < late_share
        if random_() < 0.015:
            t += HOUR + int(3 * DAY * random_())
            events.append((t, "hold"))
            t += DAY + int(10 * DAY * random_())
            events.append((t, "resume"))
        if random_() < rules.refer_share:
            department = rules.departments[int(random_() * len(rules.departments))]
            t += 1800 + int(DAY * random_())
            events.append((t, "refer"))
            late = late or random_() < 0.4
        rating = comment = ""
        # A very few stick (about 200 a year at full size): the backlog that
        # escalation is for.
        if random_() >= 0.0006:
            rating, comment = self._resolution(
                events, t, t0, rules, late, referred=department is not None
            )
        return (events, department, merged_into, rating, comment, dispatched)

    def _resolution(self, events, t, t0, rules: _Rules, late, *, referred) -> tuple:
        """Resolved (late cases late; a referred case by the department's
        answer), perhaps reopened once or twice, then confirmed with a rating
        or closed after the auto-close period; return (rating, comment)."""
        random_ = self.random
        res_s = rules.resolve_s
        resolve_due = t0 + res_s
        if late:
            target = resolve_due + 600 + int(2.5 * res_s * random_() ** 1.5)
        else:
            target = t0 + int(res_s * (0.15 + 0.8 * random_()))
        t = max(t + 600, target)
        events.append((t, "answer" if referred else "resolve"))
        was_late = t > resolve_due
        reopen = random_()
        share = 0.10 if was_late else 0.035
        rounds = 0 if reopen >= share else (2 if reopen < share * 0.1 else 1)
        for _round in range(rounds):
            t += HOUR + int(2 * DAY * random_())
            events.append((t, "reopen"))
            t += 1800 + int(res_s * 0.5 * random_())
            events.append((t, "resolve"))
        if random_() >= 0.65:
            t += self.auto_close_s + int(HOUR * random_())
            events.append((t, "auto_close"))
            return "", ""
        t += 600 + int(3 * DAY * random_() ** 2)
        events.append((t, "confirm"))
        mood = random_()
        # Satisfied / fairly below these moods, after reopening, lateness, or none.
        happy, fair = (
            (0.45, 0.75) if rounds else ((0.55, 0.80) if was_late else (0.84, 0.96))
        )
        rating = (
            "satisfied"
            if mood < happy
            else ("fairly" if mood < fair else "dissatisfied")
        )
        comment = ""
        if random_() < 0.3:
            comment = RATING_COMMENTS[
                0 if rating == "satisfied" else (2 if rating == "fairly" else 3)
            ]
        return rating, comment

    def _replay(self, events, t0: int) -> tuple:
        """Apply the story's events up to now through the lifecycle's rule;
        return the fields of a ``_State``."""
        now, table = self.now, self.next_status
        status = SUBMITTED
        accepted_at = resolved_at = closed_at = worked_until = None
        waited_until = now
        reopen_count = happened = 0
        updated = t0
        has_handler = has_department = has_merge = rated = False
        for moment, action in events:
            if moment > now:
                break
            before = status
            status = table[action, status, has_handler, accepted_at is not None]
            happened += 1
            updated = moment
            # The escalation task counts waiting and working time only.
            if before == SUBMITTED:
                waited_until = moment
            elif before in WORKING and status not in WORKING:
                worked_until = moment
            if action in ("accept", "dispatch") and accepted_at is None:
                accepted_at = moment
            if action == "dispatch":
                has_handler = True
            elif action == "refer":
                has_department = True
            elif action in ("resolve", "answer"):
                resolved_at = moment
            elif action == "reopen":
                reopen_count += 1
                resolved_at = None
            elif action == "confirm":
                rated = True
            elif action == "merge":
                has_merge = True
            if status in FINAL:
                closed_at = moment
        if status in WORKING:
            worked_until = now
        return (
            status,
            accepted_at,
            resolved_at,
            closed_at,
            reopen_count,
            1 + happened,
            updated,
            has_handler,
            has_department,
            has_merge,
            rated,
            happened,
            waited_until,
            worked_until,
        )

    def _level(self, place, state: tuple, rules: _Rules, t0: int) -> int:
        """The level the escalation task would have raised the case to: one
        up per window missed while waiting for acceptance or being worked on
        (not on hold, referred or awaiting the resident); ``overdue_level``
        grows with time, so the last moment of each counts. A case without a
        building starts at the community."""
        level = GRID if place is not None else COMMUNITY
        waited_until, worked_until = state[12:14]
        accept_due = t0 + rules.accept_s
        if waited_until > accept_due:
            level = max(level, _overdue(waited_until, accept_due, rules.accept_hours))
        resolve_due = t0 + rules.resolve_s
        if worked_until is not None and worked_until > resolve_due:
            level = max(level, _overdue(worked_until, resolve_due, rules.resolve_hours))
        return level

    def _number(self, pk: int, t0: int, community, status: str) -> str:
        """The case number (day of filing and id), as the service gives it;
        remember the case for merges and for meetings to discuss."""
        day = (t0 + OFFSET) // DAY
        known = self.day_label.get(day)
        if known is None:
            local = self.build.clock.date(t0)
            known = self.day_label[day] = (local.strftime("%y%m%d"), month_key(local))
        label, month = known
        number = f"{label}-{pk}"
        if status != MERGED:
            self.last_case[community.id] = (pk, number)
        samples = self.build.case_samples.setdefault((community.id, month), [])
        if len(samples) < 4:
            samples.append(pk)
        return number

    # --- timelines --------------------------------------------------------------------

    def _timeline(self, pk, number, t0, channel, community, handler, story, state):
        """The timeline rows of what has happened, as the services write them."""
        texts, table, loader = self.texts, self.next_status, self.build.loader
        staff = texts.name(community.staff[pk % len(community.staff)], texts.staff)
        worker = texts.name(handler, staff) if story.dispatched else staff
        by = {"start": worker, "resolve": worker, "answer": worker}
        by |= dict.fromkeys(("reopen", "confirm"), texts.resident)
        by["auto_close"] = texts.system
        filed_by = texts.staff if channel in FILED_BY_STAFF else texts.resident
        self.events.append(
            (
                loader.id(PetitionEvent),
                pk,
                "submit",
                "",
                S.SUBMITTED,
                None,
                filed_by,
                texts.received % {"number": number},
                True,
                t0,
            )
        )
        status, has_handler, accepted = S.SUBMITTED, False, False
        for moment, action in story.events[: state.happened]:
            before = status
            status = table[action, status, has_handler, accepted]
            has_handler = has_handler or action == "dispatch"
            accepted = accepted or action in ("accept", "dispatch")
            self.events.append(
                (
                    loader.id(PetitionEvent),
                    pk,
                    action,
                    before,
                    status,
                    None,
                    by.get(action, staff),
                    texts.note(action, pk, story),
                    True,
                    moment,
                )
            )

    def escalations(self, events, t0: int, rules: _Rules, level: int) -> tuple:
        """Replay the escalation task over the case's life: while it waits for
        acceptance (past the accept deadline) or is worked on (past the fix
        deadline) it climbs one level per missed window, as ``overdue_level``
        says; on hold, referred or awaiting the resident it does not. Return
        the level reached and each climb as (moment, from, to, state)."""
        table, now = self.next_status, self.now
        accept_due, resolve_due = t0 + rules.accept_s, t0 + rules.resolve_s
        status, since, has_handler, accepted = SUBMITTED, t0, False, False
        climbs = []
        for moment, action in [*events, (now, None)]:
            until = min(moment, now)
            if status == SUBMITTED:
                due, window = accept_due, rules.accept_hours
            elif status in WORKING:
                due, window = resolve_due, rules.resolve_hours
            else:
                due = None
            if due is not None and until > due:
                reached = _overdue(until, due, window)
                for k in range(level + 1, reached + 1):
                    crossed = max(due + (k - 1) * window * HOUR, since)
                    climbs.append(
                        (min(crossed + ESCALATION_DELAY, until), k - 1, k, status)
                    )
                level = max(level, reached)
            if action is None or moment > now:
                break
            status = table[action, status, has_handler, accepted]
            has_handler = has_handler or action == "dispatch"
            accepted = accepted or action in ("accept", "dispatch")
            since = moment
        return level, climbs

    def _escalations(self, pk, place, events, rules: _Rules, t0, level):
        """The escalation task's rows (not shown to residents)."""
        start = GRID if place is not None else COMMUNITY
        if level <= start:
            return
        _level, climbs = self.escalations(events, t0, rules, start)
        for moment, before, after, status in climbs:
            self.events.append(
                (
                    self.build.loader.id(PetitionEvent),
                    pk,
                    "escalate",
                    status,
                    status,
                    None,
                    self.texts.system,
                    self.texts.escalated(before, after),
                    False,
                    moment,
                )
            )

    def write_timelines(self) -> int:
        return self.build.loader.write(PetitionEvent, EVENT_FIELDS, self.events)


def _overdue(at: int, due: int, window_hours: int) -> int:
    """``overdue_level`` for epoch seconds (converted only when overdue)."""
    if at <= due:
        return GRID
    utc = datetime.UTC
    return int(
        overdue_level(
            now=datetime.datetime.fromtimestamp(at, utc),
            due=datetime.datetime.fromtimestamp(due, utc),
            window_hours=window_hours,
        )
    )


class _TimelineTexts:
    """The words of the timeline, translated once: the services' own strings
    where they write one, the seeds' phrases for staff notes."""

    def __init__(self, build: Build):
        self.build = build
        self.resident = _("resident")
        self.staff = _("community staff")
        self.system = _("system")
        self.received = _("Report received: case %(number)s.")
        self.merged = _("Merged into case %(number)s, which handles the same problem.")
        self.auto_closed = _(
            "Closed: no answer from the resident within %(days)s days."
        ) % {"days": settings.PETITION_AUTO_CLOSE_DAYS}
        self.raised = _("Overdue: raised from %(from)s to %(to)s level.")
        self.levels = {level.value: str(level.label) for level in Petition.Level}
        self.departments = {pk: name for name, pk in build.departments.items()}

    def name(self, person_id, default: str) -> str:
        return self.build.names.get(person_id, default)

    def escalated(self, before: int, after: int) -> str:
        return self.raised % {"from": self.levels[before], "to": self.levels[after]}

    def note(self, action: str, pk: int, story: _Story) -> str:
        department = self.departments.get(story.department, "")
        if action == "resolve":
            return RESOLVE_NOTES[pk % len(RESOLVE_NOTES)]
        return {
            "reject": REJECT_NOTE,
            "merge": story.merged_into
            and self.merged % {"number": story.merged_into[1]},
            "hold": HOLD_NOTE,
            "refer": f"已转{department}处理。",
            "answer": f"{department}已处理并答复，问题已解决。",
            "reopen": REOPEN_NOTE,
            "confirm": story.comment,
            "auto_close": self.auto_closed,
        }.get(action) or ""
