"""Residents' remembered devices and contact choices in the admin: superusers
read them (they span every unit, keyed by phone) and may sign devices out."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.paging import CappedPaginator
from core.phones import mask_mobile
from grids.models import RememberedDevice, ResidentContact

from . import services


class _SuperuserOnly(admin.ModelAdmin):
    paginator = CappedPaginator
    show_full_result_count = False
    search_fields = ("=phone",)

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return mask_mobile(obj.phone)


@admin.register(RememberedDevice)
class RememberedDeviceAdmin(_SuperuserOnly):
    list_display = ("masked_phone", "created_at", "expires_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    fields = ("masked_phone", "created_at", "expires_at", "revoked_at", "user_agent")
    readonly_fields = fields
    actions = ["forget_selected"]

    @admin.action(description=_("Sign the selected devices out"))
    def forget_selected(self, request, queryset):
        devices = list(queryset.filter(revoked_at__isnull=True))
        for device in devices:
            services.device_forget(device=device)
        messages.success(
            request,
            ngettext(
                "%(n)s device signed out.", "%(n)s devices signed out.", len(devices)
            )
            % {"n": len(devices)},
        )


@admin.register(ResidentContact)
class ResidentContactAdmin(_SuperuserOnly):
    list_display = ("masked_phone", "verified_at", "messages_stopped_at")
    list_filter = (("messages_stopped_at", admin.EmptyFieldListFilter),)
    fields = ("masked_phone", "verified_at", "messages_stopped_at", "created_at")
    readonly_fields = fields
