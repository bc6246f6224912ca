"""Staff admin of deliberation (first slice): bodies and meetings are edited
through the registry service; a major matter's steps (party review, votes,
decision) are shown here and taken through ``deliberation.services``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from grids.admin_base import RelatedChoicesFilter, ScopedModelAdmin

from . import selectors
from .models import DeliberationBody, MajorMatter, MajorMatterEvent, Meeting, OwnerVote


@admin.register(DeliberationBody)
class DeliberationBodyAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.body_list)
    list_display = ("name", "kind", "community", "compound", "rule", "place")
    list_filter = ("kind", "rule", ("community", RelatedChoicesFilter))
    search_fields = ("name",)


@admin.register(Meeting)
class MeetingAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.meeting_list)
    list_display = ("body", "starts_at", "place", "status", "series_date")
    list_filter = ("status", ("body", RelatedChoicesFilter))
    date_hierarchy = "starts_at"
    readonly_fields = ("series_date", "status")


class MajorMatterEventInline(admin.TabularInline):
    model = MajorMatterEvent
    fields = ("created_at", "actor", "action", "from_status", "to_status", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("major-matter timeline")

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("deliberation.view_majormatter")


class OwnerVoteInline(MajorMatterEventInline):
    model = OwnerVote
    fields = ("household", "choice", "floor_area", "recorded_by", "recorded_at")
    readonly_fields = fields
    verbose_name_plural = _("owners' votes")


@admin.register(MajorMatter)
class MajorMatterAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.major_matter_list)
    list_display = ("title", "kind", "compound", "status", "party_decided_at")
    list_filter = ("status", "kind", ("compound", RelatedChoicesFilter))
    search_fields = ("title",)
    # The state moves only through the services (party first, then owners).
    readonly_fields = (
        "status",
        "party_opinion",
        "party_decided_at",
        "outcome",
        "owners_decided_at",
    )
    inlines = [OwnerVoteInline, MajorMatterEventInline]

    def has_delete_permission(self, request, obj=None):
        return False
