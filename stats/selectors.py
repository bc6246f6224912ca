"""Figures for dashboards, read from the roll-ups (and, to prove them, live).

Every function takes the caller (a staff user or a dashboard token's
principal) and an ``Area``: the unit the figures are for. Rows outside the
caller's units never count; an area the caller may not see is a 404 upstream.
Each function runs a fixed number of queries, whatever the number of units.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.http import Http404

from core import calendar
from core.calendar import month_start, next_month
from core.ordering import natural_key
from grids.models import (
    Community,
    Compound,
    Grid,
    PartyOrganization,
    PropertyCompany,
    Role,
)
from grids.scoping import LEVELS, scope_q, scope_queryset, user_scope
from grids.selectors import (
    community_list,
    district_list,
    grid_list,
    property_company_list,
    subdistrict_list,
)
from petitions.models import Category, Petition
from petitions.selectors import petition_overdue_q

from .evaluation import INDICATOR_LABELS, MIN_CASES_TO_SCORE
from .models import (
    CARE_FIGURES,
    CASE_MIX_FIGURES,
    COMMUNITY_FIGURES,
    COVERAGE_FIGURES,
    DURATION_LADDERS,
    FIELD_FIGURES,
    PETITION_FIGURES,
    CaseMixMonthly,
    CommunityMonthly,
    CompanyEvaluation,
    FeeCollection,
    GridMonthly,
    HonourList,
    PetitionMonthly,
    Target,
    within_columns,
)
from .services import (
    CASE_COLUMNS,
    _as_month,
    _bounds,
    care_rows,
    case_mix_aggregates,
    case_totals_live,
    community_month_rows,
    coverage_rows,
    field_month_rows,
)

# --- the unit figures are for ----------------------------------------------------

AREA_KINDS = ("district", "subdistrict", "community", "grid", "property_company")

_AREA_LISTS = {
    "district": district_list,
    "subdistrict": subdistrict_list,
    "community": community_list,
    "grid": grid_list,
    "property_company": property_company_list,
}


@dataclass(frozen=True)
class Area:
    """The unit figures are for: ``kind`` "all" means every unit the caller
    may see."""

    kind: str = "all"
    id: int | None = None
    name: str = ""
    #: The district the unit lies in (whose targets apply), if known.
    district_id: int | None = None

    def as_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "name": self.name}

    def community_q(self, path: str = "community") -> Q:
        """The condition on a community foreign key at ``path``."""
        return {
            "all": Q(),
            "district": Q(**{f"{path}__subdistrict__district_id": self.id}),
            "subdistrict": Q(**{f"{path}__subdistrict_id": self.id}),
            "community": Q(**{f"{path}_id": self.id}),
        }.get(self.kind, Q(pk__in=[]))

    @property
    def below_community(self) -> bool:
        """Whether the figures kept per community do not apply (a grid or a
        company is finer than the community roll-ups)."""
        return self.kind in ("grid", "property_company")


def area_for(*, user, kind: str | None = None, pk: int | None = None) -> Area:
    """Return the area ``kind`` ``pk`` if the caller holds all of it (else
    404), or every unit the caller may see."""
    if not kind:
        return Area()
    joins = {"grid": ["community__subdistrict"], "community": ["subdistrict"]}
    unit = (
        covered_units(user=user, kind=kind)
        .select_related(*joins.get(kind, []))
        .filter(pk=pk)
        .first()
    )
    if unit is None:
        raise Http404
    return Area(
        kind=kind, id=unit.pk, name=unit.name, district_id=_district_of(kind, unit)
    )


def _district_of(kind: str, unit) -> int:
    if kind == "district":
        return unit.pk
    if kind in ("subdistrict", "property_company"):
        return unit.district_id
    community = unit if kind == "community" else unit.community
    return community.subdistrict.district_id


def covered_units(*, user, kind: str):
    """The units of ``kind`` the user holds whole: subdistrict staff see their
    district's name, but its figures are not theirs to read. A property
    company's figures are narrowed to the caller's own units, so every company
    the caller may see counts."""
    scope = user_scope(user)
    units = _AREA_LISTS[kind](user=user)
    if scope.is_all or kind == "property_company":
        return units
    districts, subdistricts = scope.ids("district"), scope.ids("subdistrict")
    communities = scope.ids("community")
    condition = {
        "district": Q(pk__in=districts),
        "subdistrict": Q(pk__in=subdistricts) | Q(district__in=districts),
        "community": Q(pk__in=communities)
        | Q(subdistrict__in=subdistricts)
        | Q(subdistrict__district__in=districts),
        "grid": Q(pk__in=scope.ids("grid"))
        | Q(community__in=communities)
        | Q(community__subdistrict__in=subdistricts)
        | Q(community__subdistrict__district__in=districts),
    }[kind]
    return units.filter(condition)


# For the dashboard's breadcrumb: each kind of unit, the joins that read it
# with its parents in one query, and the parents (nearest last) it leads up
# through.
_TRAILS = {
    "district": ((), ()),
    "subdistrict": (("district",), ("district",)),
    "community": (
        ("subdistrict__district",),
        ("subdistrict__district", "subdistrict"),
    ),
    "grid": (
        ("community__subdistrict__district",),
        ("community__subdistrict__district", "community__subdistrict", "community"),
    ),
    "property_company": (("district",), ("district",)),
}


def _follow(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def dashboard_trail(*, user, kind: str, pk: int) -> list[dict]:
    """Return the unit ``kind`` ``pk`` (last) with the parents above it that
    are the user's to open, each as {kind, id, name}; 404 if the user may not
    see it. Parents above the user's own highest level are left out: a
    community's staff start from their community, not the district."""
    joins, parents = _TRAILS[kind]
    unit = (
        covered_units(user=user, kind=kind).select_related(*joins).filter(pk=pk).first()
    )
    if unit is None:  # not theirs, or not wholly theirs
        raise Http404
    scope = user_scope(user)
    trail = []
    for path in parents:
        parent = _follow(unit, path)
        parent_kind = path.rsplit("__", 1)[-1]
        level = LEVELS.index(parent_kind)
        if scope.is_all or any(scope.ids(above) for above in LEVELS[: level + 1]):
            trail.append({"kind": parent_kind, "id": parent.pk, "name": parent.name})
    trail.append({"kind": kind, "id": unit.pk, "name": unit.name})
    return trail


