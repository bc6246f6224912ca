"""Read-only deliberation data for district dashboards, scoped to the caller."""

from django.db.models import Count, Prefetch, Q
from rest_framework import serializers, viewsets

from core.api.permissions import CanViewModel
from deliberation import selectors
from deliberation.models import ActionItem, AgendaTopic, MajorMatter, Meeting


class ActionItemOutputSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.name")

    class Meta:
        model = ActionItem
        fields = ["id", "title", "owner", "due_date", "status", "progress", "done_at"]


class TopicOutputSerializer(serializers.ModelSerializer):
    petition_number = serializers.CharField(
        source="petition.number", default=None, allow_null=True
    )
    action_items = ActionItemOutputSerializer(many=True)

    class Meta:
        model = AgendaTopic
        fields = [
            "id",
            "title",
            "source",
            "petition_number",
            "decision",
            "decision_text",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "action_items",
        ]


class MeetingOutputSerializer(serializers.ModelSerializer):
    body = serializers.CharField(source="body.name")
    community = serializers.CharField(source="body.community.name")
    attendee_count = serializers.IntegerField()
    topics = TopicOutputSerializer(many=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "body",
            "community",
            "starts_at",
            "ends_at",
            "place",
            "status",
            "attendee_count",
            "topics",
        ]


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [CanViewModel]
    """Meetings with their decisions and action items."""

    serializer_class = MeetingOutputSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return (
            selectors.meeting_list(user=self.request.user)
            .annotate(attendee_count=Count("attendance", distinct=True))
            .prefetch_related(
                Prefetch(
                    "topics",
                    queryset=AgendaTopic.objects.select_related(
                        "petition"
                    ).prefetch_related(
                        Prefetch(
                            "action_items",
                            queryset=ActionItem.objects.select_related("owner"),
                        )
                    ),
                )
            )
            .order_by("-starts_at")
        )


class ActionItemViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [CanViewModel]
    serializer_class = ActionItemOutputSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.action_item_list(user=self.request.user).order_by(
            "due_date", "id"
        )


class MajorMatterOutputSerializer(serializers.ModelSerializer):
    compound = serializers.CharField(source="compound.name")
    vote_count = serializers.IntegerField()
    agree_count = serializers.IntegerField()

    class Meta:
        model = MajorMatter
        fields = [
            "id",
            "title",
            "kind",
            "compound",
            "status",
            "party_decided_at",
            "owners_decided_at",
            "voting_opens_at",
            "voting_closes_at",
            "vote_count",
            "agree_count",
            "outcome",
        ]


class MajorMatterViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [CanViewModel]
    serializer_class = MajorMatterOutputSerializer
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        return (
            selectors.major_matter_list(user=self.request.user)
            .annotate(
                vote_count=Count("votes"),
                agree_count=Count("votes", filter=Q(votes__choice="agree")),
            )
            .order_by("-created_at")
        )
