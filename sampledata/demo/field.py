"""Demo data of the grids' field work in 端庄社区 (issue 16): the household
tags (一户一档) and the community's care plans, a year of patrols twice a week
in every grid with what they found (some of the year's cases were raised by
a patrol), three months of home visits at each household's rhythm, so that
some are overdue, some due today and some coming up. Written by the
generator's field builder over the demo's households and staff.

Then, through the services, what a grid worker of 第一网格 did this morning:
a patrol whose finding became a case, a visit whose need became a case and
one whose need became a micro-wish. Idempotent."""

from django.db import transaction

from grids import selectors, services
from grids.models import Community, Household, Patrol, Person, Role
from petitions.models import Category

from ..district.fieldwork import build_field
from .plan import demo_build

#: Patrols a week in each grid of the demo (a generated district has one).
PATROLS_PER_WEEK = 2.0


@transaction.atomic
def demo_seed() -> dict:
    community = Community.objects.filter(name="端庄社区").first()
    if community is None or Patrol.objects.filter(grid__community=community).exists():
        return {"patrols": 0}
    build = demo_build(community, seed="demo:field")
    build_field(build, patrols_per_week=PATROLS_PER_WEEK)
    build.loader.reset_sequences()
    made = {
        label.split(".")[-1].lower(): number
        for label, number in build.loader.counts.items()
    }
    made["this morning"] = _this_morning()
    return made


def _this_morning() -> int:
    """第一网格's grid worker patrols and visits through the services."""
    worker = Person.objects.select_related("user").get(user__username="dz_grid1")
    user = worker.user
    grid = Role.objects.get(person=worker, kind=Role.Kind.GRID_WORKER).grid
    buildings = list(selectors.grid_buildings(grid=grid)[:2])
    patrol = services.patrol_start(actor=user, grid=grid)
    blocked = services.finding_log(
        actor=user,
        patrol=patrol,
        building=buildings[0],
        kind="fire_lane",
        description="2单元楼道堆放纸箱，堵塞消防通道",
    )
    services.finding_log(
        actor=user,
        patrol=patrol,
        building=buildings[-1],
        kind="environment",
        description="垃圾桶满溢，已联系保洁清运",
        is_handled=True,
    )
    services.finding_follow_up(
        actor=user,
        finding=blocked,
        kind="case",
        category=Category.objects.get(code="fire-lane"),
    )
    services.patrol_end(actor=user, patrol=patrol, note="巡查一圈，发现两处问题")
    due = selectors.care_households(
        [
            row
            for row in selectors.care_schedule(
                Household.objects.filter(unit__building__grid=grid)
            )
            if row.is_overdue
        ][:2]
    )
    for row, (need, follow_up, data) in zip(
        due,
        [
            ("卫生间水管漏水", "case", {"category": Category.objects.get(code="leak")}),
            ("想学用智能手机和子女视频", "wish", {"beneficiary_kind": "elderly"}),
        ],
        strict=False,
    ):
        services.visit_record(
            actor=user,
            household=row.household,
            met="老人本人",
            findings="老人身体尚好，聊了家常",
            need=need,
            follow_up=follow_up,
            follow_up_data=data,
        )
    return 1 + min(len(due), 2)