# --- derived figures --------------------------------------------------------------


def ratio(part, whole):
    return round(float(part) / float(whole), 4) if whole else None


#: Columns kept to compute the figures, not shown themselves.
INTERNAL_FIGURES = ("closed_timed", "accept_seconds", "close_seconds")


def _case_figures(totals: dict) -> dict:
    """The case figures dashboards show: totals, rates and means."""
    return {
        **{k: totals[k] for k in PETITION_FIGURES if k not in INTERNAL_FIGURES},
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
            totals["close_seconds"] / totals["closed_timed"] / 3600, 2
        )
        if totals["closed_timed"]
        else None,
    }


def median_hours(within: list[int], total: int, ladder) -> float | None:
    """The lower median, in hours, from the counts of cases within each edge:
    the first edge that half the cases fall within (past the last edge, that
    edge)."""
    if not total:
        return None
    wanted = (total + 1) // 2
    for count, edge in zip(within, ladder, strict=True):
        if count >= wanted:
            return round(edge / 60, 2)
    return round(ladder[-1] / 60, 2)


def _medians(totals: dict) -> dict:
    return {
        "median_hours_to_accept": median_hours(
            [totals[c] for c in within_columns("accept")],
            totals["accepted"],
            DURATION_LADDERS["accept"],
        ),
        "median_hours_to_close": median_hours(
            [totals[c] for c in within_columns("close")],
            totals["closed_timed"],
            DURATION_LADDERS["close"],
        ),
    }


def _cases(totals: dict) -> dict:
    """Rates, means and medians of summed case columns."""
    return {**_case_figures(totals), **_medians(totals)}


CASE_SUMS = {k: Sum(k, default=0) for k in CASE_COLUMNS}


def _community_figures(totals: dict) -> dict:
    figures = {k: totals.get(k) or 0 for k in COMMUNITY_FIGURES}
    figures["verified_hours"] = float(Decimal(figures["verified_hours"]))
    figures["action_items_on_time_rate"] = ratio(
        figures["action_items_done_on_time"], figures["action_items_due"]
    )
    return figures


def _coverage_figures(totals: dict | None, companies: dict) -> dict:
    totals = {k: (totals or {}).get(k) or 0 for k in COVERAGE_FIGURES}
    return {
        **totals,
        "coverage_rate": ratio(totals["compounds_covered"], totals["compounds"]),
        "ab_coverage_rate": ratio(
            totals["compounds_ab_covered"], totals["compounds_ab"]
        ),
        "three_no_self_governed_rate": ratio(
            totals["three_no_self_governed"], totals["three_no"]
        ),
        "companies": companies["companies"],
        "companies_with_party_org": companies["companies_with_party_org"],
        "company_party_org_rate": ratio(
            companies["companies_with_party_org"], companies["companies"]
        ),
    }


