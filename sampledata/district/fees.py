"""Fee collection of a generated district (or of the demo community)."""

import datetime

from stats.models import FeeCollection

from .clock import months
from .plan import Build, CommunityPlan

FEE_FIELDS = [
    "compound",
    "month",
    "households_billed",
    "households_paid",
    "amount_due",
    "amount_collected",
    "note",
    "updated_at",
]


def build_fees(build: Build) -> None:
    """Fee collection entered each month for every compound with a property
    company: most collect 85–97% of households, creeping up."""
    rows = []
    for community in build.communities:
        rows += fee_rows(build, community)
    build.loader.write(FeeCollection, FEE_FIELDS, rows)


def fee_rows(build: Build, community: CommunityPlan, note: str = "") -> list[tuple]:
    """The community's fee entries for each finished month of the history
    (the month in progress has none yet), stamped on the month's 28th."""
    rng, clock = build.rng, build.clock
    finished = months(clock.first, clock.today)[:-1]
    rows = []
    for compound in community.compounds:
        if not compound["company"]:
            continue
        billed = compound["households"]
        fee = rng.choice([80, 100, 120, 150, 200])
        base = rng.uniform(0.82, 0.95)
        for index, month in enumerate(finished):
            rate = min(0.995, base + 0.001 * index + rng.uniform(-0.03, 0.03))
            paid = min(billed, round(billed * rate))
            rows.append(
                (
                    compound["id"],
                    month,
                    billed,
                    paid,
                    billed * fee,
                    paid * fee,
                    note,
                    clock.at(month + datetime.timedelta(days=27), 17),
                )
            )
    return rows
