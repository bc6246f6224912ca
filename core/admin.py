from django.contrib import admin
from django.contrib import messages as django_messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import AuditEvent, Heartbeat, Notification, OutboxMessage
from .outbox import outbox_retry
from .paging import CappedPaginator, RecentFilter


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
    list_filter = (RecentFilter.build("created_at"), "action")
    search_fields = ("target_repr", "action")
    list_select_related = ("actor",)


class OutboxStateFilter(admin.SimpleListFilter):
    """Filter the outbox by the state of its rows (dead ones first to look at)."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return OutboxMessage.State.choices

    def queryset(self, request, queryset):
        S = OutboxMessage.State
        unfinished = queryset.filter(done_at__isnull=True, dead_at__isnull=True)
        return {
            S.DONE: queryset.filter(done_at__isnull=False),
            S.DEAD: queryset.filter(dead_at__isnull=False, done_at__isnull=True),
            S.HANDED_ON: unfinished.filter(dispatched_at__isnull=False),
            S.RETRYING: unfinished.filter(
                dispatched_at__isnull=True, failing_since__isnull=False
            ),
            S.WAITING: unfinished.filter(
                dispatched_at__isnull=True, failing_since__isnull=True
            ),
        }.get(self.value(), queryset)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(_SuperuserReadOnlyAdmin):
    """Work after a change, until its task has done it. Dead rows (given up
    after a day of failures) show their error and can be retried here."""

    list_display = (
        "id",
        "task_name",
        "state_label",
        "created_at",
        "available_at",
        "done_at",
        "attempts",
        "short_error",
    )
    list_filter = (OutboxStateFilter, "task_name")
    search_fields = ("task_name", "dedupe_key")
    actions = ("retry",)

    @admin.display(description=_("state"))
    def state_label(self, obj):
        return OutboxMessage.State(obj.state).label

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:120]

    # The district staff are told of dead rows (core.outbox.outbox_alert_dead)
    # and may look at the outbox and retry; nobody edits or deletes a row.
    def has_module_permission(self, request):
        return request.user.has_perm("core.view_outboxmessage")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("core.view_outboxmessage")

    def has_retry_permission(self, request):
        return request.user.has_perm("core.change_outboxmessage")

    @admin.action(description=_("Retry the selected messages"), permissions=["retry"])
    def retry(self, request, queryset):
        messages = list(queryset.filter(done_at__isnull=True))
        for message in messages:
            outbox_retry(message=message)
        self.message_user(
            request,
            ngettext(
                "%(n)s message will be handed on again.",
                "%(n)s messages will be handed on again.",
                len(messages),
            )
            % {"n": len(messages)},
            level=django_messages.SUCCESS,
        )


@admin.register(Heartbeat)
class HeartbeatAdmin(_SuperuserReadOnlyAdmin):
    """When the relay and the schedule last proved that they run."""

    list_display = ("name", "at", "detail")


@admin.register(Notification)
class NotificationAdmin(_SuperuserReadOnlyAdmin):
    list_display = ("created_at", "subject", "user", "sent_at")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    exclude = ("phone",)  # residents' numbers stay out of the operations pages

    def get_exclude(self, request, obj=None):
        # A one-time code is the resident's alone, superusers included.
        if obj is not None and obj.kind == "phone_code":
            return (*self.exclude, "body", "params")
        return self.exclude
