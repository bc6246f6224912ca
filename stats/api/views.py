"""The district API: case figures for a unit and period, from the roll-ups."""

import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.models import Community
from grids.selectors import community_list, subdistrict_list

from .. import selectors


class SummaryQuerySerializer(serializers.Serializer):
    start = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", help_text="YYYY-MM")
    end = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", help_text="YYYY-MM")
    community = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1
    )
    subdistrict = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1
    )
    property_company = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1
    )

    def validate(self, attrs):
        attrs["start"] = datetime.datetime.strptime(attrs["start"], "%Y-%m").date()
        attrs["end"] = datetime.datetime.strptime(attrs["end"], "%Y-%m").date()
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError(
                {"end": _("The end is before the start.")}
            )
        return attrs


class PetitionSummaryApi(APIView):
    """Case figures of a period for the caller's units, or one community or
    subdistrict of them, or one property company, read from the roll-ups."""

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, required=True, description="YYYY-MM"),
            OpenApiParameter("end", str, required=True, description="YYYY-MM"),
            OpenApiParameter("community", int),
            OpenApiParameter("subdistrict", int),
            OpenApiParameter("property_company", int),
        ],
        responses=dict,
    )
    def get(self, request):
        query = SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        community_ids = None
        unit = {"kind": "all"}
        if "community" in data:
            community = get_object_or_404(
                community_list(user=request.user), pk=data["community"]
            )
            community_ids, unit = (
                [community.pk],
                {"kind": "community", "name": community.name},
            )
        elif "subdistrict" in data:
            subdistrict = get_object_or_404(
                subdistrict_list(user=request.user), pk=data["subdistrict"]
            )
            community_ids = list(
                Community.objects.filter(subdistrict=subdistrict).values_list(
                    "pk", flat=True
                )
            )
            unit = {"kind": "subdistrict", "name": subdistrict.name}
        figures = selectors.petition_summary(
            user=request.user,
            first=data["start"],
            last=data["end"],
            community_ids=community_ids,
            company_id=data.get("property_company"),
        )
        return Response(
            {
                "unit": unit,
                "start": data["start"].strftime("%Y-%m"),
                "end": data["end"].strftime("%Y-%m"),
                "cases": figures,
                "now": selectors.petition_open_now(
                    user=request.user, community_ids=community_ids
                ),
            }
        )


class RankingQuerySerializer(serializers.Serializer):
    start = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", help_text="YYYY-MM")
    end = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", help_text="YYYY-MM")
    by = serializers.ChoiceField(choices=["community", "property_company"])
    min_cases = serializers.IntegerField(required=False, min_value=1, max_value=100000)


class PetitionRankingApi(APIView):
    """Communities or property companies ranked by closure rate, on-time rate
    and satisfaction, among those with enough cases to be compared."""

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, required=True, description="YYYY-MM"),
            OpenApiParameter("end", str, required=True, description="YYYY-MM"),
            OpenApiParameter(
                "by", str, required=True, enum=["community", "property_company"]
            ),
            OpenApiParameter("min_cases", int),
        ],
        responses=dict,
    )
    def get(self, request):
        query = RankingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        first = datetime.datetime.strptime(data["start"], "%Y-%m").date()
        last = datetime.datetime.strptime(data["end"], "%Y-%m").date()
        kwargs = {"min_cases": data["min_cases"]} if "min_cases" in data else {}
        return Response(
            {
                "by": data["by"],
                "start": data["start"],
                "end": data["end"],
                "min_cases": kwargs.get("min_cases", selectors.MIN_CASES_TO_RANK),
                "results": selectors.petition_ranking(
                    user=request.user, first=first, last=last, by=data["by"], **kwargs
                ),
            }
        )
