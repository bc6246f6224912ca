"""The district API: figures for a unit and period, read from the roll-ups.

Every endpoint is read-only, scoped to the caller's units (a staff session or
a dashboard token bound to one unit), and downloads as CSV or Excel with
``?format=csv`` / ``?format=xlsx``."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import authentication, renderers, serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ApiTokenAuthentication
from core import calendar
from stats.periods import default_start

from .. import selectors
from . import schemas
from .auth import DashboardTokenAuthentication
from .renderers import CSVRenderer, XLSXRenderer

#: A month from 1990 to 2099 (the platform's calendar), nothing after it.
MONTH = r"^(199\d|20\d\d)-(0[1-9]|1[0-2])\Z"
ID = {"required": False, "min_value": 1, "max_value": 2**63 - 1}


class CanReadStats(BasePermission):
    """Staff (or a dashboard token) holding the right to read statistics."""

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_active
            and user.is_staff
            and user.has_perm("stats.view_petitionmonthly")
        )


class PeriodQuerySerializer(serializers.Serializer):
    start = serializers.RegexField(MONTH, required=False, help_text="YYYY-MM")
    end = serializers.RegexField(MONTH, required=False, help_text="YYYY-MM")
    district = serializers.IntegerField(**ID)
    subdistrict = serializers.IntegerField(**ID)
    community = serializers.IntegerField(**ID)
    grid = serializers.IntegerField(**ID)
    property_company = serializers.IntegerField(**ID)

    #: The longest period one request may ask for.
    MAX_MONTHS = 120

    def validate(self, attrs):
        end = (
            calendar.parse_month(attrs["end"])
            if "end" in attrs
            else calendar.month_start(calendar.today())
        )
        if "start" in attrs:
            start = calendar.parse_month(attrs["start"])
        else:  # the twelve months up to the end
            start = default_start(end)
        if end < start:
            raise serializers.ValidationError(
                {"end": _("The end is before the start.")}
            )
        if (end.year - start.year) * 12 + end.month - start.month >= self.MAX_MONTHS:
            raise serializers.ValidationError(
                {"start": _("Ask for at most ten years at a time.")}
            )
        units = [k for k in selectors.AREA_KINDS if k in attrs]
        if len(units) > 1:
            raise serializers.ValidationError(
                _("Ask for one unit at a time: %(units)s.")
                % {"units": ", ".join(units)}
            )
        attrs["first"], attrs["last"] = start, end
        attrs["unit_kind"] = units[0] if units else None
        return attrs


_MONTH_SCHEMA = {"type": "string", "pattern": r"^(199\d|20\d\d)-(0[1-9]|1[0-2])$"}
_ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
PERIOD_PARAMETERS = [
    OpenApiParameter(
        "start", _MONTH_SCHEMA, description="YYYY-MM (default: 11 months ago)"
    ),
    OpenApiParameter("end", _MONTH_SCHEMA, description="YYYY-MM (default: this month)"),
    *[
        OpenApiParameter(
            kind, _ID_SCHEMA, description="one unit (default: all of yours)"
        )
        for kind in ("district", "subdistrict", "community", "grid", "property_company")
    ],
    OpenApiParameter("format", str, enum=["json", "csv", "xlsx"]),
]


class StatsApiView(APIView):
    """Parses the period and unit; subclasses compute and say how their answer
    reads as a table."""

    authentication_classes = [
        DashboardTokenAuthentication,
        authentication.SessionAuthentication,
        ApiTokenAuthentication,
    ]
    permission_classes = [CanReadStats]
    renderer_classes = [renderers.JSONRenderer, CSVRenderer, XLSXRenderer]
    # No OPTIONS description: it is not a table, and the schema says it all.
    metadata_class = None
    query_serializer = PeriodQuerySerializer
    name = "stats"

    def query(self, request) -> dict:
        # Given but empty (?start=, ?format=) is a bad value, not "the default".
        blank = [
            name
            for name in [*self.query_serializer().fields, "format"]
            if request.query_params.get(name) == ""
        ]
        if blank:
            raise serializers.ValidationError(
                {name: [_("This field may not be blank.")] for name in blank}
            )
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        kind = data["unit_kind"]
        data["area"] = selectors.area_for(
            user=request.user, kind=kind, pk=data.get(kind) if kind else None
        )
        return data

    def period(self, data) -> dict:
        return {
            "unit": data["area"].as_dict(),
            "start": data["first"].strftime("%Y-%m"),
            "end": data["last"].strftime("%Y-%m"),
        }

    def answer(self, request, selector, *, results: bool = False) -> Response:
        """Answer the period and what ``selector`` finds for the asked area
        (under ``results`` when it gives a list)."""
        data = self.query(request)
        found = selector(
            user=request.user,
            area=data["area"],
            first=data["first"],
            last=data["last"],
        )
        return Response(
            {**self.period(data), **({"results": found} if results else found)}
        )

    def export_name(self, data) -> str:
        return f"{self.name}-{data.get('start', '')}-{data.get('end', '')}"

    def table(self, data) -> list[dict]:
        return list(data["results"])


class SummaryApi(StatsApiView):
    """Every figure of a period for one unit (or all of the caller's): cases
    with rates, means and medians, open and overdue now, meetings, action
    items, volunteer service, coverage, fee collection, and the grids' field
    work (patrols, findings, home visits and their coverage)."""

    name = "summary"

    @extend_schema(
        parameters=PERIOD_PARAMETERS, responses=schemas.StatsSummarySerializer
    )
    def get(self, request):
        data = self.query(request)
        return Response(
            selectors.stats_summary(
                user=request.user,
                area=data["area"],
                first=data["first"],
                last=data["last"],
            )
        )

    def table(self, data):
        rows = []
        for section in (
            "cases",
            "now",
            "meetings_and_service",
            "coverage",
            "fees",
            "field_work",
        ):
            for figure, value in (data.get(section) or {}).items():
                rows.append({"section": section, "figure": figure, "value": value})
        return rows


class SeriesApi(StatsApiView):
    """One record per month of the period: the trend lines of the dashboards."""

    name = "series"

    @extend_schema(
        parameters=PERIOD_PARAMETERS, responses=schemas.StatsSeriesSerializer
    )
    def get(self, request):
        return self.answer(request, selectors.stats_series, results=True)


class RankingQuerySerializer(PeriodQuerySerializer):
    by = serializers.ChoiceField(choices=selectors.RANK_BY)
    min_cases = serializers.IntegerField(required=False, min_value=1, max_value=100000)


class RankingApi(StatsApiView):
    """Communities, subdistricts or property companies ranked by closure rate,
    on-time rate and satisfaction, among those with enough cases."""

    name = "ranking"
    query_serializer = RankingQuerySerializer

    @extend_schema(
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("by", str, required=True, enum=list(selectors.RANK_BY)),
            OpenApiParameter("min_cases", int),
        ],
        responses=schemas.StatsRankingSerializer,
    )
    def get(self, request):
        data = self.query(request)
        min_cases = data.get("min_cases", selectors.MIN_CASES_TO_RANK)
        return Response(
            {
                **self.period(data),
                "by": data["by"],
                "min_cases": min_cases,
                "results": selectors.petition_ranking(
                    user=request.user,
                    area=data["area"],
                    first=data["first"],
                    last=data["last"],
                    by=data["by"],
                    min_cases=min_cases,
                ),
            }
        )


class DrilldownApi(StatsApiView):
    """The units one level below: district → subdistricts → communities →
    grids, with their figures."""

    name = "drilldown"

    @extend_schema(
        parameters=PERIOD_PARAMETERS, responses=schemas.StatsDrilldownSerializer
    )
    def get(self, request):
        return self.answer(request, selectors.stats_drilldown)


class TargetsApi(StatsApiView):
    """Progress against the district's targets (seed 001's "363" system and
    fee collection): shares as they stand, changes against the year before."""

    name = "targets"

    @extend_schema(
        parameters=PERIOD_PARAMETERS, responses=schemas.StatsTargetsSerializer
    )
    def get(self, request):
        return self.answer(request, selectors.target_progress, results=True)


class CaseMixApi(StatsApiView):
    """Cases of a period by category (with its repair kind), by repair kind
    (public or paid) and by channel (form, QR code, meeting, patrol …): seed
    004's table of repairs by kind and of issues raised at meetings."""

    name = "case-mix"

    @extend_schema(
        parameters=PERIOD_PARAMETERS, responses=schemas.StatsCaseMixSerializer
    )
    def get(self, request):
        return self.answer(request, selectors.stats_case_mix)

    def table(self, data):
        rows = []
        for section, key in (
            ("by_category", "code"),
            ("by_repair_kind", "repair_kind"),
            ("by_channel", "channel"),
        ):
            for record in data.get(section) or []:
                rows.append(
                    {
                        "section": section,
                        "key": record[key],
                        "label": record["label"],
                        **{
                            k: record[k]
                            for k in (
                                "received",
                                "closed",
                                "closed_on_time",
                                "rated",
                                "satisfied",
                                "fairly_satisfied",
                                "reopened",
                                "closure_rate",
                                "satisfaction_rate",
                            )
                        },
                    }
                )
        return rows


