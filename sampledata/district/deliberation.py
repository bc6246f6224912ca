"""Deliberation of a generated district (or of the demo community): bodies
and their meetings over the history, with sign-ins, decisions, action items
that come back onto the next agenda until done, and major matters.

Meeting days come from the platform's recurrence rule
(``deliberation.recurrence.occurrence_dates``); a meeting that is not over
yet is planned, the others closed (a few cancelled, with the reason).
"""

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext as _

from core import calendar
from deliberation.models import (
    ActionItem,
    ActionItemUpdate,
    AgendaTopic,
    Attendance,
    DeliberationBody,
    MajorMatter,
    Meeting,
)
from deliberation.recurrence import occurrence_dates

from .clock import DAY, count, month_key, months
from .plan import Build, CommunityPlan

#: Expected meetings of a community's deliberation hall a month (at scale 1).
MEETINGS_PER_MONTH = 0.95
MATTERS_PER_YEAR = 0.3
MEETING_MINUTES = 90
STAMP = ["id", "created_at", "updated_at"]

MEETING_TOPICS = [
    ("小区绿化补植", "春季补植绿化带，物业负责，业委会监督。"),
    ("增设电动车充电桩", "在楼北侧增设充电桩，消除飞线充电隐患。"),
    ("下水道疏通", "物业三日内完成疏通并回访。"),
    ("楼道杂物清理", "组织党员志愿者集中清理楼道杂物。"),
    ("停车秩序整治", "划定停车位，网格员每日巡查。"),
    ("老旧楼加装电梯意见征集", "入户征求意见，下次会议汇报。"),
    ("物业费收缴情况通报", "物业公开收支明细，接受居民监督。"),
    ("健身器材维修", "物业一周内完成维修。"),
    ("垃圾分类宣传", "组织志愿者开展入户宣传。"),
    ("路灯维修", "协调城市管理部门维修。"),
]
MATTERS = [
    ("elevator", "{c}加装电梯"),
    ("fund_use", "{c}使用专项维修资金维修屋面"),
    ("fee_change", "{c}调整物业服务收费标准"),
    ("common_parts", "{c}利用公共部位增设停车位"),
    ("company_change", "{c}选聘新物业服务企业"),
]
CANCEL_REASON = "天气原因，改期召开。"
CARRIED_DECISION = "继续推进，下次会议汇报进展。"


class BodyPlan(NamedTuple):
    """A deliberation body to generate: its rule, and how many meetings of
    each slot of the rule take place (1.0: every one)."""

    name: str
    kind: str
    compound_id: int | None
    rule: str
    day_of_month: int | None
    nth: int | None
    weekday: int | None
    hour: int
    must_meet_monthly: bool
    per_slot: float
    place: str
    cancel_share: float = 0.03


def community_bodies(build: Build, community: CommunityPlan) -> list[BodyPlan]:
    """Every community's monthly 红色议事会 (seed 000), a 逢四说事 joint meeting
    in some (seed 004), a 小板凳议事会 at each 三无 compound (seed 003)."""
    rng, B = build.rng, DeliberationBody
    day_of_month, hour = rng.randint(5, 25), rng.choice([15, 19])
    bodies = [
        BodyPlan(
            f"{community.name}红色议事会",
            B.Kind.HALL,
            None,
            B.Rule.MONTHLY_DAY,
            day_of_month,
            None,
            None,
            hour,
            True,
            MEETINGS_PER_MONTH,
            "红色物业议事厅",
        )
    ]
    if rng.random() < 0.15:
        bodies.append(
            BodyPlan(
                f"{community.name}逢四说事联席会议",
                B.Kind.JOINT,
                None,
                B.Rule.FENGSI,
                None,
                None,
                None,
                15,
                True,
                0.9,
                "红色物业议事厅",
            )
        )
    for compound in community.compounds:
        if compound["kind"] == "three_no":
            bodies.append(stool_body(compound["id"], f"{compound['name']}小板凳议事会"))
    return bodies


def stool_body(compound_id: int, name: str, per_slot: float = 0.33) -> BodyPlan:
    """A small-stool meeting in the compound's square, first Saturday morning."""
    return BodyPlan(
        name,
        DeliberationBody.Kind.STOOL,
        compound_id,
        DeliberationBody.Rule.MONTHLY_WEEKDAY,
        None,
        1,
        5,
        10,
        False,
        per_slot,
        "小区广场",
    )