def _fee_figures(totals: dict) -> dict:
    totals = {
        k: totals.get(k) or 0
        for k in (
            "households_billed",
            "households_paid",
            "amount_due",
            "amount_collected",
        )
    }
    return {
        **totals,
        "amount_due": float(totals["amount_due"]),
        "amount_collected": float(totals["amount_collected"]),
        "collection_rate": ratio(
            totals["households_paid"], totals["households_billed"]
        ),
        "amount_rate": ratio(totals["amount_collected"], totals["amount_due"]),
    }


FEE_SUMS = {
    k: Sum(k)
    for k in ("households_billed", "households_paid", "amount_due", "amount_collected")
}


def _field_figures(flows: dict, care: dict | None, as_of) -> dict:
    """Patrols, findings and visits of a period, and the visit coverage of
    the households under care as of its last known month."""
    care = {k: (care or {}).get(k) or 0 for k in CARE_FIGURES}
    return {
        **{k: flows.get(k) or 0 for k in FIELD_FIGURES},
        **care,
        "visit_coverage_rate": ratio(
            care["care_households_visited"], care["care_households"]
        ),
        "as_of": as_of.strftime("%Y-%m") if as_of else None,
    }


# --- scoped, narrowed row sets ----------------------------------------------------


def _months(qs, first, last):
    return qs.filter(month__gte=month_start(first), month__lte=month_start(last))


def _case_rows(user, area: Area):
    rows = scope_queryset(PetitionMonthly.objects.all(), user)
    if area.kind == "grid":
        return rows.filter(grid_id=area.id)
    if area.kind == "property_company":
        return rows.filter(property_company_id=area.id)
    return rows.filter(area.community_q())


def _community_rows(user, area: Area):
    if area.below_community:
        return None
    return scope_queryset(CommunityMonthly.objects.all(), user).filter(
        area.community_q()
    )


def _grid_rows(user, area: Area):
    """The field-work roll-ups of the area (none for a property company: its
    staff do not patrol or visit for the government)."""
    if area.kind == "property_company":
        return None
    rows = scope_queryset(GridMonthly.objects.all(), user)
    if area.kind == "grid":
        return rows.filter(grid_id=area.id)
    return rows.filter(area.community_q())


def _area_grids(user, area: Area):
    """The grids of the area the user may see (for the live yardstick)."""
    grids = scope_queryset(Grid.objects.all(), user)
    if area.kind == "grid":
        return grids.filter(pk=area.id)
    return grids.filter(area.community_q())


def _fee_rows(user, area: Area):
    rows = scope_queryset(FeeCollection.objects.all(), user)
    if area.kind == "grid":
        # A subquery, not a join: a compound with several buildings in the
        # grid must count once, also when the rows are grouped by month.
        in_grid = Compound.objects.filter(buildings__grid_id=area.id).values("pk")
        return rows.filter(compound__in=in_grid)
    if area.kind == "property_company":
        return rows.filter(compound__property_company_id=area.id)
    return rows.filter(area.community_q("compound__community"))


def _live_cases(user, area: Area):
    cases = scope_queryset(Petition.objects.all(), user)
    if area.kind == "grid":
        return cases.filter(grid_id=area.id)
    if area.kind == "property_company":
        return cases.filter(compound__property_company_id=area.id)
    return cases.filter(area.community_q())


def _compounds(user, area: Area):
    compounds = scope_queryset(Compound.objects.all(), user)
    if area.kind == "property_company":
        return compounds.filter(property_company_id=area.id)
    if area.kind == "grid":
        in_grid = Compound.objects.filter(buildings__grid_id=area.id).values("pk")
        return compounds.filter(pk__in=in_grid)
    return compounds.filter(area.community_q())


def _company_figures(user, area: Area) -> dict:
    """Property companies serving compounds in the area, and how many of them
    have a party organisation (a live count over a small table)."""
    companies = PropertyCompany.objects.filter(
        Exists(_compounds(user, area).filter(property_company=OuterRef("pk")))
    )
    return companies.aggregate(
        companies=Count("id"),
        companies_with_party_org=Count(
            "id",
            filter=Q(
                Exists(
                    PartyOrganization.objects.filter(
                        kind=PartyOrganization.Kind.PROPERTY_BRANCH,
                        property_company=OuterRef("pk"),
                    )
                )
            ),
        ),
    )


def _open_now(user, area: Area) -> dict:
    cases = _live_cases(user, area).filter(status__in=Petition.OPEN_STATUSES)
    return cases.aggregate(
        open=Count("id"), overdue=Count("id", filter=petition_overdue_q())
    )


# --- summary ----------------------------------------------------------------------