class CanReadEvaluations(BasePermission):
    """Staff (or a dashboard token) holding the right to read evaluations:
    community and district staff, and a property company's own staff."""

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_active
            and user.has_perm("stats.view_companyevaluation")
        )


QUARTER = r"^(199\d|20\d\d)-[Qq][1-4]\Z"


class EvaluationQuerySerializer(serializers.Serializer):
    quarter = serializers.RegexField(QUARTER, required=False, help_text="YYYY-Qn")
    level = serializers.ChoiceField(
        choices=["compound", "community", "district"], required=False
    )
    property_company = serializers.IntegerField(**ID)
    district = serializers.IntegerField(**ID)
    community = serializers.IntegerField(**ID)
    compound = serializers.IntegerField(**ID)


_FILTERS = ("property_company", "district", "community", "compound")


class EvaluationListApi(StatsApiView):
    """Evaluations of property companies per quarter and unit (compound,
    community, district): one score with its breakdown, empty below the
    minimum number of cases; without ``quarter``, the last two years."""

    name = "evaluations"
    permission_classes = [CanReadEvaluations]
    query_serializer = EvaluationQuerySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("quarter", str, description="YYYY-Qn"),
            OpenApiParameter("level", str, enum=["compound", "community", "district"]),
            *[OpenApiParameter(name, _ID_SCHEMA) for name in _FILTERS],
            OpenApiParameter("format", str, enum=["json", "csv", "xlsx"]),
        ],
        responses=schemas.StatsEvaluationListSerializer,
    )
    def get(self, request):
        blank = [k for k, v in request.query_params.items() if v == ""]
        if blank:
            raise serializers.ValidationError(
                {name: [_("This field may not be blank.")] for name in blank}
            )
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        rows = selectors.evaluation_list(
            user=request.user,
            quarter=calendar.parse_quarter(data["quarter"])
            if "quarter" in data
            else None,
            level=data.get("level"),
            filters={k: data[k] for k in _FILTERS if k in data},
        )
        return Response({"results": [selectors.evaluation_record(row) for row in rows]})

    def export_name(self, data) -> str:
        return "evaluations"

    def table(self, data):
        rows = []
        for record in data.get("results") or []:
            for part in record["breakdown"]:
                rows.append(
                    {
                        "quarter": record["quarter"],
                        "level": record["level"],
                        "unit": record["unit"]["name"],
                        "property_company": record["property_company"]["name"],
                        "cases": record["cases"],
                        "score": record["score"],
                        "part": part["label"],
                        "weight": part["weight"],
                        "value": part["value"],
                        "part_score": part["score"],
                        "points": part["points"],
                        "basis": part["basis"],
                    }
                )
        return rows


class HonourListApi(StatsApiView):
    """The published 红黑榜 of the districts the caller may see, newest quarter
    first: the companies on each list with their scores, and the rules."""

    name = "honour-lists"
    permission_classes = [CanReadEvaluations]

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "csv", "xlsx"])],
        responses=schemas.StatsHonourListsSerializer,
    )
    def get(self, request):
        if request.query_params.get("format") == "":
            raise serializers.ValidationError(
                {"format": [_("This field may not be blank.")]}
            )
        return Response(
            {
                "results": [
                    selectors.honour_list_record(honour)
                    for honour in selectors.honour_list_list(user=request.user)
                ]
            }
        )

    def export_name(self, data) -> str:
        return "honour-lists"

    def table(self, data):
        return [
            {
                "quarter": record["quarter"],
                "district": record["district"],
                "list": side,
                "rank": rank,
                **entry,
            }
            for record in data.get("results") or []
            for side in ("red", "black")
            for rank, entry in enumerate(record[side], 1)
        ]
