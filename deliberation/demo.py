"""Demo data of deliberation: 端庄社区's monthly 红色议事会 (seed 000) with three
past meetings (sign-ins, decisions, action items, minutes), the coming ones,
and a major matter on its way through the party organisation. Idempotent."""

import datetime

from django.db import transaction
from django.utils import timezone

from core.calendar import add_months, month_start
from grids.models import Household, PartyOrganization, Person
from petitions.models import Petition

from . import services
from .models import DeliberationBody, MajorMatter, Meeting

PAST = [
    (
        3,
        "议定小区绿化补植和健身器材维修，由民晟物业负责落实。",
        [("小区绿化补植", "adopted", "春季补植绿化带，物业负责，业委会监督。", True)],
    ),
    (
        2,
        "讨论消防通道占用和飞线充电问题，决定增设充电桩。",
        [("增设电动车充电桩", "adopted", "在3号楼北侧增设充电桩12个。", False)],
    ),
    (
        1,
        "听取居民关于下水道堵塞的反映，督促物业限期疏通。",
        [("下水道疏通", "adopted", "物业三日内完成疏通并回访。", True)],
    ),
]


@transaction.atomic
def demo_seed() -> dict:
    community_staff = Person.objects.filter(user__username="dz_community").first()
    if (
        community_staff is None
        or DeliberationBody.objects.filter(name="红色议事会").exists()
    ):
        return {"meetings": 0}
    staff = community_staff.user
    community = community_staff.community
    committee = PartyOrganization.objects.get(name="端庄社区党委")
    body = DeliberationBody.objects.create(
        community=community,
        name="红色议事会",
        kind=DeliberationBody.Kind.HALL,
        host=committee,
        rule=DeliberationBody.Rule.MONTHLY_DAY,
        day_of_month=10,
        place="红色物业议事厅",
        start_time=datetime.time(15, 0),
    )
    owner = Person.objects.get(user__username="dz_grid1")
    petition = Petition.objects.filter(community=community).order_by("pk").first()
    made = 0
    for months_ago, minutes, topics in PAST:
        # The 10th of the month ``months_ago`` months before this one (thirty
        # days a month gave the same month twice when run on a 1st).
        day = add_months(month_start(timezone.localdate()), -months_ago).replace(day=10)
        starts = timezone.make_aware(datetime.datetime.combine(day, body.start_time))
        meeting = Meeting.objects.create(
            body=body,
            series_date=day,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=90),
            place=body.place,
        )
        services.agenda_carry_over(meeting=meeting)
        for carried in meeting.topics.filter(carried_item__isnull=False):
            services.topic_decide(
                topic=carried,
                decision="deferred",
                decision_text="继续推进，下次会议汇报进展。",
                actor=staff,
            )
        for index, name in enumerate(
            ["王社区", "张网格", "赵管家", "李师傅", "刘阿姨", "陈大爷"]
        ):
            services.attendance_sign_in(
                meeting=meeting,
                name=name,
                phone=f"1390635{months_ago}{index:03d}",
                now=starts + datetime.timedelta(minutes=index),
            )
        for title, decision, text, done in topics:
            topic = services.topic_add(
                meeting=meeting,
                title=title,
                actor=staff,
                petition=petition if months_ago == 1 else None,
            )
            services.topic_decide(
                topic=topic,
                decision=decision,
                decision_text=text,
                actor=staff,
                votes_for=6,
            )
            item = services.action_item_add(
                topic=topic,
                title=title,
                owner=owner,
                due_date=day + datetime.timedelta(days=20),
                actor=staff,
            )
            if done:
                services.action_item_update(
                    item=item, status="done", progress=100, note="已完成", actor=staff
                )
        services.meeting_close(
            meeting=meeting, actor=staff, minutes=minutes, publish_days=40
        )
        made += 1
    made += services.meetings_create_ahead(
        body=body, until=timezone.localdate() + datetime.timedelta(days=62)
    )
    compound = community.compounds.get(name="民生·壹号院")
    matter = MajorMatter(
        compound=compound,
        kind=MajorMatter.Kind.ELEVATOR,
        title="1号楼加装电梯",
        description="1号楼居民提出加装电梯，费用按楼层分摊。",
        party_org=PartyOrganization.objects.filter(
            kind="grid_branch", community=community
        ).first(),
    )
    services.major_matter_raise(matter=matter, actor=staff)
    services.major_matter_party_review(
        matter=matter, actor=staff, passed=True, opinion="符合规划，同意提交业主表决。"
    )
    for household in Household.objects.filter(
        unit__building__compound=compound
    ).order_by("pk")[:40]:
        services.owner_vote_record(
            matter=matter, household=household, choice="agree", actor=staff
        )
    return {"meetings": made, "major_matters": 1}
