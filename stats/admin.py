from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin

from grids.admin_access import AccessRecordedImportExportMixin
from grids.admin_base import RelatedChoicesFilter, ScopedModelAdmin
from grids.scoping import scope_queryset

from .models import (
    AssessmentItem,
    AssessmentScore,
    CaseMixMonthly,
    CommunityMonthly,
    CompanyEvaluation,
    DashboardToken,
    FeeCollection,
    GridMonthly,
    HonourList,
    PetitionMonthly,
    Target,
)
from .resources import FeeCollectionResource
from .selectors import covered_units
from .services import (
    assessment_score_enter,
    dashboard_token_create,
    dashboard_token_revoke,
    honour_list_publish,
)


def _scoped(model, *related):
    def selector(*, user):
        return scope_queryset(model.objects.select_related(*related), user)

    return staticmethod(selector)


class ReadOnlyRollupAdmin(
    AccessRecordedImportExportMixin, ExportMixin, ScopedModelAdmin
):
    """Roll-ups are rebuilt from the records, never edited; they export to CSV
    and Excel."""

    date_hierarchy = "month"
    list_filter = (("community", RelatedChoicesFilter),)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PetitionMonthly)
class PetitionMonthlyAdmin(ReadOnlyRollupAdmin):
    list_selector = _scoped(PetitionMonthly, "community", "grid", "property_company")
    list_display = (
        "month",
        "community",
        "grid",
        "property_company",
        "received",
        "closed",
        "closed_on_time",
        "rated",
        "satisfied",
        "complaints",
        "disputes_mediated",
        "refreshed_at",
    )


@admin.register(CaseMixMonthly)
class CaseMixMonthlyAdmin(ReadOnlyRollupAdmin):
    list_selector = _scoped(
        CaseMixMonthly, "community", "grid", "property_company", "category"
    )
    list_display = (
        "month",
        "community",
        "grid",
        "property_company",
        "category",
        "channel",
        "received",
        "closed",
        "closed_on_time",
        "rated",
        "satisfied",
        "reopened",
        "refreshed_at",
    )


@admin.register(CommunityMonthly)
class CommunityMonthlyAdmin(ReadOnlyRollupAdmin):
    list_selector = _scoped(CommunityMonthly, "community")
    list_display = (
        "month",
        "community",
        "meetings_held",
        "decisions",
        "action_items_due",
        "action_items_done_on_time",
        "activities",
        "verified_hours",
        "wishes_fulfilled",
        "compounds",
        "compounds_covered",
        "refreshed_at",
    )


@admin.register(GridMonthly)
class GridMonthlyAdmin(ReadOnlyRollupAdmin):
    list_selector = _scoped(GridMonthly, "community", "grid")
    list_display = (
        "month",
        "community",
        "grid",
        "patrols",
        "patrol_findings",
        "findings_to_cases",
        "visits",
        "care_households",
        "care_households_visited",
        "refreshed_at",
    )


@admin.register(FeeCollection)
class FeeCollectionAdmin(
    AccessRecordedImportExportMixin, ExportMixin, ScopedModelAdmin
):
    """Fee collection, entered monthly per compound by community staff."""

    list_selector = _scoped(FeeCollection, "compound__community", "entered_by")
    resource_classes = [FeeCollectionResource]
    list_display = (
        "month",
        "compound",
        "households_billed",
        "households_paid",
        "collection_rate",
        "amount_due",
        "amount_collected",
        "entered_by",
    )
    list_filter = (("compound__community", RelatedChoicesFilter),)
    date_hierarchy = "month"
    search_fields = ("compound__name",)
    autocomplete_fields = ()
    fields = (
        "compound",
        "month",
        "households_billed",
        "households_paid",
        "amount_due",
        "amount_collected",
        "note",
    )

    @admin.display(description=gettext_lazy("collection rate"))
    def collection_rate(self, obj):
        if not obj.households_billed:
            return "—"
        return f"{obj.households_paid / obj.households_billed:.1%}"

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Target)
class TargetAdmin(ScopedModelAdmin):
    list_selector = _scoped(Target, "district")
    list_display = ("metric", "value", "due_on", "district", "note")
    list_filter = ("metric",)


