"""Figures for dashboards, read from the roll-ups (and, to check them, live)."""

import datetime

from django.db.models import Count, Sum

from grids.scoping import scope_queryset
from petitions.models import Petition
from petitions.selectors import petition_overdue_q

from .models import PETITION_FIGURES, PetitionMonthly
from .services import _bounds, month_start, petition_month_rows


def _derived(totals: dict) -> dict:
    """Add the rates and means dashboards show to additive totals."""

    def ratio(part, whole):
        return round(part / whole, 4) if whole else None

    return {
        **{
            k: totals[k]
            for k in PETITION_FIGURES
            if k not in ("accept_seconds", "close_seconds")
        },
        "closure_rate": ratio(totals["closed"], totals["received"]),
        "accepted_on_time_rate": ratio(totals["accepted_on_time"], totals["received"]),
        "closed_on_time_rate": ratio(totals["closed_on_time"], totals["closed"]),
        "satisfaction_rate": ratio(
            totals["satisfied"] + totals["fairly_satisfied"], totals["rated"]
        ),
        "reopen_rate": ratio(totals["reopened"], totals["closed"]),
        "mean_hours_to_accept": round(
            totals["accept_seconds"] / totals["accepted"] / 3600, 2
        )
        if totals["accepted"]
        else None,
        "mean_hours_to_close": round(
            totals["close_seconds"] / totals["closed"] / 3600, 2
        )
        if totals["closed"]
        else None,
    }


def petition_summary(
    *,
    user,
    first: datetime.date,
    last: datetime.date,
    community_ids=None,
    company_id=None,
) -> dict:
    """Return the case figures of the months ``first``..``last`` from the
    roll-ups, for the communities the user may see (optionally narrowed)."""
    rows = scope_queryset(
        PetitionMonthly.objects.filter(
            month__gte=month_start(first), month__lte=month_start(last)
        ),
        user,
    )
    if community_ids is not None:
        rows = rows.filter(community_id__in=community_ids)
    if company_id is not None:
        rows = rows.filter(property_company_id=company_id)
    totals = rows.aggregate(**{k: Sum(k, default=0) for k in PETITION_FIGURES})
    return _derived(totals)


def petition_summary_live(
    *,
    user,
    first: datetime.date,
    last: datetime.date,
    community_ids=None,
    company_id=None,
) -> dict:
    """The same figures computed straight from the cases (slow at district
    scale): the yardstick the roll-ups are tested and benchmarked against."""
    start, end = _bounds(first, last)
    cases = scope_queryset(Petition.objects.all(), user)
    if community_ids is not None:
        cases = cases.filter(community_id__in=community_ids)
    if company_id is not None:
        cases = cases.filter(compound__property_company_id=company_id)
    rows = petition_month_rows(start=start, end=end).filter(pk__in=cases.values("pk"))
    totals = dict.fromkeys(PETITION_FIGURES, 0)
    for row in rows:
        for key in PETITION_FIGURES:
            if key == "accept_seconds":
                value = (
                    int(row["accept_time"].total_seconds()) if row["accept_time"] else 0
                )
            elif key == "close_seconds":
                value = (
                    int(row["close_time"].total_seconds()) if row["close_time"] else 0
                )
            else:
                value = row[key]
            totals[key] += value
    return _derived(totals)


def petition_open_now(*, user, community_ids=None) -> dict:
    """Open and overdue cases at this moment (a live count on indexed columns)."""
    cases = scope_queryset(
        Petition.objects.filter(status__in=Petition.OPEN_STATUSES), user
    )
    if community_ids is not None:
        cases = cases.filter(community_id__in=community_ids)
    return cases.aggregate(
        open=Count("id"), overdue=Count("id", filter=petition_overdue_q())
    )


#: A unit needs at least this many cases in the period to be ranked.
MIN_CASES_TO_RANK = 10


def petition_ranking(
    *,
    user,
    first: datetime.date,
    last: datetime.date,
    by: str,
    min_cases: int = MIN_CASES_TO_RANK,
) -> list[dict]:
    """Rank communities (``by="community"``) or property companies
    (``by="property_company"``) the user may see by closure rate, then on-time
    rate, then satisfaction; units with fewer than ``min_cases`` are left out."""
    field = {"community": "community", "property_company": "property_company"}[by]
    rows = (
        scope_queryset(
            PetitionMonthly.objects.filter(
                month__gte=month_start(first),
                month__lte=month_start(last),
                **({} if by == "community" else {"property_company__isnull": False}),
            ),
            user,
        )
        .values(f"{field}_id", f"{field}__name")
        .annotate(**{k: Sum(k, default=0) for k in PETITION_FIGURES})
        .order_by()
    )
    ranked = []
    for row in rows:
        if row["received"] < min_cases:
            continue
        figures = _derived(row)
        ranked.append(
            {"id": row[f"{field}_id"], "name": row[f"{field}__name"], **figures}
        )
    ranked.sort(
        key=lambda r: (
            -(r["closure_rate"] or 0),
            -(r["closed_on_time_rate"] or 0),
            -(r["satisfaction_rate"] or 0),
            r["name"],
        )
    )
    return [{"rank": n, **r} for n, r in enumerate(ranked, 1)]