@dataclass
class DeliberationRows:
    """The rows being built, written table by table at the end."""

    bodies: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    items: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    attendance: list = field(default_factory=list)
    matters: list = field(default_factory=list)

    def write(self, loader) -> None:
        for model, fields, name in TABLES:
            loader.write(model, fields, getattr(self, name))


def build_deliberation(build: Build) -> None:
    rows = DeliberationRows()
    for community in build.communities:
        for body in community_bodies(build, community):
            body_write(build, community, body, rows)
        _major_matters(build, community, rows.matters)
    rows.write(build.loader)


def body_write(
    build: Build, community: CommunityPlan, body: BodyPlan, rows: DeliberationRows
) -> int:
    """One body with its meetings from the first month of the history to the
    next meeting ahead; return the body's id."""
    clock = build.clock
    body_id = build.loader.id(DeliberationBody)
    rows.bodies.append(
        (
            body_id,
            *build.stamps(),
            community.id,
            body.compound_id,
            body.name,
            body.kind,
            community.committee_id,
            body.rule,
            body.day_of_month,
            body.nth,
            body.weekday,
            datetime.time(body.hour, 0),
            MEETING_MINUTES,
            body.place,
            body.must_meet_monthly,
        )
    )
    series = _Series(
        build,
        community,
        body,
        body_id,
        rows,
        owners=community.staff
        + [build.grid_worker[g] for g in community.grid_ids if g in build.grid_worker]
        # The property stewards carry out the meetings' decisions on their
        # estates too (the evaluation of their company counts them).
        + [
            person
            for (grid, _company), person in sorted(build.steward.items())
            if grid in community.grid_ids
        ],
    )
    for month in months(clock.first, calendar.add_months(clock.today, 1)):
        for day in occurrence_dates(
            kind=body.rule,
            start=month,
            end=calendar.month_end(month),
            day_of_month=body.day_of_month,
            nth=body.nth,
            weekday=body.weekday,
        ):
            series.meeting(day)
    return body_id