def _field_summary(user, area: Area, first, last) -> dict | None:
    """The field-work section of a summary, from the roll-ups (two queries)."""
    grid_rows = _grid_rows(user, area)
    if grid_rows is None:
        return None
    flows = _months(grid_rows, first, last).aggregate(
        **{k: Sum(k) for k in FIELD_FIGURES},
        snapshot=Max("month", filter=Q(care_households__isnull=False)),
    )
    snapshot = flows.pop("snapshot")
    care = (
        grid_rows.filter(month=snapshot).aggregate(**{k: Sum(k) for k in CARE_FIGURES})
        if snapshot
        else None
    )
    return _field_figures(flows, care, _as_month(snapshot) if snapshot else None)


def _field_summary_live(user, area: Area, first, last) -> dict | None:
    """The field-work section counted straight from the records."""
    if area.kind == "property_company":
        return None
    start, end = _bounds(first, last)
    grids = _area_grids(user, area)
    flows = dict.fromkeys(FIELD_FIGURES, 0)
    for figures in field_month_rows(start=start, end=end, grids=grids).values():
        for key in FIELD_FIGURES:
            flows[key] += figures[key]
    as_of = min(month_start(last), month_start(calendar.today()))
    care = dict.fromkeys(CARE_FIGURES, 0)
    for figures in care_rows(month=as_of, grids=grids).values():
        for key in CARE_FIGURES:
            care[key] += figures[key]
    return _field_figures(flows, care, as_of)


def stats_summary(*, user, area: Area, first: datetime.date, last: datetime.date):
    """Every dashboard figure of the months ``first``..``last`` for ``area``,
    from the roll-ups (ten queries whatever the size)."""
    cases = _months(_case_rows(user, area), first, last).aggregate(**CASE_SUMS)
    result = {
        "unit": area.as_dict(),
        "start": first.strftime("%Y-%m"),
        "end": last.strftime("%Y-%m"),
        "cases": _cases(cases),
        "now": _open_now(user, area),
        "meetings_and_service": None,
        "coverage": None,
        "fees": _fee_figures(
            _months(_fee_rows(user, area), first, last).aggregate(**FEE_SUMS)
        ),
        "field_work": _field_summary(user, area, first, last),
    }
    community_rows = _community_rows(user, area)
    if community_rows is not None:
        result["meetings_and_service"] = _community_figures(
            _months(community_rows, first, last).aggregate(
                **{k: Sum(k) for k in COMMUNITY_FIGURES}
            )
        )
        snapshot = community_rows.filter(
            month__lte=month_start(last), compounds__isnull=False
        ).aggregate(latest=Max("month"))["latest"]
        coverage = (
            community_rows.filter(month=snapshot).aggregate(
                **{k: Sum(k) for k in COVERAGE_FIGURES}
            )
            if snapshot
            else None
        )
        result["coverage"] = {
            "as_of": snapshot.strftime("%Y-%m") if snapshot else None,
            **_coverage_figures(coverage, _company_figures(user, area)),
        }
    return result


def stats_summary_live(*, user, area: Area, first: datetime.date, last: datetime.date):
    """The same JSON computed straight from the records by GROUP BY (slow at
    district scale): the yardstick the roll-ups are tested and benchmarked
    against. Coverage is the state now, which the roll-ups keep for the
    current month."""
    start, end = _bounds(first, last)
    cases = _live_cases(user, area).filter(created_at__gte=start, created_at__lt=end)
    totals = case_totals_live(cases)
    result = {
        "unit": area.as_dict(),
        "start": first.strftime("%Y-%m"),
        "end": last.strftime("%Y-%m"),
        "cases": _cases(totals),
        "now": _open_now(user, area),
        "meetings_and_service": None,
        "coverage": None,
        "fees": _fee_figures(
            _fee_rows(user, area)
            .filter(month__gte=month_start(first), month__lt=next_month(last))
            .aggregate(**FEE_SUMS)
        ),
        "field_work": _field_summary_live(user, area, first, last),
    }
    if not area.below_community:
        communities = set(
            scope_queryset(Community.objects.all(), user)
            .filter(_community_self_q(area))
            .values_list("pk", flat=True)
        )
        flows = dict.fromkeys(COMMUNITY_FIGURES, 0)
        for (_month, community_id), figures in community_month_rows(
            start=start, end=end
        ).items():
            if community_id in communities:
                for key, value in figures.items():
                    flows[key] += value
        result["meetings_and_service"] = _community_figures(flows)
        coverage = dict.fromkeys(COVERAGE_FIGURES, 0)
        for community_id, figures in coverage_rows(_compounds(user, area)).items():
            if community_id in communities:
                for key, value in figures.items():
                    coverage[key] += value
        this_month = month_start(calendar.today())
        result["coverage"] = {
            "as_of": min(month_start(last), this_month).strftime("%Y-%m"),
            **_coverage_figures(coverage, _company_figures(user, area)),
        }
    return result


