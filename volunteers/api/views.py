"""Read-only volunteer data for dashboards: activities, verified hours, wishes,
stations and stock. Scoped; only verified hours are ever summed."""

from django.db.models import Count, Sum
from rest_framework import serializers, viewsets

from core.api.permissions import CanViewModel
from volunteers import selectors
from volunteers.models import Activity, SignUp, Station, StockItem, Wish


class ActivityOutputSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name")
    confirmed = serializers.IntegerField()
    waiting = serializers.IntegerField()
    verified_hours = serializers.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "kind",
            "community",
            "place",
            "starts_at",
            "ends_at",
            "capacity",
            "confirmed",
            "waiting",
            "beneficiaries",
            "verified_hours",
        ]


class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [CanViewModel]
    serializer_class = ActivityOutputSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        return (
            selectors.activity_list(user=self.request.user)
            .annotate(
                verified_hours=Sum(
                    "signups__verified_hours",
                    filter=SignUp.counted_q("signups__"),
                    default=0,
                )
            )
            .order_by("-starts_at")
        )


class WishOutputSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name")

    class Meta:
        model = Wish
        fields = [
            "id",
            "title",
            "beneficiary_kind",
            "community",
            "status",
            "created_at",
            "confirmed_at",
            "rating",
        ]


class WishViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [CanViewModel]
    serializer_class = WishOutputSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.wish_list(user=self.request.user).order_by("-created_at")


class StockOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockItem
        fields = [
            "id",
            "kind",
            "item_class",
            "name",
            "quantity",
            "min_quantity",
            "expiry_date",
            "next_inspection_date",
        ]


class StationOutputSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name")
    stock = StockOutputSerializer(many=True)
    rescuers = serializers.IntegerField(source="rescuer_count")

    class Meta:
        model = Station
        fields = [
            "id",
            "name",
            "community",
            "also_covers",
            "key_holders",
            "is_open_24h",
            "rescuers",
            "stock",
        ]


class StationViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [CanViewModel]
    serializer_class = StationOutputSerializer

    def get_queryset(self):
        return (
            selectors.station_list(user=self.request.user)
            .annotate(rescuer_count=Count("rescuers", distinct=True))
            .prefetch_related("stock")
            .order_by("name")
        )
