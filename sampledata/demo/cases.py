"""Demo data of resident reports: the seeds' categories, departments, reply
templates, one Open311 client, thirteen months of 端庄社区's cases and a few
cases filed just now. Idempotent.

The history is written by the district generator's case builder over the
demo's own households and staff (``sampledata.district.cases``): the seeds'
mix of categories (seed 004's kinds), times, ratings, reopenings, referrals
and escalation levels, each case with its timeline. It is data, not service
calls, so no notification goes out for a case closed months ago. The recent
cases go through the real services, so the states a user acts on exist.
"""

from django.db import transaction

from grids.models import Building, Community, Person, Role
from petitions.models import (
    Category,
    Department,
    Open311Client,
    Petition,
    ReplyTemplate,
)
from petitions.open311.services import open311_client_create
from petitions.services import petition_submit, petition_transition

from ..district.cases import build_petitions
from ..reference import categories_ensure, departments_ensure
from .plan import demo_build, history_months

#: Cases a month in 端庄社区: seed 004 counts about 800 a year in one community
#: (leaks 76, pipes 56, paid repairs 261, public repairs 412 …).
CASES_PER_MONTH = 65
#: Reporting grows a little over the year as residents take to the platform.
RAMP = (0.85, 0.3)
TEMPLATES = [
    ("已受理", "您好，您反映的问题已受理，我们会尽快安排人员处理。"),
    ("已派单", "已安排网格员和物业维修人员上门查看，请保持电话畅通。"),
    ("已办结", "问题已处理完毕，请您确认并对我们的服务进行评价，谢谢！"),
]
DEMO_CLIENT = "区级数据平台（演示）"
# Category, description, steps: cases left in every state of the lifecycle.
DONE = ["accept", "dispatch", "start", "resolve", "confirm"]
STORIES = [
    ("pipe", "3单元下水道堵塞，污水外溢", DONE),
    ("leak", "顶楼楼道漏水，墙皮脱落", ["accept", "dispatch", "resolve"]),
    ("fire-lane", "消防通道被私家车堵住", ["accept", "dispatch", "start"]),
    ("parking", "单元门口车辆乱停，老人出行不便", ["accept"]),
    ("road", "小区主干道路面破损有坑", []),
    ("aircon-drip", "楼上空调滴水到阳台", ["accept", "dispatch"]),
    ("greening", "绿化带杂草丛生", DONE),
    ("dispute", "楼上装修噪音扰民，协商未果", ["accept", "refer"]),
    ("facilities", "健身器材损坏", ["accept", "hold"]),
    ("elevator", "建议为老旧楼栋加装电梯", []),
]  # fmt: skip


@transaction.atomic
def demo_seed() -> dict:
    made = {"categories": 0, "cases": 0}
    made["categories"] += sum(created for _category, created in categories_ensure())
    departments_ensure()
    for title, text in TEMPLATES:
        ReplyTemplate.objects.get_or_create(title=title, defaults={"text": text})
    community = Community.objects.filter(name="端庄社区").first()
    note = _open311_client(community, made)
    if (
        community is not None
        and not Petition.objects.filter(community=community).exists()
    ):
        made["cases"] = _history(community) + _recent_cases(community)
    return {**made, "notes": [note]}


def _open311_client(community, made: dict) -> str:
    """The district platform's Open311 client. Only a hash of a key is stored:
    the key is printed on the run that makes the client; later runs change
    nothing and say where to get a new one."""
    client = Open311Client.objects.filter(name=DEMO_CLIENT).first()
    if client is not None:
        return (
            f"Open311 demo client “{client.name}”: its key was printed when it "
            "was made; admin → Open311 clients → “Make a new key” for another"
        )
    client, api_key = open311_client_create(
        name=DEMO_CLIENT, communities=[community] if community else []
    )
    made["open311 clients"] = 1
    return f"Open311 demo client “{client.name}” api_key: {api_key}"


def _history(community: Community) -> int:
    """Thirteen months of cases, up to a few hours ago, with their timelines."""
    build = demo_build(community, seed="demo:cases")
    count = round(CASES_PER_MONTH * history_months(build.clock))
    build.categories = [category for category, _made in categories_ensure()]
    build.departments = departments_ensure()
    made = build_petitions(build, count, timelines=True, ramp=RAMP)
    build.loader.reset_sequences()
    return made


def _recent_cases(community: Community) -> int:
    """A dozen cases from the seeds filed now and taken through the services."""
    staff_user = Person.objects.get(user__username="dz_community").user
    worker = Person.objects.get(user__username="dz_grid1")
    steward = Person.objects.get(user__username="ms_steward1")
    grid = Role.objects.get(person=worker, kind=Role.Kind.GRID_WORKER).grid
    buildings = list(Building.objects.filter(grid=grid).order_by("pk")[:4])
    department = Department.objects.get(name="司法调解")
    for index, (code, text, steps) in enumerate(STORIES):
        petition, _ = petition_submit(
            category=Category.objects.get(code=code),
            description=text,
            building=buildings[index % len(buildings)],
            place_detail=f"{1 + index % 3}单元",
            reporter_name="王阿姨" if index % 2 else "李师傅",
            reporter_phone=f"1390635{index:04d}",
        )
        for action in steps:
            extra = {
                "dispatch": {
                    "handler": steward if code in ("leak", "pipe") else worker
                },
                "resolve": {"note": "已处理完毕，请您确认。"},
                "confirm": {"rating": "satisfied", "note": "处理及时，谢谢！"},
                "refer": {"department": department},
                "hold": {"note": "等待采购配件"},
            }.get(action, {})
            petition = petition_transition(
                petition=petition,
                action=action,
                actor=staff_user if action != "confirm" else None,
                **extra,
            )
    return len(STORIES)
