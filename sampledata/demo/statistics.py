"""Demo step: the district's targets (seed 001's "363" system and seed 003's
95% fee collection), fee collection for every finished month of the history
in the compounds that have a property company, and the roll-ups of everything
the other demo steps made, so the dashboard has figures at once."""

from decimal import Decimal

from django.db.models import Max, Min

from core import calendar
from grids.models import Community
from petitions.models import Petition
from stats.models import FeeCollection, PetitionMonthly, Target
from stats.services import stats_rebuild

from ..district.fees import FEE_FIELDS, fee_rows
from .plan import demo_build

#: Seed 001's targets (due at the end of this year) and seed 003's fees.
DEMO_TARGETS = (
    (Target.Metric.COMPOUND_COVERAGE, "1.0000", "363: A/B 类小区红色物业全覆盖"),
    (Target.Metric.COMPANY_PARTY_ORGS, "1.0000", "363: 物业企业党组织全覆盖"),
    (Target.Metric.COMPLAINTS_CHANGE, "-0.3000", "363: 物业服务投诉下降 30%"),
    (Target.Metric.MEDIATION_CHANGE, "0.3000", "363: 矛盾纠纷调处上升 30%"),
    (Target.Metric.FEE_COLLECTION, "0.9500", "物业费收缴率 95%"),
    (Target.Metric.SATISFACTION, "0.9000", "群众满意率 90%"),
)


def demo_seed() -> dict:
    community = Community.objects.select_related("subdistrict").filter(name="端庄社区")
    community = community.first()
    if community is None:
        return {"targets and fee entries": 0}
    created = _targets(community.subdistrict.district_id) + _fees(community)
    notes = []
    if created or _rollups_stale(community):
        build_first = calendar.add_months(calendar.month_start(calendar.today()), -12)
        rows = stats_rebuild(first=build_first, last=calendar.today())
        notes.append(f"Statistics roll-ups rebuilt for 13 months ({rows} rows).")
    return {"targets and fee entries": created, "notes": notes}


def _targets(district_id: int) -> int:
    due = calendar.today().replace(month=12, day=31)
    created = 0
    for metric, value, note in DEMO_TARGETS:
        _target, made = Target.objects.get_or_create(
            district_id=district_id,
            metric=metric,
            due_on=due,
            defaults={"value": Decimal(value), "note": note},
        )
        created += made
    return created


def _fees(community: Community) -> int:
    """The fee entries of finished months that are not there yet."""
    build = demo_build(community, seed="demo:fees")
    existing = set(
        FeeCollection.objects.filter(compound__community=community).values_list(
            "compound_id", "month"
        )
    )
    rows = [
        row
        for row in fee_rows(build, build.communities[0], note="演示数据")
        if (row[0], row[1]) not in existing
    ]
    return build.loader.write(FeeCollection, FEE_FIELDS, rows)


def _rollups_stale(community: Community) -> bool:
    """Whether a case changed after the community's roll-ups were refreshed."""
    refreshed = PetitionMonthly.objects.filter(community=community).aggregate(
        at=Min("refreshed_at")
    )["at"]
    changed = Petition.objects.filter(community=community).aggregate(
        at=Max("updated_at")
    )["at"]
    return changed is not None and (refreshed is None or changed > refreshed)