def _community_self_q(area: Area) -> Q:
    """The condition on Community rows themselves for ``area``."""
    return {
        "all": Q(),
        "district": Q(subdistrict__district_id=area.id),
        "subdistrict": Q(subdistrict_id=area.id),
        "community": Q(pk=area.id),
    }[area.kind]


# --- case mix: category, repair kind, channel ---------------------------------------


def _case_mix_rows(user, area: Area):
    rows = scope_queryset(CaseMixMonthly.objects.all(), user)
    if area.kind == "grid":
        return rows.filter(grid_id=area.id)
    if area.kind == "property_company":
        return rows.filter(property_company_id=area.id)
    return rows.filter(area.community_q())


#: What a case-mix row is grouped by, read with its category's particulars.
_MIX_VALUES = (
    "category_id",
    "category__code",
    "category__name",
    "category__group",
    "category__repair_kind",
    "channel",
)


def _mix_record(totals: dict) -> dict:
    return {
        **{k: totals[k] for k in CASE_MIX_FIGURES},
        "closure_rate": ratio(totals["closed"], totals["received"]),
        "closed_on_time_rate": ratio(totals["closed_on_time"], totals["closed"]),
        "satisfaction_rate": ratio(
            totals["satisfied"] + totals["fairly_satisfied"], totals["rated"]
        ),
    }


def _add(target: dict, row: dict) -> None:
    for key in CASE_MIX_FIGURES:
        target[key] = target.get(key, 0) + (row[key] or 0)


def _case_mix_tables(rows) -> dict:
    """Fold rows grouped by category and channel into the three tables: by
    category (with its repair kind), by repair kind, by channel; each biggest
    first."""
    categories: dict = {}
    kinds: dict = {}
    channels: dict = {}
    for row in rows:
        category = categories.setdefault(
            row["category_id"],
            {
                "category_id": row["category_id"],
                "code": row["category__code"],
                "name": row["category__name"],
                "group": row["category__group"],
                "repair_kind": row["category__repair_kind"],
            },
        )
        _add(category, row)
        if row["category__repair_kind"]:
            _add(kinds.setdefault(row["category__repair_kind"], {}), row)
        _add(channels.setdefault(row["channel"], {}), row)
    kind_labels = dict(Category.RepairKind.choices)
    channel_labels = dict(Petition.Channel.choices)

    def ordered(records):
        return sorted(records, key=lambda r: (-r["received"], str(r["label"])))

    return {
        "by_category": sorted(
            (
                {
                    **{k: v for k, v in c.items() if k not in CASE_MIX_FIGURES},
                    "label": c["name"],
                    **_mix_record(c),
                }
                for c in categories.values()
            ),
            key=lambda r: (-r["received"], r["code"]),
        ),
        "by_repair_kind": ordered(
            {"repair_kind": k, "label": str(kind_labels.get(k, k)), **_mix_record(v)}
            for k, v in kinds.items()
        ),
        "by_channel": ordered(
            {"channel": k, "label": str(channel_labels.get(k, k)), **_mix_record(v)}
            for k, v in channels.items()
        ),
    }


def stats_case_mix(*, user, area: Area, first: datetime.date, last: datetime.date):
    """The cases of the months ``first``..``last`` in ``area`` by category,
    by repair kind and by channel, from the roll-ups (one query)."""
    rows = (
        _months(_case_mix_rows(user, area), first, last)
        .values(*_MIX_VALUES)
        .annotate(**{k: Sum(k) for k in CASE_MIX_FIGURES})
        .order_by()
    )
    return _case_mix_tables(rows)


def stats_case_mix_live(*, user, area: Area, first: datetime.date, last: datetime.date):
    """The same tables counted straight from the cases: the yardstick."""
    start, end = _bounds(first, last)
    rows = (
        _live_cases(user, area)
        .filter(created_at__gte=start, created_at__lt=end)
        .values(*_MIX_VALUES)
        .annotate(**case_mix_aggregates())
        .order_by()
    )
    return _case_mix_tables(rows)


# --- time series --------------------------------------------------------------------


def _month_list(first, last) -> list[datetime.date]:
    return calendar.months_between(first, last)


def _field_month(row: dict) -> dict:
    """A month's field work: its flows and the visit coverage of its care
    households (empty when not known for that month)."""
    return {
        **{k: row.get(k) or 0 for k in FIELD_FIGURES},
        "visit_coverage_rate": ratio(
            row.get("care_households_visited") or 0, row.get("care_households")
        ),
    }


def _field_by_month(user, area: Area, first, last) -> dict | None:
    """The area's field work month by month (one query; None for a company)."""
    grid_rows = _grid_rows(user, area)
    if grid_rows is None:
        return None
    return {
        _as_month(row["month"]): row
        for row in _months(grid_rows, first, last)
        .values("month")
        .annotate(**{k: Sum(k) for k in FIELD_FIGURES + CARE_FIGURES})
        .order_by()
    }


