from django.contrib import admin

from grids.admin_base import RelatedChoicesFilter, ScopedModelAdmin
from grids.scoping import scope_queryset

from .models import PetitionMonthly


def _monthly_list(*, user):
    return scope_queryset(
        PetitionMonthly.objects.select_related("community", "property_company"), user
    )


@admin.register(PetitionMonthly)
class PetitionMonthlyAdmin(ScopedModelAdmin):
    """The roll-ups, read-only: they are rebuilt from the cases, never edited."""

    list_selector = staticmethod(_monthly_list)
    list_display = (
        "month",
        "community",
        "property_company",
        "received",
        "closed",
        "closed_on_time",
        "rated",
        "satisfied",
        "refreshed_at",
    )
    list_filter = (("community", RelatedChoicesFilter),)
    date_hierarchy = "month"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
