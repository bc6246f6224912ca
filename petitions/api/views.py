"""The staff REST API of resident reports: one class per operation.

Reads come from ``petitions.selectors`` (scoped); writes go to
``petitions.services``. Reporters' names and numbers are masked unless the
caller handles the case.
"""

import django_filters
import django_filters.rest_framework
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import StrictBooleanField, StrictCharField, StrictRegexField
from core.api.filters import (
    BoundedDateTimeFilter,
    IdFilter,
    StrictBooleanFilter,
    refuse_blank_filters,
)
from core.api.pagination import StrictPaginationMixin
from core.api.parsers import SafeJSONParser
from core.scrub import scrub
from grids.models import Building, Person
from grids.personal_data import personal_data_record
from grids.scoping import scope_queryset

from .. import selectors, services
from ..models import Category, Department, Petition
from ..workflow import STAFF_ACTIONS, TRANSITIONS


class PetitionCursorPagination(StrictPaginationMixin, CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-id")


class PetitionFilter(django_filters.FilterSet):
    """Filters take plain values: an id outside the caller's units finds nothing,
    exactly like one that does not exist."""

    status = django_filters.MultipleChoiceFilter(choices=Petition.Status.choices)
    category = django_filters.CharFilter(field_name="category__code")
    community = IdFilter(field_name="community")
    grid = IdFilter(field_name="grid")
    property_company = IdFilter(field_name="compound__property_company")
    handler = IdFilter(field_name="handler")
    created_after = BoundedDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = BoundedDateTimeFilter(field_name="created_at", lookup_expr="lt")
    overdue = StrictBooleanFilter(method="filter_overdue")

    def filter_overdue(self, queryset, name, value):
        condition = selectors.petition_overdue_q()
        return queryset.filter(condition) if value else queryset.exclude(condition)


class PetitionOutputSerializer(serializers.ModelSerializer):
    status_display = serializers.SerializerMethodField()
    category_code = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    community = serializers.CharField(source="community.name")
    grid = serializers.CharField(source="grid.name", default=None, allow_null=True)
    place = serializers.CharField()
    handler = serializers.CharField(
        source="handler.name", default=None, allow_null=True
    )
    reporter_name = serializers.SerializerMethodField()
    reporter_phone = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField()

    class Meta:
        model = Petition
        fields = [
            "id",
            "number",
            "status",
            "status_display",
            "category_code",
            "category_name",
            "description",
            "community",
            "grid",
            "place",
            "reporter_name",
            "reporter_phone",
            "is_anonymous",
            "channel",
            "handler",
            "escalation_level",
            "accept_due_at",
            "resolve_due_at",
            "is_overdue",
            "rating",
            "created_at",
            "updated_at",
            "version",
        ]

    def get_status_display(self, petition) -> str:
        # Cheaper per row than source="get_status_display" (the serializer
        # inspects that method anew on every row).
        return Petition.Status(petition.status).label

    def _visible(self, petition) -> bool:
        return selectors.petition_contact_visible(
            user=self.context["request"].user, petition=petition
        )

    def get_reporter_name(self, petition) -> str:
        if self._visible(petition):
            return petition.reporter_name
        return petition.masked_reporter_name

    def get_reporter_phone(self, petition) -> str:
        if self._visible(petition):
            return petition.reporter_phone
        return petition.masked_reporter_phone

    def get_description(self, petition) -> str:
        # Numbers typed into the text are the reporter's contact too.
        if self._visible(petition):
            return petition.description
        return scrub(petition.description)


class EventOutputSerializer(serializers.Serializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor_label")
    note = serializers.CharField()
    is_public = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class PetitionDetailOutputSerializer(PetitionOutputSerializer):
    timeline = serializers.SerializerMethodField()
    answers = serializers.JSONField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(PetitionOutputSerializer.Meta):
        fields = [
            *PetitionOutputSerializer.Meta.fields,
            "answers",
            "allowed_actions",
            "timeline",
        ]

    @extend_schema_field(EventOutputSerializer(many=True))
    def get_timeline(self, petition) -> list:
        events = EventOutputSerializer(petition.events.all(), many=True).data
        if not self._visible(petition):
            for event in events:
                event["note"] = scrub(event["note"])
        return events

    def get_allowed_actions(self, petition) -> list[str]:
        return [a for a in STAFF_ACTIONS if petition.status in TRANSITIONS[a].sources]


def _contact_shown(request, petition) -> bool:
    return bool(petition.reporter_phone) and selectors.petition_contact_visible(
        user=request.user, petition=petition
    )


def _record_contacts(request, petitions: list) -> None:
    """Record that the caller received these reporters' numbers unmasked."""
    if not petitions:
        return
    personal_data_record(
        request=request,
        action="view",
        subject="petitions.petition",
        rows=len(petitions),
        obj=petitions[0] if len(petitions) == 1 else None,
        fields=("reporter_name", "reporter_phone"),
    )


class PetitionListApi(APIView):
    """List the cases the caller may see, newest first (cursor pagination)."""

    # Read by the schema: the answer is a cursor page, with its parameters.
    pagination_class = PetitionCursorPagination

    # Declared for the OpenAPI schema; the filter is applied in ``get``.
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = PetitionFilter

    def get_queryset(self):
        return selectors.petition_list(user=self.request.user)

    @extend_schema(responses=PetitionOutputSerializer(many=True))
    def get(self, request):
        refuse_blank_filters(request.query_params, PetitionFilter.base_filters)
        filterset = PetitionFilter(request.query_params, queryset=self.get_queryset())
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        paginator = PetitionCursorPagination()
        page = paginator.paginate_queryset(filterset.qs, request, view=self)
        data = PetitionOutputSerializer(
            page, many=True, context={"request": request}
        ).data
        _record_contacts(request, [p for p in page if _contact_shown(request, p)])
        return paginator.get_paginated_response(data)


class PetitionDetailApi(APIView):
    """One case with its whole timeline (internal notes included for staff)."""

    @extend_schema(responses=PetitionDetailOutputSerializer)
    def get(self, request, petition_id: int):
        petition = selectors.petition_detail(user=request.user, pk=petition_id)
        data = PetitionDetailOutputSerializer(
            petition, context={"request": request}
        ).data
        if _contact_shown(request, petition):
            _record_contacts(request, [petition])
        return Response(data)


class PetitionCreateApi(APIView):
    """File a case on a resident's behalf (phone call, visit, meeting, chat group)."""

    # JSON only: the schema documents exactly what the API reads.
    parser_classes = [SafeJSONParser]

    class InputSerializer(serializers.Serializer):
        # A category's code; one that does not exist answers 404, like the
        # building.
        category = StrictRegexField(r"^[-\w]{1,40}$", max_length=40)
        description = StrictCharField(max_length=2000)
        building = serializers.IntegerField()
        place_detail = StrictCharField(max_length=100, required=False, default="")
        reporter_name = StrictCharField(max_length=50, required=False, default="")
        reporter_phone = StrictCharField(max_length=20, required=False, default="")
        is_anonymous = StrictBooleanField(required=False, default=False)
        channel = serializers.ChoiceField(
            choices=[
                Petition.Channel.PHONE,
                Petition.Channel.VISIT,
                Petition.Channel.MEETING,
                Petition.Channel.CHAT_GROUP,
            ]
        )
        answers = serializers.DictField(required=False, default=dict)
        idempotency_key = serializers.UUIDField(required=False)

    @extend_schema(request=InputSerializer, responses={201: PetitionOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["category"] = get_object_or_404(
            Category.objects.filter(is_active=True), code=values["category"]
        )
        building = get_object_or_404(
            scope_queryset(
                Building.objects.select_related("compound__community", "grid"),
                request.user,
            ),
            pk=values.pop("building"),
        )
        petition, created = services.petition_submit(
            building=building, filed_by=request.user, **values
        )
        return Response(
            PetitionOutputSerializer(petition, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


_ID_FIELD = {"min_value": 1, "max_value": 2**63 - 1}
#: What some steps take and others must not be given.
_STEP_FIELDS = ("handler", "department", "merge_into")


def _transition_input(action: str) -> type[serializers.Serializer]:
    """The input of one step, as the workflow declares it: what the step needs
    is required (a note with some text in it), and nothing else is asked."""
    needs = TRANSITIONS[action].needs
    fields = {
        "note": (
            StrictRegexField(r"\S", max_length=2000)
            if "note" in needs
            else StrictCharField(
                max_length=2000, required=False, default="", allow_blank=True
            )
        ),
        "is_public": StrictBooleanField(required=False, default=True),
        "expected_version": serializers.IntegerField(min_value=1, max_value=2**31 - 1),
    }
    for name in _STEP_FIELDS:
        if name in needs:
            fields[name] = serializers.IntegerField(**_ID_FIELD)

    def validate(self, attrs):
        # A step cannot quietly change what another step sets (the handler).
        unwanted = [
            n for n in _STEP_FIELDS if n not in needs and n in self.initial_data
        ]
        if unwanted:
            raise serializers.ValidationError(
                dict.fromkeys(unwanted, _("This step does not take this field."))
            )
        return attrs

    fields["validate"] = validate
    name = "".join(p.capitalize() for p in action.split("_"))
    return type(f"Petition{name}Input", (serializers.Serializer,), fields)


class _PetitionTransitionApi(APIView):
    """Base of the one-endpoint-per-transition APIs."""

    action = ""
    input_serializer: type[serializers.Serializer]
    parser_classes = [SafeJSONParser]

    def act(self, request, petition_id: int):
        petition = get_object_or_404(
            selectors.petition_list(user=request.user), pk=petition_id
        )
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        kwargs = {
            "note": values["note"],
            "is_public": values["is_public"],
            "expected_version": values["expected_version"],
        }
        if "handler" in values:
            kwargs["handler"] = get_object_or_404(
                scope_queryset(Person.objects.all(), request.user), pk=values["handler"]
            )
        if "department" in values:
            kwargs["department"] = get_object_or_404(
                Department, pk=values["department"]
            )
        if "merge_into" in values:
            kwargs["merge_into"] = get_object_or_404(
                selectors.petition_list(user=request.user), pk=values["merge_into"]
            )
        petition = services.petition_transition(
            petition=petition, action=self.action, actor=request.user, **kwargs
        )
        petition = selectors.petition_detail(user=request.user, pk=petition.pk)
        return Response(
            PetitionDetailOutputSerializer(petition, context={"request": request}).data
        )


def _transition_api(action: str) -> type[APIView]:
    name = "Petition" + "".join(p.capitalize() for p in action.split("_")) + "Api"

    input_serializer = _transition_input(action)

    @extend_schema(
        request=input_serializer,
        responses=PetitionDetailOutputSerializer,
        operation_id=f"petitions_{action}",
        description=f"Apply “{action}” to a case (see petitions.workflow).",
    )
    def post(self, request, petition_id: int):
        return self.act(request, petition_id)

    return type(
        name,
        (_PetitionTransitionApi,),
        {"action": action, "post": post, "input_serializer": input_serializer},
    )


TRANSITION_APIS = {action: _transition_api(action) for action in STAFF_ACTIONS}
