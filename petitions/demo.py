"""Demo data of resident reports: the seeds' categories, departments, reply
templates, one Open311 client and a few cases in every state. Idempotent."""

from django.db import transaction

from grids.models import Building, Community, Person, Role

from .models import Category, Department, Open311Client, Petition, ReplyTemplate
from .open311.services import open311_client_create
from .services import petition_submit, petition_transition

G, P, C = Category.Handler.GRID, Category.Handler.PROPERTY, Category.Handler.COMMUNITY
# code, name, group, handler, hours to accept, hours to resolve, repair kind, anonymous
CATEGORIES = [
    ("leak", "漏水", "repair", P, 2, 48, "public", False),
    ("pipe", "管道疏通（下水道堵塞）", "repair", P, 2, 24, "public", False),
    ("aircon-drip", "空调滴水", "repair", P, 4, 72, "", False),
    ("paid-repair", "有偿维修（入户）", "repair", P, 4, 72, "paid", False),
    ("road", "道路破损", "facilities", G, 4, 168, "public", False),
    ("facilities", "配套设施损坏", "facilities", P, 4, 120, "public", False),
    ("parking", "车辆乱停乱放", "parking", G, 2, 24, "", True),
    ("fire-lane", "消防通道堵塞、飞线充电", "safety", G, 1, 12, "", True),
    ("greening", "绿化与环境卫生", "environment", P, 4, 72, "", True),
    ("dispute", "邻里纠纷", "dispute", C, 4, 168, "", False),
    ("elevator", "加装电梯等意见建议", "suggestion", C, 24, 720, "", False),
    ("property-complaint", "物业服务投诉", "complaint", C, 4, 120, "", False),
]
DEPARTMENTS = ["派出所", "城市管理", "民政", "司法调解", "市场监管"]
TEMPLATES = [
    ("已受理", "您好，您反映的问题已受理，我们会尽快安排人员处理。"),
    ("已派单", "已安排网格员和物业维修人员上门查看，请保持电话畅通。"),
    ("已办结", "问题已处理完毕，请您确认并对我们的服务进行评价，谢谢！"),
]
DEMO_CLIENT = "区级数据平台（演示）"


def categories_ensure() -> list[tuple[Category, bool]]:
    """The seeds' categories, made where missing: (category, whether made)."""
    made = []
    for position, row in enumerate(CATEGORIES):
        code, name, group, handler, accept, resolve, repair, anonymous = row
        made.append(
            Category.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "group": group,
                    "default_handler": handler,
                    "accept_hours": accept,
                    "resolve_hours": resolve,
                    "repair_kind": repair,
                    "allows_anonymous": anonymous,
                    "position": position,
                },
            )
        )
    return made


@transaction.atomic
def demo_seed() -> dict:
    made = {"categories": 0, "cases": 0}
    made["categories"] += sum(created for _category, created in categories_ensure())
    for name in DEPARTMENTS:
        Department.objects.get_or_create(name=name)
    for title, text in TEMPLATES:
        ReplyTemplate.objects.get_or_create(title=title, defaults={"text": text})
    community = Community.objects.filter(name="端庄社区").first()
    # Only a hash of a key is stored: the key is printed on the run that makes
    # the client; later runs change nothing and say where to get a new one.
    client = Open311Client.objects.filter(name=DEMO_CLIENT).first()
    if client is None:
        client, api_key = open311_client_create(
            name=DEMO_CLIENT, communities=[community] if community else []
        )
        made["open311 clients"] = 1
        note = f"Open311 demo client “{client.name}” api_key: {api_key}"
    else:
        note = (
            f"Open311 demo client “{client.name}”: its key was printed when it "
            "was made; admin → Open311 clients → “Make a new key” for another"
        )
    if (
        community is not None
        and not Petition.objects.filter(community=community).exists()
    ):
        made["cases"] = _demo_cases(community)
    return {
        **made,
        "notes": [note],
    }


def _demo_cases(community) -> int:
    """A dozen cases from the seeds, left in every state of the lifecycle."""
    staff_user = Person.objects.get(user__username="dz_community").user
    worker = Person.objects.get(user__username="dz_grid1")
    steward = Person.objects.get(user__username="ms_steward1")
    grid_worker_grid = Role.objects.get(person=worker, kind=Role.Kind.GRID_WORKER).grid
    buildings = list(Building.objects.filter(grid=grid_worker_grid).order_by("pk")[:4])
    stories = [
        (
            "pipe",
            "3单元下水道堵塞，污水外溢",
            ["accept", "dispatch", "start", "resolve", "confirm"],
        ),
        ("leak", "顶楼楼道漏水，墙皮脱落", ["accept", "dispatch", "resolve"]),
        ("fire-lane", "消防通道被私家车堵住", ["accept", "dispatch", "start"]),
        ("parking", "单元门口车辆乱停，老人出行不便", ["accept"]),
        ("road", "小区主干道路面破损有坑", []),
        ("aircon-drip", "楼上空调滴水到阳台", ["accept", "dispatch"]),
        (
            "greening",
            "绿化带杂草丛生",
            ["accept", "dispatch", "start", "resolve", "confirm"],
        ),
        ("dispute", "楼上装修噪音扰民，协商未果", ["accept", "refer"]),
        ("facilities", "健身器材损坏", ["accept", "hold"]),
        ("elevator", "建议为老旧楼栋加装电梯", []),
    ]
    department = Department.objects.get(name="司法调解")
    for index, (code, text, steps) in enumerate(stories):
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
            by_staff = action != "confirm"
            petition = petition_transition(
                petition=petition,
                action=action,
                actor=staff_user if by_staff else None,
                **extra,
            )
    return len(stories)
