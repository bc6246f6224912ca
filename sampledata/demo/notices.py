"""Demo step: the community's notices (通知公告): a pinned notice of the
water tanks' cleaning for the whole community, and one for a compound's
elevator inspection, both published now."""

import datetime

from django.utils import timezone

from grids.models import Community, Notice
from grids.notices.services import notice_create, notice_publish

DEMO_NOTICES = (
    (
        "关于二次供水水箱清洗的停水通知",
        "为保障饮水安全，本周六 8:00–14:00 对社区二次供水水箱进行清洗消毒，"
        "届时暂停供水，请提前储水。如有疑问请联系物业服务中心。",
        True,
        None,
    ),
    (
        "电梯年度检验通知",
        "本小区电梯将于下周二进行年度检验，检验期间电梯暂停运行，"
        "请居民合理安排出行，行动不便的老人可提前联系网格员帮忙。",
        False,
        "民生·壹号院",
    ),
)


def demo_seed() -> dict:
    community = Community.objects.filter(name="端庄社区").first()
    if community is None:
        return {"notices": 0}
    made = 0
    for title, body, pinned, compound_name in DEMO_NOTICES:
        if Notice.objects.filter(community=community, title=title).exists():
            continue
        compound = (
            community.compounds.filter(name=compound_name).first()
            if compound_name
            else None
        )
        notice = notice_create(
            actor=None,
            community=community,
            compound=compound,
            title=title,
            body=body,
            is_pinned=pinned,
            publish_from=timezone.now() - datetime.timedelta(days=1),
            publish_until=timezone.now() + datetime.timedelta(days=14),
        )
        notice_publish(actor=None, notice=notice)
        made += 1
    return {"notices": made}
