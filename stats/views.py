"""The staff dashboard: the district API's figures drawn as tiles, charts and
tables for district, subdistrict and community staff.

The page itself carries no figures: it names the unit and period and the
addresses to read, and ``stats/dashboard.js`` fetches the JSON API with the
staff member's session, so the page, the API and its CSV and Excel downloads
always show the same numbers.
"""

import datetime
import re

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from grids.scoping import LEVELS, user_scope
from grids.selectors import (
    community_list,
    district_list,
    grid_list,
    property_company_list,
    subdistrict_list,
)

from .selectors import AREA_KINDS

#: The right the statistics API asks for (``stats.api.views.CanReadStats``).
STATS_PERMISSION = "stats.view_petitionmonthly"

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

# Each kind of unit, how to read it with its parents in one query, and the
# parents (nearest last) that the breadcrumb leads up through.
_UNITS = {
    "district": (district_list, (), ()),
    "subdistrict": (subdistrict_list, ("district",), ("district",)),
    "community": (
        community_list,
        ("subdistrict__district",),
        ("subdistrict__district", "subdistrict"),
    ),
    "grid": (
        grid_list,
        ("community__subdistrict__district",),
        ("community__subdistrict__district", "community__subdistrict", "community"),
    ),
    "property_company": (property_company_list, ("district",), ("district",)),
}


def _default_period() -> tuple[str, str]:
    """This month and the eleven before it, as the API defaults them."""
    end = timezone.localdate().replace(day=1)
    start = (end - datetime.timedelta(days=335)).replace(day=1)
    return start.strftime("%Y-%m"), end.strftime("%Y-%m")


def _requested_unit(query) -> tuple[str, int] | None:
    """The one unit asked for in the query string (the first kind given), or
    None for every unit of the caller's; a malformed id is a 404."""
    for kind in AREA_KINDS:
        if kind in query:
            try:
                pk = int(query[kind])
            except ValueError:
                raise Http404 from None
            if not 1 <= pk < 2**63:
                raise Http404
            return kind, pk
    return None


def _follow(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def dashboard_trail(*, user, kind: str, pk: int) -> list[dict]:
    """Return the unit ``kind`` ``pk`` (last) with the parents above it that
    are the user's to open, each as {kind, id, name}; 404 if the user may not
    see it. Parents above the user's own highest level are left out: a
    community's staff start from their community, not the district."""
    selector, joins, parents = _UNITS[kind]
    unit = selector(user=user).select_related(*joins).filter(pk=pk).first()
    if unit is None:
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


def _labels() -> dict:
    """Every string the script shows, translated here so that the page speaks
    the staff member's language without a JavaScript catalogue."""
    return {
        "received": _("Cases received"),
        "closed": _("Cases closed"),
        "closure_rate": _("Closure rate"),
        "closed_on_time_rate": _("Closed on time"),
        "satisfaction_rate": _("Satisfaction"),
        "open": _("Open now"),
        "overdue": _("Overdue now"),
        "open_not_overdue": _("Open, within time"),
        "median_hours_to_close": _("Median hours to close"),
        "verified_hours": _("Verified volunteer hours"),
        "meetings_held": _("Meetings held"),
        "fee_collection_rate": _("Fee collection rate"),
        "coverage_rate": _("Party organisation coverage"),
        "hours": _("hours"),
        "month": _("Month"),
        "rank": _("Rank"),
        "name": _("Name"),
        "unit": _("Unit"),
        "loading": _("Loading…"),
        "no_data": _("No data for this period."),
        "no_children": _("This unit has no units below it to compare."),
        "no_ranking": _(
            "No property company has enough cases to be ranked "
            "(at least %(min_cases)s in the period)."
        ),
        "no_targets": _("No targets are set for your district."),
        "error": _("The figures could not be loaded."),
        "error_network": _("The server could not be reached. Try again later."),
        "status": _("Server answer %(status)s"),
        "open_unit": _("Open the dashboard of %(name)s"),
        "target": _("Target"),
        "value_now": _("Now"),
        "due_on": _("Due %(date)s"),
        "met": _("Met"),
        "not_met": _("Not met yet"),
        "overdue_target": _("Past due"),
        "no_value": _("No figure yet"),
        "down": _("down %(value)s"),
        "up": _("up %(value)s"),
        "baseline": _("a year before: %(value)s"),
        "as_of": _("as of %(month)s"),
        "of_total": _("%(part)s of %(whole)s"),
        "levels": {
            "district": _("district"),
            "subdistrict": _("subdistricts"),
            "community": _("communities"),
            "grid": _("grids"),
        },
    }


@staff_member_required
def dashboard(request):
    """The statistics dashboard of one unit (or all of the caller's) for a
    period: ``?start=YYYY-MM&end=YYYY-MM`` and at most one of ``district``,
    ``subdistrict``, ``community``, ``grid``, ``property_company``."""
    if not request.user.has_perm(STATS_PERMISSION):
        raise PermissionDenied
    default_start, default_end = _default_period()
    start, end = request.GET.get("start", ""), request.GET.get("end", "")
    # A month the browser could not have sent falls back to the default; a
    # period the API refuses (end before start, too long) is its 400 to show.
    start = start if _MONTH.match(start) else default_start
    end = end if _MONTH.match(end) else default_end
    unit = _requested_unit(request.GET)
    trail = dashboard_trail(user=request.user, kind=unit[0], pk=unit[1]) if unit else []
    query = {"start": start, "end": end, **({unit[0]: unit[1]} if unit else {})}
    page = reverse("stats-dashboard")
    for step in trail:
        step["url"] = f"{page}?{urlencode({'start': start, 'end': end, step['kind']: step['id']})}"
    config = {
        "query": query,
        "unit": {"kind": unit[0], "id": unit[1]} if unit else None,
        "dashboard": page,
        "language": request.LANGUAGE_CODE,
        "api": {
            name: reverse(f"stats-{name}")
            for name in ("summary", "series", "drilldown", "ranking", "targets")
        },
        "labels": _labels(),
    }
    return render(
        request,
        "stats/dashboard.html",
        {
            "config": config,
            "start": start,
            "end": end,
            "unit": unit,
            "trail": trail,
            "root_url": f"{page}?{urlencode({'start': start, 'end': end})}",
            "query_string": urlencode(query),
        },
    )
