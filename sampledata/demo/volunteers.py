"""Demo data of volunteer service for 端庄社区: the 红领管家 team and its four
sub-teams (seed 002); thirteen months of activities (爱心义剪 and 健康讲座 every
month, 重阳敬老 in October: seed 000) with hours verified, so this month's and
last month's 红榜 have names; micro-wishes; the 双报到 registrations of the
in-service party members, a few waiting for confirmation; a two-way list; and
an emergency station stocked like seed 003's (8 kinds of equipment in 4
classes, 34 kinds of supplies in 9 classes, a 12-person rescue team trained
twice). Idempotent.

The history is written by the district generator's volunteer builder; what
happens now (wishes in each state, registrations waiting, the station) goes
through the services or is reference data.
"""

import datetime

from django.db import transaction

from core import calendar
from grids.models import Community, PartyMember, Person
from volunteers import services
from volunteers.models import (
    RescueTeamMember,
    ServiceItem,
    Station,
    StockItem,
    Team,
    Training,
)

from ..district.clock import DAY, count, months
from ..district.volunteers import (
    WISHES_PER_MONTH,
    VolunteerRows,
    activity_write,
    registration_write,
    teams_write,
    wish_write,
)
from .plan import demo_build

#: (day of the month, hour, kind or None for one of the season): five a month.
SCHEDULE = [(2, 9, "haircut"), (6, 14, None), (12, 9, "health"), (18, 14, None),
            (24, 9, None)]  # fmt: skip
#: 重阳敬老 (the Double Ninth) falls in October.
OCTOBER = {18: "elderly"}
#: Activities are announced this far ahead.
AHEAD = 14 * DAY
#: The 红领管家 regulars: party members who turn out month after month.
REGULARS = 40
PENDING = [
    ("聊城市人民医院", "聊城市人民医院党委"),
    ("东昌府区教育和体育局", "东昌府区教育和体育局机关党委"),
    ("聊城供电公司", "国网聊城供电公司党委"),
]
EQUIPMENT = {
    "破拆救援": ["液压破拆工具组", "救援绳索"],
    "消防灭火": ["手抬机动泵", "消防水带"],
    "医疗急救": ["自动体外除颤器", "担架"],
    "照明通讯": ["移动照明灯塔", "对讲机"],
}
SUPPLIES = {
    "饮用水": ["桶装水", "瓶装矿泉水", "净水片", "折叠水桶"],
    "食品": ["方便面", "压缩饼干", "罐头", "自热米饭"],
    "药品": ["创可贴", "碘伏", "纱布绷带", "退烧药"],
    "防护用品": ["医用口罩", "防护服", "橡胶手套", "护目镜"],
    "照明用品": ["手电筒", "应急蜡烛", "电池"],
    "防汛物资": ["沙袋", "雨衣", "雨靴", "排水泵"],
    "保暖用品": ["棉被", "军大衣", "暖宝宝", "帐篷"],
    "消毒用品": ["84消毒液", "酒精", "喷壶"],
    "工具": ["铁锹", "撬棍", "安全绳", "警戒带"],
}


@transaction.atomic
def demo_seed() -> dict:
    community = Community.objects.filter(name="端庄社区").first()
    if community is None or Team.objects.filter(community=community).exists():
        return {"teams": 0}
    staff = Person.objects.get(user__username="dz_community").user
    made = _history(community)
    made["registrations"] += _pending_registrations(community)
    _wishes_now(community, staff)
    _service_list(community)
    _station(community)
    return {**made, "stations": 1}


def _history(community) -> dict:
    """Teams, a year of activities and wishes, and confirmed 双报到."""
    build = demo_build(community, seed="demo:volunteers")
    plan, clock = build.communities[0], build.clock
    rows = VolunteerRows()
    leader = Person.objects.get(user__username="dz_grid1").pk
    teams = teams_write(build, plan, leader, rows)
    regulars = plan.members[:REGULARS]
    for month in months(clock.first, calendar.add_months(clock.today, 1)):
        for day, hour, kind in _schedule(month):
            if clock.at(day, hour) <= clock.now + AHEAD:
                activity_write(
                    build, plan, month, teams, regulars, rows, day=day, hour=hour,
                    kind=kind,
                )  # fmt: skip
        if month <= clock.today:
            for _n in range(count(build.rng, WISHES_PER_MONTH)):
                wish_write(build, plan, month, regulars, rows)
    places = {p.person_id: p for p in plan.places}
    for person_id, unit, org in PartyMember.objects.filter(
        community=community, kind=PartyMember.Kind.IN_SERVICE
    ).values_list("person_id", "work_unit", "work_unit_party_org"):
        if person_id in places:
            registration_write(build, plan, places[person_id], unit, org, rows)
    rows.write(build.loader)
    build.loader.reset_sequences()
    return {
        "teams": len(rows.teams),
        "activities": len(rows.activities),
        "registrations": len(rows.registrations),
        "wishes": len(rows.wishes),
    }


