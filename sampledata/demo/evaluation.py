"""Demo step: the district's evaluation of property companies. Two assessment
items of its own beside the platform's indicators, 民晟物业's scores on them
for the last finished quarter (with evidence), the evaluations of this
quarter and the last rebuilt, and the last quarter's 红黑榜 published."""

from decimal import Decimal

from core import calendar
from grids.models import Community
from stats.models import AssessmentItem, AssessmentScore, CompanyEvaluation, HonourList
from stats.services import (
    assessment_score_enter,
    evaluation_rebuild_recent,
    honour_list_publish,
)

#: The district's own items (seed 001 counts red-property work in the yearly
#: party-building assessment; seed 004 names fire lanes and "flying wires"),
#: with the demo company's score and evidence on each.
DEMO_ITEMS = (
    (
        "物业党支部作用发挥",
        10,
        "支部活动、党员亮身份、参加社区党委联席会议",
        "92",
        "本季度支部活动 3 次、参加联席会议 3 次，记录见社区党委台账",
    ),
    (
        "消防通道与飞线充电整治",
        5,
        "专项整治中发现问题的整改情况（seed 004）",
        "85",
        "季度检查发现飞线充电 4 处，已全部整改，照片存物业办公室",
    ),
)


def demo_seed() -> dict:
    community = (
        Community.objects.select_related("subdistrict__district")
        .filter(name="端庄社区")
        .first()
    )
    company = (
        community
        and community.compounds.exclude(property_company=None)
        .values_list("property_company", flat=True)
        .first()
    )
    if community is None or company is None:
        return {"assessment scores": 0}
    district = community.subdistrict.district
    last_quarter = calendar.quarter_start(
        calendar.add_months(calendar.quarter_start(calendar.today()), -1)
    )
    made = 0
    for position, (name, weight, how, score, evidence) in enumerate(DEMO_ITEMS):
        item, _new = AssessmentItem.objects.get_or_create(
            district=district,
            name=name,
            defaults={"weight": weight, "description": how, "position": position},
        )
        if not AssessmentScore.objects.filter(
            item=item, property_company_id=company, quarter=last_quarter
        ).exists():
            assessment_score_enter(
                item=item,
                property_company=community.compounds.filter(property_company_id=company)
                .first()
                .property_company,
                quarter=last_quarter,
                score=Decimal(score),
                evidence=evidence,
                actor=None,
            )
            made += 1
    notes = []
    if made or not CompanyEvaluation.objects.filter(quarter=last_quarter).exists():
        rows = evaluation_rebuild_recent()
        notes.append(f"Evaluations of property companies rebuilt ({rows} rows).")
    if not HonourList.objects.filter(district=district, quarter=last_quarter).exists():
        honour_list_publish(district=district, quarter=last_quarter, actor=None)
        made += 1
        notes.append(f"红黑榜 {calendar.quarter_label(last_quarter)} published.")
    return {"assessment scores and lists": made, "notes": notes}
