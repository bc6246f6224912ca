"""What the statistics endpoints answer, for the OpenAPI schema (district
clients generate their code from it). The answers are built by the selectors;
these serializers only describe them."""

from rest_framework import serializers

from ..models import (
    CARE_FIGURES,
    CASE_MIX_FIGURES,
    COMMUNITY_FIGURES,
    COVERAGE_FIGURES,
    FIELD_FIGURES,
    PETITION_FIGURES,
)
from ..selectors import INTERNAL_FIGURES

CASE_COUNTS = [f for f in PETITION_FIGURES if f not in INTERNAL_FIGURES]
CASE_RATES = [
    "closure_rate",
    "accepted_on_time_rate",
    "closed_on_time_rate",
    "satisfaction_rate",
    "reopen_rate",
    "mean_hours_to_accept",
    "mean_hours_to_close",
    "median_hours_to_accept",
    "median_hours_to_close",
]


def _figures(
    name: str, counts, rates=(), extra=None, optional=()
) -> type[serializers.Serializer]:
    """A serializer of whole counts and of rates or hours (empty when there is
    nothing to divide by). ``optional`` figures are answered only for some
    units (meetings and coverage not for a grid or a property company, field
    work not for a property company), so the schema does not require them."""

    fields = {f: serializers.IntegerField(required=f not in optional) for f in counts}
    fields |= {
        f: serializers.FloatField(allow_null=True, required=f not in optional)
        for f in rates
    }
    fields |= extra or {}
    return type(name, (serializers.Serializer,), fields)


CaseFigures = _figures("StatsCaseFigures", CASE_COUNTS, CASE_RATES)
NowFigures = _figures("StatsOpenNow", ["open", "overdue"])
ServiceFigures = _figures(
    "StatsMeetingsAndService",
    [f for f in COMMUNITY_FIGURES if f != "verified_hours"],
    ["verified_hours", "action_items_on_time_rate"],
)
CoverageFigures = _figures(
    "StatsCoverage",
    [*COVERAGE_FIGURES, "companies", "companies_with_party_org"],
    [
        "coverage_rate",
        "ab_coverage_rate",
        "three_no_self_governed_rate",
        "company_party_org_rate",
    ],
    {"as_of": serializers.CharField(allow_null=True, help_text="YYYY-MM")},
)
FieldFigures = _figures(
    "StatsFieldWork",
    [*FIELD_FIGURES, *CARE_FIGURES],
    ["visit_coverage_rate"],
    {
        "as_of": serializers.CharField(
            allow_null=True,
            help_text="YYYY-MM: the month the coverage figures are of",
        )
    },
)
FeeFigures = _figures(
    "StatsFees",
    ["households_billed", "households_paid"],
    ["amount_due", "amount_collected", "collection_rate", "amount_rate"],
)


class StatsUnitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[
            "all",
            "district",
            "subdistrict",
            "community",
            "grid",
            "property_company",
        ]
    )
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class StatsPeriodSerializer(serializers.Serializer):
    unit = StatsUnitSerializer()
    start = serializers.CharField(help_text="YYYY-MM")
    end = serializers.CharField(help_text="YYYY-MM")


class StatsSummarySerializer(StatsPeriodSerializer):
    cases = CaseFigures()
    now = NowFigures()
    meetings_and_service = ServiceFigures(
        allow_null=True, help_text="Empty for a grid or a property company."
    )
    coverage = CoverageFigures(
        allow_null=True, help_text="Empty for a grid or a property company."
    )
    fees = FeeFigures()
    field_work = FieldFigures(
        allow_null=True,
        help_text="Patrols, findings, home visits and the visit coverage of "
        "households under a care plan; empty for a property company.",
    )


SeriesMonth = _figures(
    "StatsSeriesMonth",
    CASE_COUNTS
    + [f for f in COMMUNITY_FIGURES if f != "verified_hours"]
    + list(FIELD_FIGURES),
    [
        *CASE_RATES,
        "verified_hours",
        "action_items_on_time_rate",
        "coverage_rate",
        "ab_coverage_rate",
        "fee_collection_rate",
        "visit_coverage_rate",
    ],
    {"month": serializers.CharField(help_text="YYYY-MM")},
    optional=(
        *COMMUNITY_FIGURES,
        "action_items_on_time_rate",
        "coverage_rate",
        "ab_coverage_rate",
        *FIELD_FIGURES,
        "visit_coverage_rate",
    ),
)


class StatsSeriesSerializer(StatsPeriodSerializer):
    results = SeriesMonth(many=True)


