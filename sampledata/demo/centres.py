"""Demo step: 端庄社区's 党群服务中心 and the 红旗驿站 at 民晟物业's office
(seed 004's 轮值坐班 with six kinds of service), with this week's rota of the
community staff."""

import datetime

from core import calendar
from grids.models import Community, DutyShift, Person, Role, ServiceCentre
from grids.services import org_object_save

CENTRES = (
    (
        "centre",
        "端庄社区党群服务中心",
        "端庄社区居委会一楼",
        "周一至周五 8:30–12:00、14:00–17:30",
    ),
    ("station", "民生·壹号院红旗驿站", "民生·壹号院物业服务中心", "每天 8:00–20:00"),
)
#: The station's turns: one of the six services each weekday (seed 004).
SERVICES = ("解民需", "帮民困", "慰民心", "疗民疾", "暖民情", "便民急", "解民需")


def demo_seed() -> dict:
    community = Community.objects.filter(name="端庄社区").first()
    if community is None or community.service_centres.exists():
        return {"service centres": 0}
    staff = list(
        Person.objects.filter(
            roles__kind=Role.Kind.COMMUNITY_STAFF, roles__community=community
        ).distinct()
    )
    compound = community.compounds.filter(name="民生·壹号院").first()
    made = 0
    for kind, name, address, hours in CENTRES:
        centre = org_object_save(
            actor=None,
            instance=ServiceCentre(
                community=community,
                compound=compound if kind == "station" else None,
                kind=kind,
                name=name,
                address=address,
                opening_hours=hours,
            ),
        )
        made += 1
        if kind == "station" and staff:
            made += _rota(centre, staff)
    return {"service centres": made}


def _rota(centre, staff) -> int:
    """A turn every day of this week, 9:00–11:30, the staff in turn."""
    today = calendar.today()
    for day, service in enumerate(SERVICES):
        org_object_save(
            actor=None,
            instance=DutyShift(
                centre=centre,
                person=staff[day % len(staff)],
                duty_date=today + datetime.timedelta(days=day),
                starts_at=datetime.time(9),
                ends_at=datetime.time(11, 30),
                service=service,
            ),
        )
    return len(SERVICES)
