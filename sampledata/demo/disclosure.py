"""Demo step: the public accounts (公示) of 民生·壹号院: public income from
advertising and parking, what was spent of it, and a use of the maintenance
fund, dated in the last months."""

import datetime
from decimal import Decimal

from core import calendar
from deliberation.disclosures.services import disclosure_entry_record
from deliberation.models import DisclosureEntry
from grids.models import Compound

# kind, direction, what, yuan, days ago, note
DEMO_ENTRIES = (
    (
        "public_income",
        "in",
        "电梯轿厢广告位租金（第三季度）",
        "10800.00",
        75,
        "12 部电梯",
    ),
    ("public_income", "in", "地面临时停车费", "6420.00", 40, "按月结算"),
    ("public_income", "out", "公共区域照明灯具更换", "1860.50", 20, "经业委会同意"),
    (
        "maintenance_fund",
        "out",
        "5号楼屋面防水维修",
        "38500.00",
        30,
        "业主表决通过后使用",
    ),
)


def demo_seed() -> dict:
    compound = Compound.objects.filter(
        name="民生·壹号院", community__name="端庄社区"
    ).first()
    if compound is None or DisclosureEntry.objects.filter(compound=compound).exists():
        return {"disclosure entries": 0}
    for kind, direction, title, amount, days_ago, note in DEMO_ENTRIES:
        disclosure_entry_record(
            actor=None,
            compound=compound,
            kind=kind,
            direction=direction,
            title=title,
            amount=Decimal(amount),
            occurred_on=calendar.today() - datetime.timedelta(days=days_ago),
            note=note,
        )
    return {"disclosure entries": len(DEMO_ENTRIES)}
