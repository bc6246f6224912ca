"""Demo step: the district's targets (seed 001's "363" system and seed 003's
95% fee collection), a year of fee collection for the compounds that have a
property company, and the roll-ups of everything the other demo steps made,
so the dashboard has figures at once."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from grids.models import Compound, District, Household

from .models import FeeCollection, Target
from .services import month_start, stats_rebuild

#: Seed 001's targets (re-dated to the end of this year) and seed 003's fees.
DEMO_TARGETS = (
    (Target.Metric.COMPOUND_COVERAGE, "1.0000", "363: A/B 类小区红色物业全覆盖"),
    (Target.Metric.COMPANY_PARTY_ORGS, "1.0000", "363: 物业企业党组织全覆盖"),
    (Target.Metric.COMPLAINTS_CHANGE, "-0.3000", "363: 物业服务投诉下降 30%"),
    (Target.Metric.MEDIATION_CHANGE, "0.3000", "363: 矛盾纠纷调处上升 30%"),
    (Target.Metric.FEE_COLLECTION, "0.9500", "物业费收缴率 95%"),
    (Target.Metric.SATISFACTION, "0.9000", "群众满意率 90%"),
)


def demo_seed() -> dict:
    today = timezone.localdate()
    created = 0
    due = datetime.date(today.year, 12, 31)
    for district in District.objects.all():
        for metric, value, note in DEMO_TARGETS:
            _target, made = Target.objects.get_or_create(
                district=district,
                metric=metric,
                due_on=due,
                defaults={"value": Decimal(value), "note": note},
            )
            created += made
    rng = random.Random(3)  # noqa: S311 - demo figures, not secrets
    month = month_start(today)
    for compound in Compound.objects.filter(property_company__isnull=False):
        households = Household.objects.filter(unit__building__compound=compound).count()
        billed = max(households, 40)
        for back in range(12):
            day = month
            for _step in range(back):
                day = month_start(day - datetime.timedelta(days=1))
            paid = min(billed, round(billed * rng.uniform(0.88, 0.98)))
            _fee, made = FeeCollection.objects.get_or_create(
                compound=compound,
                month=day,
                defaults={
                    "households_billed": billed,
                    "households_paid": paid,
                    "amount_due": Decimal(billed * 150),
                    "amount_collected": Decimal(paid * 150),
                    "note": "演示数据",
                },
            )
            created += made
    rows = stats_rebuild(first=today - datetime.timedelta(days=365), last=today)
    return {
        "targets and fee entries": created,
        "notes": [f"Statistics roll-ups rebuilt for the last 12 months ({rows} rows)."],
    }