@admin.register(DashboardToken)
class DashboardTokenAdmin(ScopedModelAdmin):
    """Keys for dashboard screens, each bound to one unit. The key is shown once,
    when it is made; revoke a key that is lost."""

    list_selector = _scoped(DashboardToken, "district", "subdistrict", "community")
    list_display = (
        "name",
        "prefix",
        "district",
        "subdistrict",
        "community",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = (
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Offer only units the staff member holds whole: subdistrict staff see
        their district's name but may not hand out its figures."""
        if db_field.name in ("district", "subdistrict", "community"):
            kwargs["queryset"] = covered_units(user=request.user, kind=db_field.name)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "district", "subdistrict", "community", "expires_at")
        return ("name", "expires_at", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, key = dashboard_token_create(
            name=obj.name,
            unit=obj.district or obj.subdistrict or obj.community,
            created_by=request.user,
            expires_at=obj.expires_at,
        )
        obj.pk, obj.key_hash, obj.prefix = token.pk, token.key_hash, token.prefix
        self.message_user(
            request,
            _(
                "The key of “%(name)s” is %(key)s — copy it now: it is not shown "
                "again. Send it as the header “Authorization: Bearer <key>”."
            )
            % {"name": token.name, "key": key},
            messages.WARNING,
        )

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            dashboard_token_revoke(token=token, actor=request.user)
        self.message_user(request, _("Revoked."), messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        return False


# --- evaluation of property companies ---------------------------------------------


@admin.register(AssessmentItem)
class AssessmentItemAdmin(ScopedModelAdmin):
    """The district's own assessment items beside the platform's indicators."""

    list_selector = _scoped(AssessmentItem, "district")
    list_display = ("name", "weight", "district", "is_active", "position")
    list_filter = ("is_active",)


@admin.register(AssessmentScore)
class AssessmentScoreAdmin(ScopedModelAdmin):
    """A company's score on an item in a quarter, with its evidence; saving
    rebuilds that quarter's evaluations."""

    list_selector = _scoped(AssessmentScore, "item", "property_company", "entered_by")
    list_display = ("quarter", "property_company", "item", "score", "entered_by")
    list_filter = (("property_company", RelatedChoicesFilter),)
    date_hierarchy = "quarter"
    fields = ("item", "property_company", "quarter", "score", "evidence")

    def save_model(self, request, obj, form, change):
        saved = assessment_score_enter(
            item=obj.item,
            property_company=obj.property_company,
            quarter=obj.quarter,
            score=obj.score,
            evidence=obj.evidence,
            actor=request.user,
        )
        obj.pk = saved.pk


@admin.register(CompanyEvaluation)
class CompanyEvaluationAdmin(ScopedModelAdmin):
    """Evaluations are rebuilt from the records each night, never edited."""

    list_selector = _scoped(
        CompanyEvaluation, "property_company", "district", "community", "compound"
    )
    list_display = (
        "quarter",
        "level",
        "property_company",
        "community",
        "compound",
        "cases",
        "score",
        "computed_at",
    )
    list_filter = ("level", ("property_company", RelatedChoicesFilter))
    date_hierarchy = "quarter"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HonourList)
class HonourListAdmin(ScopedModelAdmin):
    """The published 红黑榜; adding one publishes a quarter's list."""

    list_selector = _scoped(HonourList, "district", "published_by")
    list_display = ("quarter", "district", "size", "published_at", "published_by")
    fields = ("district", "quarter", "size")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        honour = honour_list_publish(
            district=obj.district,
            quarter=obj.quarter,
            size=obj.size,
            actor=request.user,
        )
        obj.pk = honour.pk
