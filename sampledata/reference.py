"""The seeds' report categories, departments and household tags, shared by the
demo and the generated districts (a deployment enters its own in the admin)."""

from petitions.models import Category, Department

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
#: Where cases beyond the estate are referred (一网通办, seed 001).
DEPARTMENTS = ["派出所", "城市管理", "民政", "司法调解", "市场监管"]


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


def departments_ensure() -> dict[str, int]:
    """The seeds' departments, made where missing: {name: id}."""
    return {
        name: Department.objects.get_or_create(name=name)[0].pk for name in DEPARTMENTS
    }


#: The household tags communities use (一户一档): name, what it means.
TAGS = [
    ("独居老人", "独自居住的老年人"),
    ("空巢", "子女不在身边的老年家庭"),
    ("残疾人", "家中有持证残疾人"),
    ("低保", "享受最低生活保障的家庭"),
    ("一老一小", "老人与儿童需要照看的家庭"),
    ("重点关注", "需要网格员重点关注的家庭"),
]
