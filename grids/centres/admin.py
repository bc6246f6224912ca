"""Service centres and their duty rota in the staff admin (written through
``org_object_save`` like the rest of the registry)."""

from django.contrib import admin

from ..admin_base import RelatedChoicesFilter, ScopedModelAdmin
from .models import DutyShift, ServiceCentre
from .selectors import duty_shift_list, service_centre_list


@admin.register(ServiceCentre)
class ServiceCentreAdmin(ScopedModelAdmin):
    list_selector = staticmethod(service_centre_list)
    list_display = (
        "name",
        "kind",
        "community",
        "compound",
        "opening_hours",
        "is_active",
    )
    list_filter = ("kind", "is_active", ("community", RelatedChoicesFilter))
    search_fields = ("name",)


@admin.register(DutyShift)
class DutyShiftAdmin(ScopedModelAdmin):
    list_selector = staticmethod(duty_shift_list)
    list_display = ("duty_date", "starts_at", "ends_at", "centre", "person", "service")
    list_filter = (("centre", RelatedChoicesFilter),)
    date_hierarchy = "duty_date"
    raw_id_fields = ("person",)
