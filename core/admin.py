from django.contrib import admin

from grids.admin_base import ScopedModelAdmin

from .models import AuditEvent, Notification, OutboxMessage, PersonalDataAccess
from .selectors import personal_data_access_list


class _SuperuserReadOnlyAdmin(admin.ModelAdmin):
    """Operational tables span every unit: superusers read them, nobody edits."""

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


@admin.register(AuditEvent)
class AuditEventAdmin(_SuperuserReadOnlyAdmin):
    """The audit trail, read-only and for superusers: it spans every unit."""

    list_display = ("created_at", "actor", "action", "target_repr")
    list_filter = ("action",)
    search_fields = ("target_repr", "action")
    list_select_related = ("actor",)
    date_hierarchy = "created_at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(_SuperuserReadOnlyAdmin):
    """Work waiting for the broker; rows with many attempts need a look."""

    list_display = (
        "id",
        "task_name",
        "created_at",
        "dispatched_at",
        "attempts",
        "last_error",
    )
    list_filter = (("dispatched_at", admin.EmptyFieldListFilter), "task_name")


@admin.register(Notification)
class NotificationAdmin(_SuperuserReadOnlyAdmin):
    list_display = ("created_at", "subject", "user", "sent_at")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    exclude = ("phone",)  # residents' numbers stay out of the operations pages


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ScopedModelAdmin):
    """Who exported, imported or saw residents' personal data. Community,
    subdistrict and district staff read the rows of their units; nobody adds,
    changes or deletes one here (nor anywhere: the table is append-only)."""

    list_selector = staticmethod(personal_data_access_list)
    list_display = (
        "created_at",
        "actor_label",
        "action",
        "subject",
        "object_repr",
        "row_count",
        "fields",
        "ip_address",
        "community",
    )
    list_filter = ("action", "subject")
    search_fields = ("actor_label", "object_repr", "ip_address")
    date_hierarchy = "created_at"
    list_select_related = ("community",)
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