def _schedule(month: datetime.date):
    for day, hour, kind in SCHEDULE:
        if month.month == 10:
            kind = OCTOBER.get(day, kind)
        yield month.replace(day=day), hour, kind


def _pending_registrations(community) -> int:
    """In-service members who registered at home and wait for the community
    staff to confirm them (admin → 双报到登记)."""
    residents = (
        Person.objects.filter(
            community=community, household__isnull=False, party_member__isnull=True
        )
        .exclude(mobile="")
        .select_related("household__unit__building__compound")
        .order_by("-pk")[: len(PENDING)]
    )
    for person, (unit, org) in zip(residents, PENDING, strict=True):
        services.registration_submit(
            community=community,
            household=person.household,
            name=person.name,
            phone=person.mobile,
            work_unit=unit,
            work_unit_party_org=org,
        )
    return len(PENDING)


def _wishes_now(community, staff) -> None:
    """Wishes of this week through the services: one fulfilled and confirmed,
    one published and waiting for a volunteer, one waiting for review."""
    volunteer = ("志愿者1", "13706350001")
    done = services.wish_post(
        community=community,
        title="想要一个助行器",
        text="腿脚不便，想出门晒太阳",
        wisher_name="陈奶奶",
        beneficiary_kind="elderly",
    )
    done = services.wish_review(wish=done, actor=staff, publish=True)
    done = services.wish_claim(wish=done, name=volunteer[0], phone=volunteer[1])
    done = services.wish_fulfil(wish=done, phone=volunteer[1])
    services.wish_confirm(wish=done, rating="satisfied", actor=staff)
    open_wish = services.wish_post(
        community=community,
        title="希望有人辅导数学作业",
        text="四年级",
        wisher_name="小明",
        beneficiary_kind="child",
    )
    services.wish_review(wish=open_wish, actor=staff, publish=True)
    services.wish_post(
        community=community,
        title="想学用智能手机挂号",
        text="",
        wisher_name="王爷爷",
        beneficiary_kind="elderly",
    )


def _service_list(community) -> None:
    ServiceItem.objects.create(
        community=community,
        side="resource",
        title="每周二免费血压测量",
        listed_by="湖西社区卫生服务站",
    )
    ServiceItem.objects.create(
        community=community,
        side="need",
        title="老旧小区楼道照明维修",
        listed_by="第一网格",
    )


def _station(community) -> None:
    station = Station.objects.create(
        community=community,
        name="端庄社区应急服务站",
        also_covers="3个自建房片区、47家商铺",
        key_holders="民晟物业值班室、社区值班室",
        is_open_24h=True,
    )
    station.compounds.set(community.compounds.all())
    today = calendar.today()
    for kind, table in (("equipment", EQUIPMENT), ("supply", SUPPLIES)):
        for item_class, names in table.items():
            for index, name in enumerate(names):
                StockItem.objects.create(
                    station=station,
                    kind=kind,
                    item_class=item_class,
                    name=name,
                    quantity=2 if kind == "equipment" else 20 + index,
                    min_quantity=1 if kind == "equipment" else 5,
                    place="应急服务站仓库",
                    expiry_date=calendar.add_years(today, 1)
                    if item_class in ("食品", "药品", "饮用水")
                    else None,
                    next_inspection_date=calendar.add_months(today, 3)
                    if kind == "equipment"
                    else None,
                )
    for n in range(1, 13):
        RescueTeamMember.objects.create(
            station=station, name=f"救援队员{n}", role="队长" if n == 1 else ""
        )
    for months_ago, topic in ((4, "消防器材使用培训"), (1, "防汛应急演练")):
        Training.objects.create(
            station=station,
            date=calendar.add_months(today, -months_ago),
            topic=topic,
            attendees=12,
        )