@dataclass
class _Series:
    """The meetings of one body, in order: which action items are still open,
    and whether the next meeting ahead is planned yet."""

    build: Build
    community: CommunityPlan
    body: BodyPlan
    body_id: int
    rows: DeliberationRows
    owners: list[int]
    #: [item id, title, done at, cancelled]
    open_items: list[list] = field(default_factory=list)
    next_planned: bool = True

    def meeting(self, day: datetime.date) -> None:
        build, clock, rng = self.build, self.build.clock, self.build.rng
        if day < clock.first or (day > clock.today and not self.next_planned):
            return
        if count(rng, self.body.per_slot * build.shape.scale) == 0:
            return
        starts = clock.at(day, self.body.hour)
        ends = starts + MEETING_MINUTES * 60
        meeting_id = build.loader.id(Meeting)
        publish = None
        if ends > clock.now:  # not over yet
            self.next_planned = False
            status, minutes = Meeting.Status.PLANNED, ""
        elif rng.random() < self.body.cancel_share:
            # meeting_cancel keeps the reason in the minutes.
            status, minutes = Meeting.Status.CANCELLED, CANCEL_REASON
        else:
            status, minutes = Meeting.Status.CLOSED, ""
            publish = day + datetime.timedelta(days=40)
        if status != Meeting.Status.CANCELLED:
            position = self._carried(meeting_id, starts, status)
            if status == Meeting.Status.CLOSED:
                minutes = self._held(meeting_id, day, starts, ends, position)
        self.rows.meetings.append(
            (
                meeting_id,
                *build.stamps(starts - 20 * DAY),
                self.body_id,
                day,
                starts,
                ends,
                self.body.place,
                status,
                minutes,
                build.token(16),
                publish,
            )
        )

    def _carried(self, meeting_id: int, starts: int, status: str) -> int:
        """Unfinished action items of earlier meetings come back onto the
        agenda (deferred again at a held meeting); return the last position."""
        build, position = self.build, 0
        planned = status == Meeting.Status.PLANNED
        for item_id, title, done_at, cancelled in self.open_items:
            if cancelled or (done_at is not None and done_at <= starts):
                continue
            if planned and done_at is not None and done_at <= build.clock.now:
                continue
            position += 1
            self.rows.topics.append(
                (
                    build.loader.id(AgendaTopic),
                    *build.stamps(starts - 3 * DAY),
                    meeting_id,
                    _("Unfinished: %(title)s") % {"title": title},
                    AgendaTopic.Source.CARRIED,
                    None,
                    item_id,
                    "" if planned else AgendaTopic.Decision.DEFERRED,
                    "" if planned else CARRIED_DECISION,
                    None,
                    None,
                    None,
                    position,
                )
            )
        self.open_items = [
            i for i in self.open_items if not i[3] and (i[2] is None or i[2] > starts)
        ]
        return position

    def _held(self, meeting_id, day, starts, ends, position) -> str:
        """Sign-ins, one to three decided topics (some a resident's case of the
        month) with action items for adopted ones; return the minutes."""
        build, rng = self.build, self.build.rng
        attendees = self._attendance(meeting_id, starts)
        decisions = []
        for title, decision_text in rng.sample(MEETING_TOPICS, rng.randint(1, 3)):
            position += 1
            topic_id = build.loader.id(AgendaTopic)
            samples = build.case_samples.get((self.community.id, month_key(day)), [])
            petition = rng.choice(samples) if samples and rng.random() < 0.35 else None
            decision = rng.choices(
                ["adopted", "deferred", "rejected", "referred"], [75, 10, 5, 10]
            )[0]
            against = rng.randint(0, max(0, attendees // 5))
            self.rows.topics.append(
                (
                    topic_id,
                    *build.stamps(starts - 5 * DAY),
                    meeting_id,
                    title,
                    AgendaTopic.Source.PETITION
                    if petition
                    else AgendaTopic.Source.STAFF,
                    petition,
                    None,
                    decision,
                    decision_text,
                    max(0, attendees - against - 1),
                    against,
                    min(1, attendees),
                    position,
                )
            )
            decisions.append(f"{title}：{decision_text}")
            if decision != "adopted":
                continue
            for _n in range(rng.randint(1, 2)):
                self._action_item(topic_id, title, rng.choice(self.owners), day, ends)
        return "；".join(decisions) or "听取居民意见。"

    def _attendance(self, meeting_id: int, starts: int) -> int:
        """8 to 20 residents sign in, mostly by the QR code; return how many."""
        build, rng = self.build, self.build.rng
        places = self.community.places
        people = rng.sample(places, min(len(places), rng.randint(8, 20)))
        seen = set()
        for person in people:
            if person.phone in seen:
                continue
            seen.add(person.phone)
            self.rows.attendance.append(
                (
                    build.loader.id(Attendance),
                    meeting_id,
                    person.name,
                    person.phone,
                    person.person_id,
                    "qr" if rng.random() < 0.8 else "staff",
                    starts - 600 + rng.randrange(1500),
                )
            )
        return len(seen)

    def _action_item(self, topic_id, title, owner, day, ended) -> None:
        """One action item of a decision: most done on time, some late, a few
        still open past their date or cancelled."""
        build, rng, clock = self.build, self.build.rng, self.build.clock
        item_id = build.loader.id(ActionItem)
        due = day + datetime.timedelta(days=rng.randint(7, 45))
        due_end = clock.at(due, 18)
        roll = rng.random()
        done_at = cancelled_at = None
        if roll < 0.72:
            done_at = ended + int((due_end - ended) * rng.random())
        elif roll < 0.88:
            done_at = due_end + rng.randint(1, 40) * DAY
        elif roll < 0.91:
            cancelled_at = due_end
        if done_at is not None and done_at <= clock.now:
            status, progress, done, updated = "done", 100, done_at, done_at
        elif cancelled_at is not None and cancelled_at <= clock.now:
            status, progress, done, updated = "cancelled", 0, None, cancelled_at
        else:
            started = rng.random() < 0.7
            status = "in_progress" if started else "open"
            progress = rng.randint(2, 8) * 10 if started else 0
            done, updated = None, ended
        self.rows.items.append(
            (
                item_id,
                ended,
                updated,
                topic_id,
                title,
                owner,
                due,
                status,
                progress,
                done,
            )
        )
        updates = self.rows.updates
        updates.append(
            (build.loader.id(ActionItemUpdate), item_id, "open", 0, "已分派。", ended)
        )
        if status != "open":
            note = {"done": "已完成", "cancelled": "情况变化，取消"}.get(
                status, "推进中"
            )
            updates.append(
                (
                    build.loader.id(ActionItemUpdate),
                    item_id,
                    status,
                    progress,
                    note,
                    updated,
                )
            )
        self.open_items.append([item_id, title, done_at, cancelled_at is not None])


# --- major matters ----------------------------------------------------------------


def _major_matters(build: Build, community: CommunityPlan, matter_rows) -> None:
    """A few major matters a year in managed compounds, each through the party
    organisation first (sent back or passed), then the owners' vote."""
    rng, clock = build.rng, build.clock
    expected = MATTERS_PER_YEAR * build.shape.years * build.shape.scale
    for compound in community.compounds:
        if compound["kind"] != "managed":
            continue
        for _n in range(count(rng, expected)):
            kind, title = rng.choice(MATTERS)
            raised = clock.start + rng.randrange(clock.now - clock.start)
            org = build.party_orgs["committee"].get(compound["committee"])
            if org is None and compound["buildings"]:
                org = community.grid_branch.get(compound["buildings"][0][1])
            org = org or community.committee_id
            matter_rows.append(_matter(build, compound, kind, title, raised, org))


def _matter(build: Build, compound, kind, title, raised, org) -> tuple:
    rng, now = build.rng, build.clock.now
    party_at = raised + rng.randint(3, 20) * DAY
    owners_at = party_at + rng.randint(15, 60) * DAY
    published_at = owners_at + rng.randint(3, 10) * DAY
    implemented_at = published_at + rng.randint(30, 180) * DAY
    sent_back = rng.random() < 0.1
    passed = rng.random() < 0.8
    status, party_decided, owners_decided, outcome = "raised", None, None, {}
    updated = raised
    if party_at <= now:
        party_decided, updated = party_at, party_at
        status = "sent_back" if sent_back else "party_passed"
    if not sent_back and owners_at <= now:
        owners_decided, updated = owners_at, owners_at
        status = "owners_passed" if passed else "owners_rejected"
        outcome = _vote_outcome(rng, compound, kind, passed)
    if status == "owners_passed" and published_at <= now:
        status, updated = "publicised", published_at
    if status == "publicised" and implemented_at <= now:
        status, updated = "implemented", implemented_at
    return (
        build.loader.id(MajorMatter),
        raised,
        updated,
        compound["id"],
        kind,
        title.format(c=compound["name"]),
        "经网格党支部前置研究后提交业主表决。",
        org,
        status,
        "" if party_decided is None else "同意提交业主大会表决。",
        party_decided,
        outcome,
        owners_decided,
    )


def _vote_outcome(rng, compound, kind, passed: bool) -> dict:
    """The owners' vote as ``deliberation.voting`` reports it (Article 278)."""
    owners = max(1, len(compound["buildings"]) * 30)
    voted = int(owners * rng.uniform(0.7, 0.95))
    agree = int(voted * (rng.uniform(0.6, 0.95) if passed else 0.4))
    return {
        "passed": passed,
        "failed": []
        if passed
        else [["consent_owners", "参与表决的业主同意未过半数。"]],
        "total_area": f"{owners * 95}.00",
        "total_owners": owners,
        "voted_area": f"{voted * 95}.00",
        "voted_owners": voted,
        "agree_area": f"{agree * 95}.00",
        "agree_owners": agree,
        "special": kind in MajorMatter.SPECIAL_KINDS,
    }


#: Each table the rows go to: (model, columns, attribute of DeliberationRows).
TABLES = [
    (
        DeliberationBody,
        [
            *STAMP,
            "community_id",
            "compound_id",
            "name",
            "kind",
            "host_id",
            "rule",
            "day_of_month",
            "nth",
            "weekday",
            "start_time",
            "duration_minutes",
            "place",
            "must_meet_monthly",
        ],
        "bodies",
    ),
    (
        Meeting,
        [
            *STAMP,
            "body_id",
            "series_date",
            "starts_at",
            "ends_at",
            "place",
            "status",
            "minutes",
            "sign_in_token",
            "publish_until",
        ],
        "meetings",
    ),
    (
        AgendaTopic,
        [
            *STAMP,
            "meeting_id",
            "title",
            "source",
            "petition_id",
            "carried_item_id",
            "decision",
            "decision_text",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "position",
        ],
        "topics",
    ),
    (
        ActionItem,
        [
            *STAMP,
            "topic_id",
            "title",
            "owner_id",
            "due_date",
            "status",
            "progress",
            "done_at",
        ],
        "items",
    ),
    (
        ActionItemUpdate,
        ["id", "item_id", "status", "progress", "note", "created_at"],
        "updates",
    ),
    (
        Attendance,
        ["id", "meeting_id", "name", "phone", "person_id", "method", "signed_in_at"],
        "attendance",
    ),
    (
        MajorMatter,
        [
            *STAMP,
            "compound_id",
            "kind",
            "title",
            "description",
            "party_org_id",
            "status",
            "party_opinion",
            "party_decided_at",
            "outcome",
            "owners_decided_at",
        ],
        "matters",
    ),
]
