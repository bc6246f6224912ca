from django.contrib import admin

from .models import AuditEvent, Notification, OutboxMessage
from .paging import CappedPaginator


class _SuperuserReadOnlyAdmin(admin.ModelAdmin):
    """Operational tables span every unit: superusers read them, nobody edits.
    They grow without end: no full count, pages up to the cap."""

    paginator = CappedPaginator
    show_full_result_count = False

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