RankedUnit = _figures(
    "StatsRankedUnit",
    ["rank", "id", *CASE_COUNTS],
    CASE_RATES,
    {"name": serializers.CharField()},
)


class StatsRankingSerializer(StatsPeriodSerializer):
    by = serializers.CharField()
    min_cases = serializers.IntegerField()
    results = RankedUnit(many=True)


ChildUnit = _figures(
    "StatsChildUnit",
    ["id", *CASE_COUNTS, "open", "overdue", "meetings_held", *FIELD_FIGURES],
    [*CASE_RATES, "verified_hours", "visit_coverage_rate"],
    {"kind": serializers.CharField(), "name": serializers.CharField()},
    optional=("meetings_held", "verified_hours"),
)


class StatsDrilldownSerializer(StatsPeriodSerializer):
    level = serializers.CharField(allow_null=True)
    results = ChildUnit(many=True)


class StatsTargetProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    metric = serializers.CharField()
    label = serializers.CharField()
    district = serializers.CharField()
    target = serializers.FloatField()
    due_on = serializers.DateField()
    value = serializers.FloatField(allow_null=True)
    baseline = serializers.IntegerField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)
    overdue = serializers.BooleanField()
    note = serializers.CharField()


class StatsTargetsSerializer(StatsPeriodSerializer):
    results = StatsTargetProgressSerializer(many=True)


MIX_RATES = ["closure_rate", "closed_on_time_rate", "satisfaction_rate"]
MIX_COUNTS = list(CASE_MIX_FIGURES)
MixCategory = _figures(
    "StatsMixCategory",
    ["category_id", *MIX_COUNTS],
    MIX_RATES,
    {
        "code": serializers.CharField(),
        "name": serializers.CharField(),
        "label": serializers.CharField(),
        "group": serializers.CharField(),
        "repair_kind": serializers.CharField(
            allow_blank=True, help_text="public, paid, or empty: not a repair"
        ),
    },
)
MixRepairKind = _figures(
    "StatsMixRepairKind",
    MIX_COUNTS,
    MIX_RATES,
    {"repair_kind": serializers.CharField(), "label": serializers.CharField()},
)
MixChannel = _figures(
    "StatsMixChannel",
    MIX_COUNTS,
    MIX_RATES,
    {"channel": serializers.CharField(), "label": serializers.CharField()},
)


class StatsCaseMixSerializer(StatsPeriodSerializer):
    by_category = MixCategory(many=True)
    by_repair_kind = MixRepairKind(many=True)
    by_channel = MixChannel(many=True)


class EvaluationPartSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="an indicator, or item-<id>")
    kind = serializers.ChoiceField(choices=["platform", "assessment"])
    label = serializers.CharField()
    weight = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(allow_null=True, help_text="0 to 100")
    points = serializers.FloatField(
        allow_null=True, help_text="what the part adds to the score"
    )
    basis = serializers.CharField(help_text="what the value was read from")


class EvaluationUnitSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()


class EvaluationCompanySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class StatsEvaluationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    quarter = serializers.CharField(help_text="YYYY-Qn")
    level = serializers.ChoiceField(choices=["compound", "community", "district"])
    unit = EvaluationUnitSerializer()
    property_company = EvaluationCompanySerializer()
    cases = serializers.IntegerField()
    min_cases = serializers.IntegerField()
    score = serializers.FloatField(
        allow_null=True, help_text="empty below the minimum number of cases"
    )
    breakdown = EvaluationPartSerializer(many=True)


class StatsEvaluationListSerializer(serializers.Serializer):
    results = StatsEvaluationSerializer(many=True)


class HonourEntrySerializer(serializers.Serializer):
    company_id = serializers.IntegerField()
    company = serializers.CharField()
    score = serializers.FloatField()
    cases = serializers.IntegerField()


class HonourRulesSerializer(serializers.Serializer):
    size = serializers.IntegerField()
    black_below = serializers.FloatField()
    min_cases = serializers.IntegerField()
    scored = serializers.IntegerField()
    weights = serializers.DictField(child=serializers.IntegerField())


class StatsHonourListSerializer(serializers.Serializer):
    district = serializers.CharField()
    quarter = serializers.CharField(help_text="YYYY-Qn")
    published_at = serializers.DateTimeField()
    red = HonourEntrySerializer(many=True)
    black = HonourEntrySerializer(many=True)
    rules = HonourRulesSerializer()


class StatsHonourListsSerializer(serializers.Serializer):
    results = StatsHonourListSerializer(many=True)