def stats_series(*, user, area: Area, first, last) -> list[dict]:
    """One flat record per month: cases, medians, meetings and service, fees,
    field work (five queries whatever the number of months or units)."""
    cases = {
        _as_month(row["month"]): row
        for row in _months(_case_rows(user, area), first, last)
        .values("month")
        .annotate(**CASE_SUMS)
        .order_by()
    }
    community_rows = _community_rows(user, area)
    flows = (
        {
            _as_month(row["month"]): row
            for row in _months(community_rows, first, last)
            .values("month")
            .annotate(**{k: Sum(k) for k in COMMUNITY_FIGURES + COVERAGE_FIGURES})
            .order_by()
        }
        if community_rows is not None
        else {}
    )
    fees = {
        _as_month(row["month"]): row
        for row in _months(_fee_rows(user, area), first, last)
        .values("month")
        .annotate(**FEE_SUMS)
        .order_by()
    }
    field = _field_by_month(user, area, first, last)
    empty_cases = dict.fromkeys(CASE_COLUMNS, 0)
    results = []
    for month in _month_list(first, last):
        record = {"month": month.strftime("%Y-%m")}
        record.update(_cases(cases.get(month, empty_cases)))
        if community_rows is not None:
            row = flows.get(month, {})
            record.update(_community_figures(row))
            record["coverage_rate"] = ratio(
                row.get("compounds_covered"), row.get("compounds")
            )
            record["ab_coverage_rate"] = ratio(
                row.get("compounds_ab_covered"), row.get("compounds_ab")
            )
        fee = _fee_figures(fees.get(month, {}))
        record["fee_collection_rate"] = fee["collection_rate"]
        if field is not None:
            record.update(_field_month(field.get(month, {})))
        results.append(record)
    return results


# --- rankings -----------------------------------------------------------------------

#: A unit needs at least this many cases in the period to be ranked.
MIN_CASES_TO_RANK = 10

RANK_BY = ("community", "property_company", "subdistrict")


