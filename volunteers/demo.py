"""Demo data of volunteer service for 端庄社区: the 红领管家 team and its four
sub-teams (seed 002), activities of seed 000 (爱心义剪, 重阳敬老, 健康讲座) with
verified hours, micro-wishes, a two-way list, and an emergency station stocked
like seed 003's (8 kinds of equipment in 4 classes, 34 kinds of supplies in 9
classes, a 12-person rescue team trained twice). Idempotent."""

import datetime

from django.db import transaction
from django.utils import timezone

from grids.models import Community, Person

from . import services
from .models import (
    Activity,
    RescueTeamMember,
    ServiceItem,
    Station,
    StockItem,
    Team,
    Training,
)

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
    leader = Person.objects.get(user__username="dz_grid1")
    team = Team.objects.create(
        community=community, name="红领管家志愿服务队", leader=leader
    )
    for name in ["文明传递", "矛盾调处", "爱心接力", "美丽家园"]:
        Team.objects.create(community=community, name=f"{name}分队", parent=team)
    now = timezone.now()
    volunteers = [(f"志愿者{n}", f"1370635{n:04d}") for n in range(1, 9)]
    made = 0
    for days_ago, title, kind, served in [
        (20, "爱心义剪", Activity.Kind.HAIRCUT, 36),
        (12, "重阳敬老", Activity.Kind.ELDERLY, 48),
        (5, "健康讲座进社区", Activity.Kind.HEALTH, 60),
    ]:
        starts = (now - datetime.timedelta(days=days_ago)).replace(
            hour=1, minute=0, second=0, microsecond=0
        )
        activity = Activity.objects.create(
            community=community,
            title=title,
            kind=kind,
            team=team,
            place="社区党群服务中心",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=3),
            capacity=6,
            beneficiaries=served,
        )
        for name, phone in volunteers[:7]:
            signup = activity.signups.create(
                name=name,
                phone=phone,
                status="confirmed"
                if activity.signups.filter(status="confirmed").count() < 6
                else "waiting",
                created_at=starts - datetime.timedelta(days=2),
            )
            if signup.status == "confirmed":
                services.activity_check(activity=activity, phone=phone, now=starts)
                services.activity_check(
                    activity=activity, phone=phone, now=activity.ends_at
                )
                services.signup_verify(signup=signup, actor=staff)
        made += 1
    upcoming = now + datetime.timedelta(days=3)
    Activity.objects.create(
        community=community,
        title="消防安全进楼道",
        kind=Activity.Kind.FIRE,
        team=team,
        place="民生·壹号院",
        starts_at=upcoming,
        ends_at=upcoming + datetime.timedelta(hours=2),
        capacity=10,
    )
    done = services.wish_post(
        community=community,
        title="想要一个助行器",
        text="腿脚不便，想出门晒太阳",
        wisher_name="陈奶奶",
        beneficiary_kind="elderly",
    )
    done = services.wish_review(wish=done, actor=staff, publish=True)
    done = services.wish_claim(wish=done, name="志愿者1", phone=volunteers[0][1])
    done = services.wish_fulfil(wish=done, phone=volunteers[0][1])
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
    station = Station.objects.create(
        community=community,
        name="端庄社区应急服务站",
        also_covers="3个自建房片区、47家商铺",
        key_holders="民晟物业值班室、社区值班室",
        is_open_24h=True,
    )
    station.compounds.set(community.compounds.all())
    today = timezone.localdate()
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
                    expiry_date=today + datetime.timedelta(days=365)
                    if item_class in ("食品", "药品", "饮用水")
                    else None,
                    next_inspection_date=today + datetime.timedelta(days=90)
                    if kind == "equipment"
                    else None,
                )
    for n in range(1, 13):
        RescueTeamMember.objects.create(
            station=station, name=f"救援队员{n}", role="队长" if n == 1 else ""
        )
    Training.objects.create(
        station=station,
        date=today - datetime.timedelta(days=120),
        topic="消防器材使用培训",
        attendees=12,
    )
    Training.objects.create(
        station=station,
        date=today - datetime.timedelta(days=30),
        topic="防汛应急演练",
        attendees=12,
    )
    return {"teams": 5, "activities": made + 1, "stations": 1}
