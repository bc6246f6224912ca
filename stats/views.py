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
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core import calendar
from grids.models import Community, District, Grid, PropertyCompany, Subdistrict
from grids.scoping import LEVELS
from stats.periods import default_start

from .api.views import MONTH
from .evaluation import INDICATORS
from .selectors import (
    AREA_KINDS,
    companies_serving,
    dashboard_trail,
    honour_list_for_community,
    honour_list_record,
)

#: The right the statistics API asks for (``stats.api.views.CanReadStats``).
STATS_PERMISSION = "stats.view_petitionmonthly"

# The months the API takes (1990 to 2099).
_MONTH = re.compile(MONTH)

#: The model of each kind of unit, whose (translated) name the page shows.
_KIND_MODELS = {
    "district": District,
    "subdistrict": Subdistrict,
    "community": Community,
    "grid": Grid,
    "property_company": PropertyCompany,
}


def _kind_name(kind: str, plural: bool = False) -> str:
    meta = _KIND_MODELS[kind]._meta
    return capfirst(meta.verbose_name_plural if plural else meta.verbose_name)


def _period(start: str, end: str) -> tuple[str, str]:
    """The months asked for; a month the browser could not have sent falls
    back, as in the API, to this month for the end and the eleven months
    before the end for the start. A period the API refuses (end before start,
    too long) is passed on: its 400 is shown on the page."""
    if not _MONTH.fullmatch(end):
        end = calendar.today().strftime("%Y-%m")
    if not _MONTH.fullmatch(start):
        first = default_start(calendar.parse_month(end))
        start = max(first, datetime.date(1990, 1, 1)).strftime("%Y-%m")
    return start, end


def _requested_unit(query) -> tuple[str, int] | None:
    """The one unit asked for in the query string (the first kind given), or
    None for every unit of the caller's; a malformed id is a 404."""
    for kind in AREA_KINDS:
        if query.get(kind, "") != "":
            try:
                pk = int(query[kind])
            except ValueError:
                raise Http404 from None
            if not 1 <= pk < 2**63:
                raise Http404
            return kind, pk
    return None


def _labels() -> dict:
    """Every string the script shows, translated here so that the page speaks
    the staff member's language without a JavaScript catalogue."""
    return {
        "received": _("Cases received"),
        "closed": _("Cases closed"),
        "closure_rate": _("Closure rate"),
        "satisfaction_rate": _("Satisfaction"),
        "overdue": _("Overdue now"),
        "open_note": _("whenever received"),
        "overdue_note": _("past their deadline"),
        "open_not_overdue": _("Open, within time"),
        "no_data": _("No data for this period."),
        "no_data_short": _("No data"),
        "not_applicable": _("Not counted for this unit"),
        "no_open": _("No case is open now."),
        "closed_count": _("%(count)s closed"),
        "rated_count": _("%(count)s rated"),
        "mean_hours": _("mean %(value)s"),
        "turnouts": _("%(count)s turnouts"),
        "decisions": _("%(count)s decisions"),
        "no_children": _("This unit has no units below it to compare."),
        "no_ranking": _(
            "No property company has enough cases to be ranked "
            "(at least %(min_cases)s in the period)."
        ),
        "no_targets": _("No targets are set for your district."),
        "no_evaluation": _("No evaluation of a property company yet."),
        "too_few_cases": _("too few cases (at least %(min_cases)s)"),
        "error": _("The figures could not be loaded."),
        "error_network": _("The server could not be reached. Try again later."),
        "error_chart": _("The chart library did not load; the tables still work."),
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
        "levels": {kind: _kind_name(kind, plural=True) for kind in LEVELS},
    }


def _evaluation_query(unit: tuple[str, int] | None) -> dict:
    """The evaluations the dashboard's card asks for: the unit's own level
    where the evaluation has one, else every row the caller may read."""
    if unit and unit[0] in ("district", "community"):
        return {unit[0]: unit[1], "level": unit[0]}
    if unit and unit[0] == "property_company":
        return {"property_company": unit[1]}
    return {}


@staff_member_required
def dashboard(request):
    """The statistics dashboard of one unit (or all of the caller's) for a
    period: ``?start=YYYY-MM&end=YYYY-MM`` and at most one of ``district``,
    ``subdistrict``, ``community``, ``grid``, ``property_company``."""
    if not request.user.has_perm(STATS_PERMISSION):
        raise PermissionDenied
    start, end = _period(request.GET.get("start", ""), request.GET.get("end", ""))
    unit = _requested_unit(request.GET)
    trail = dashboard_trail(user=request.user, kind=unit[0], pk=unit[1]) if unit else []
    page = reverse("stats-dashboard")

    def link(**unit_query) -> str:
        return f"{page}?{urlencode({'start': start, 'end': end, **unit_query})}"

    for step in trail:
        step["url"] = link(**{step["kind"]: step["id"]})
        step["kind_name"] = _kind_name(step["kind"])
    query = {"start": start, "end": end, **({unit[0]: unit[1]} if unit else {})}
    config = {
        "query": query,
        "dashboard": page,
        "language": request.LANGUAGE_CODE,
        "api": {
            name: reverse(f"stats-{name}")
            for name in (
                "summary",
                "series",
                "drilldown",
                "ranking",
                "targets",
                "case-mix",
                "evaluations",
            )
        },
        "evaluation_query": _evaluation_query(unit),
        "labels": _labels(),
    }
    return render(
        request,
        "stats/dashboard.html",
        {
            "config": config,
            "start": start,
            "end": end,
            "unit": trail[-1] if trail else None,
            "parents": trail[:-1],
            "root_url": link(),
            "up_url": trail[-2]["url"] if len(trail) > 1 else link(),
            "query_string": urlencode(query),
            "case_mix_tables": [
                ("case-mix-category", _("Category")),
                ("case-mix-repair-kind", _("Repair kind")),
                ("case-mix-channel", _("Channel")),
            ],
        },
    )


#: How many quarters of 红黑榜 the residents' page shows.
HONOUR_QUARTERS_SHOWN = 4


def honour_list_page(request, community_id: int):
    """The residents' page of a community's property companies: the district's
    published 红黑榜 of the last quarters, with the rules that made them.
    Public: company names and scores only."""
    community = get_object_or_404(
        Community.objects.select_related("subdistrict__district"), pk=community_id
    )
    companies = list(companies_serving(community=community))
    lists = [
        honour_list_record(honour)
        for honour in honour_list_for_community(community=community)[
            :HONOUR_QUARTERS_SHOWN
        ]
    ]
    return render(
        request,
        "stats/honour_list.html",
        {
            "community": community,
            "companies": companies,
            "serving_ids": {company.pk for company in companies},
            "lists": lists,
            "indicators": INDICATORS,
        },
    )