def petition_ranking(
    *,
    user,
    first: datetime.date,
    last: datetime.date,
    by: str,
    min_cases: int = MIN_CASES_TO_RANK,
    area: Area = Area(),
) -> list[dict]:
    """Rank communities, subdistricts or property companies the user may see
    by closure rate, then on-time rate, then satisfaction; units with fewer
    than ``min_cases`` cases are left out (one query)."""
    field = {
        "community": "community",
        "property_company": "property_company",
        "subdistrict": "community__subdistrict",
    }[by]
    rows = _months(_case_rows(user, area), first, last)
    if by == "property_company":
        rows = rows.filter(property_company__isnull=False)
    rows = (
        rows.values(
            f"{field}_id" if by != "subdistrict" else f"{field}", f"{field}__name"
        )
        .annotate(**CASE_SUMS)
        .order_by()
    )
    ranked = []
    for row in rows:
        if row["received"] < min_cases:
            continue
        ranked.append(
            {
                "id": row.get(f"{field}_id", row.get(field)),
                "name": row[f"{field}__name"],
                **_cases(row),
            }
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


# --- drill-down ---------------------------------------------------------------------

_CHILD = {
    "all": ("subdistrict", "community__subdistrict"),
    "district": ("subdistrict", "community__subdistrict"),
    "subdistrict": ("community", "community"),
    "community": ("grid", "grid"),
}


def _field_by_child(user, area: Area, level: str, first, last) -> dict | None:
    """Each child unit's patrols, findings and visits over the period, and
    its visit coverage in the period's last month (one query)."""
    grid_rows = _grid_rows(user, area)
    if grid_rows is None:
        return None
    key = {
        "subdistrict": "community__subdistrict",
        "community": "community_id",
        "grid": "grid_id",
    }[level]
    last_month = Q(month=month_start(last))
    return {
        row[key]: row
        for row in _months(grid_rows, first, last)
        .values(key)
        .annotate(
            **{k: Sum(k) for k in FIELD_FIGURES},
            **{k: Sum(k, filter=last_month) for k in CARE_FIGURES},
        )
        .order_by()
    }


def _drilldown_level(user, area: Area) -> tuple[str, str]:
    """The level of the units below ``area``, and the path to them."""
    level, path = _CHILD[area.kind]
    if area.kind == "all":
        scope = user_scope(user)
        if not scope.is_all and not scope.ids("district"):
            if scope.ids("subdistrict"):
                level, path = _CHILD["subdistrict"]
            else:
                level, path = _CHILD["community"]
    return level, path


def _drilldown_children(user, area: Area, level: str) -> list[dict]:
    children = _AREA_LISTS[level](user=user)
    if area.kind == "district":
        children = children.filter(district_id=area.id)
    elif area.kind == "subdistrict":
        children = children.filter(subdistrict_id=area.id)
    elif area.kind == "community":
        children = children.filter(community_id=area.id)
    # Natural order: 第一网格 … 第九网格, 第十网格 (code points put 第九 first).
    return sorted(children.values("pk", "name"), key=lambda c: natural_key(c["name"]))


def _child_record(child, level, cases, now, flows, field) -> dict:
    """One unit of the drill-down with its figures."""
    pk = child["pk"]
    record = {"id": pk, "kind": level, "name": child["name"]}
    record.update(_cases(cases.get(pk, dict.fromkeys(CASE_COLUMNS, 0))))
    record.update({k: now.get(pk, {}).get(k, 0) for k in ("open", "overdue")})
    if level != "grid":
        figures = _community_figures(flows.get(pk, {}))
        record["meetings_held"] = figures["meetings_held"]
        record["verified_hours"] = figures["verified_hours"]
    if field is not None:
        record.update(_field_month(field.get(pk, {})))
    return record


def stats_drilldown(*, user, area: Area, first, last) -> dict:
    """The units one level below ``area`` (district → subdistricts →
    communities → grids) with their case figures, open and overdue cases now,
    (down to communities) meetings and verified hours, and their field work:
    five queries."""
    if area.kind not in _CHILD:
        return {"level": None, "results": []}
    level, path = _drilldown_level(user, area)
    children = _drilldown_children(user, area, level)
    key = f"{path}_id" if level != "subdistrict" else "community__subdistrict"
    cases = {
        row[key]: row
        for row in _months(_case_rows(user, area), first, last)
        .values(key)
        .annotate(**CASE_SUMS)
        .order_by()
    }
    live_key = {"subdistrict": "community__subdistrict", "community": "community_id"}
    live_key = live_key.get(level, "grid_id")
    now = {
        row[live_key]: row
        for row in _live_cases(user, area)
        .filter(status__in=Petition.OPEN_STATUSES)
        .values(live_key)
        .annotate(open=Count("id"), overdue=Count("id", filter=petition_overdue_q()))
        .order_by()
    }
    flows = {}
    community_rows = _community_rows(user, area)
    if level != "grid" and community_rows is not None:
        flow_key = (
            "community__subdistrict" if level == "subdistrict" else "community_id"
        )
        flows = {
            row[flow_key]: row
            for row in _months(community_rows, first, last)
            .values(flow_key)
            .annotate(**{k: Sum(k) for k in COMMUNITY_FIGURES})
            .order_by()
        }
    field = _field_by_child(user, area, level, first, last)
    return {
        "level": level,
        "results": [
            _child_record(child, level, cases, now, flows, field) for child in children
        ],
    }


# --- targets ------------------------------------------------------------------------


def _year_before(day: datetime.date) -> datetime.date:
    return day.replace(year=day.year - 1, day=1)


def _change(now, then):
    return round((now - then) / then, 4) if then else None


def _target_values(user, area: Area, first, last) -> dict:
    """{metric: (value, baseline)}: shares as they stand, changes against the
    same months a year before."""
    summary = stats_summary(user=user, area=area, first=first, last=last)
    before = _months(
        _case_rows(user, area), _year_before(first), _year_before(last)
    ).aggregate(
        complaints=Sum("complaints", default=0),
        disputes_mediated=Sum("disputes_mediated", default=0),
    )
    cases, coverage = summary["cases"], summary["coverage"] or {}
    M = Target.Metric
    return {
        M.COMPOUND_COVERAGE: (coverage.get("ab_coverage_rate"), None),
        M.COMPANY_PARTY_ORGS: (coverage.get("company_party_org_rate"), None),
        M.COMPLAINTS_CHANGE: (
            _change(cases["complaints"], before["complaints"]),
            before["complaints"],
        ),
        M.MEDIATION_CHANGE: (
            _change(cases["disputes_mediated"], before["disputes_mediated"]),
            before["disputes_mediated"],
        ),
        M.FEE_COLLECTION: (summary["fees"]["collection_rate"], None),
        M.SATISFACTION: (cases["satisfaction_rate"], None),
        M.THREE_NO_SELF_GOVERNED: (coverage.get("three_no_self_governed_rate"), None),
    }


def _progress(target: Target, value, baseline) -> dict:
    goal = float(target.value)
    met = None
    if value is not None:
        lower = target.metric in Target.LOWER_IS_BETTER
        met = value <= goal if lower else value >= goal
    return {
        "id": target.pk,
        "metric": target.metric,
        "label": str(target.get_metric_display()),
        "district": target.district.name,
        "target": goal,
        "due_on": target.due_on.isoformat(),
        "value": value,
        "baseline": baseline,
        "met": met,
        "overdue": bool(not met and target.due_on < calendar.today()),
        "note": target.note,
    }


def target_progress(*, user, area: Area, first, last) -> list[dict]:
    """Each target of the caller's districts with the area's value now (shares)
    or over the period against the same months a year before (changes)."""
    targets = scope_queryset(Target.objects.select_related("district"), user)
    if area.district_id is not None:  # the targets of the unit's own district
        targets = targets.filter(district_id=area.district_id)
    targets = list(targets.order_by("metric", "due_on"))
    if not targets:
        return []
    values = _target_values(user, area, first, last)
    return [_progress(target, *values[target.metric]) for target in targets]


# --- evaluation of property companies ---------------------------------------------

#: The role kinds that work for a property company (whose evaluation they see).
COMPANY_STAFF_KINDS = (
    Role.Kind.PROPERTY_STEWARD,
    Role.Kind.REPAIR_WORKER,
    Role.Kind.PARTY_INSTRUCTOR,
)

#: How many quarters of history a list shows when no quarter is asked for.
EVALUATION_HISTORY_QUARTERS = 8


def own_company_ids(*, user) -> set[int]:
    """The property companies whose staff the user is (one query)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return set()
    return set(
        Role.objects.active()
        .filter(
            person__user=user,
            kind__in=COMPANY_STAFF_KINDS,
            property_company__isnull=False,
        )
        .values_list("property_company_id", flat=True)
    )


def evaluation_list(
    *,
    user,
    quarter: datetime.date | None = None,
    level: str | None = None,
    filters: dict | None = None,
):
    """The evaluations the user may read: community and district staff every
    row of their units (district rows: district staff), a company's staff
    their own company's rows; newest quarter first, best score first. Without
    ``quarter``: the last ``EVALUATION_HISTORY_QUARTERS`` quarters."""
    rows = CompanyEvaluation.objects.select_related(
        "property_company", "district", "community", "compound"
    )
    scope = user_scope(user)
    if not scope.is_all:
        condition = (
            Q(pk__in=[]) if scope.is_empty else scope_q(CompanyEvaluation, scope)
        )
        own = own_company_ids(user=user)
        if own:
            condition |= Q(property_company_id__in=sorted(own))
        rows = rows.filter(condition)
    if quarter is not None:
        rows = rows.filter(quarter=calendar.quarter_start(quarter))
    else:
        since = calendar.add_months(
            calendar.quarter_start(calendar.today()),
            -3 * (EVALUATION_HISTORY_QUARTERS - 1),
        )
        rows = rows.filter(quarter__gte=since)
    if level:
        rows = rows.filter(level=level)
    for field, value in (filters or {}).items():
        rows = rows.filter(**{f"{field}_id": value})
    return rows.order_by(
        "-quarter", "level", F("score").desc(nulls_last=True), "property_company__name"
    )


def evaluation_record(row: CompanyEvaluation) -> dict:
    """An evaluation as the API and the pages show it, labels translated."""
    return {
        "id": row.pk,
        "quarter": calendar.quarter_label(row.quarter),
        "level": row.level,
        "unit": {"kind": row.level, "id": row.unit.pk, "name": row.unit.name},
        "property_company": {
            "id": row.property_company_id,
            "name": row.property_company.name,
        },
        "cases": row.cases,
        "min_cases": MIN_CASES_TO_SCORE,
        "score": None if row.score is None else float(row.score),
        "breakdown": [
            {**part, "label": str(part.get("label") or INDICATOR_LABELS[part["key"]])}
            for part in row.breakdown
        ],
    }


def honour_list_for_community(*, community: Community):
    """The published 红黑榜 of a community's district, newest first (public:
    company names and scores only)."""
    return (
        HonourList.objects.filter(district_id=community.subdistrict.district_id)
        .select_related("district")
        .order_by("-quarter")
    )


def companies_serving(*, community: Community):
    """The property companies serving the community's compounds."""
    return PropertyCompany.objects.filter(compounds__community=community).distinct()


def honour_list_list(*, user):
    """The published 红黑榜 of the districts the user may see."""
    return scope_queryset(HonourList.objects.select_related("district"), user).order_by(
        "-quarter", "district__name"
    )


def honour_list_record(honour: HonourList) -> dict:
    return {
        "district": honour.district.name,
        "quarter": calendar.quarter_label(honour.quarter),
        "published_at": honour.published_at,
        "red": honour.entries.get("red", []),
        "black": honour.entries.get("black", []),
        "rules": honour.entries.get("rules", {}),
    }
