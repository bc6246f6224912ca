from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from core.calendar import today
from core.paging import RecentFilter
from core.phones import mask_mobile

from . import selectors
from .admin_access import AccessRecordedImportExportMixin
from .admin_base import (
    ReadOnlyInline,
    RelatedChoicesFilter,
    ScopedInline,
    ScopedModelAdmin,
)
from .models import (
    Building,
    CarePlan,
    Community,
    Compound,
    District,
    Grid,
    Household,
    HouseholdTag,
    OwnersCommittee,
    PartyMember,
    PartyOrganization,
    Patrol,
    PatrolEvent,
    PatrolFinding,
    Person,
    PersonalDataAccess,
    PropertyCompany,
    Role,
    Subdistrict,
    Tag,
    Unit,
    Visit,
)
from .residents import admin as residents_admin  # noqa: F401 - registers its admins
from .resources import (
    HouseholdResource,
    HouseholdTagResource,
    PartyMemberResource,
    PersonResource,
)
from .services import role_end
from .workflow import patrol_event_label

RelatedOnly = RelatedChoicesFilter


def _changelist_link(model, count, **filters):
    """Return ``count`` linking to the changelist of ``model`` with ``filters``."""
    url = reverse(f"admin:grids_{model._meta.model_name}_changelist")
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return format_html('<a href="{}?{}">{}</a>', url, query, count)


class ScopedImportExportMixin(AccessRecordedImportExportMixin, ImportExportMixin):
    """Hand the signed-in user to the resource: lookups and saves are scoped;
    every export and import is recorded (core.access)."""

    def get_import_resource_kwargs(self, request, **kwargs):
        return {
            **super().get_import_resource_kwargs(request, **kwargs),
            "user": request.user,
        }

    def get_export_resource_kwargs(self, request, **kwargs):
        return {
            **super().get_export_resource_kwargs(request, **kwargs),
            "user": request.user,
        }

    def has_import_permission(self, request):
        # An import adds and changes rows: it needs both rights, not just a login.
        opts = self.model._meta
        return request.user.has_perm(
            f"{opts.app_label}.add_{opts.model_name}"
        ) and request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def has_export_permission(self, request):
        return self.has_view_permission(request)


@admin.register(District)
class DistrictAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.district_list)
    list_display = ("name", "division_code")
    search_fields = ("name", "division_code")


@admin.register(Subdistrict)
class SubdistrictAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.subdistrict_list)
    list_display = ("name", "district", "division_code")
    list_filter = (("district", RelatedOnly),)
    search_fields = ("name", "division_code")


class GridInline(ScopedInline):
    model = Grid
    fields = ("name", "chat_group")


class CompoundInline(ScopedInline):
    model = Compound
    fields = ("name", "grade", "property_company", "supervising_unit")


@admin.register(Community)
class CommunityAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.community_list)
    list_display = (
        "name",
        "subdistrict",
        "division_code",
        "grids_link",
        "compounds_link",
        "buildings_link",
        "households_link",
        "party_orgs_link",
    )
    list_filter = (("subdistrict", RelatedOnly),)
    search_fields = ("name", "division_code")
    readonly_fields = ("overview",)
    fields = (
        "subdistrict",
        "name",
        "division_code",
        "founded_date",
        "address",
        "overview",
    )
    inlines = [GridInline, CompoundInline]

    @admin.display(description=_("grids"), ordering="grid_count")
    def grids_link(self, obj):
        return _changelist_link(Grid, obj.grid_count, community__id__exact=obj.pk)

    @admin.display(description=_("compounds"), ordering="compound_count")
    def compounds_link(self, obj):
        return _changelist_link(
            Compound, obj.compound_count, community__id__exact=obj.pk
        )

    @admin.display(description=_("buildings"), ordering="building_count")
    def buildings_link(self, obj):
        return _changelist_link(
            Building, obj.building_count, compound__community__id__exact=obj.pk
        )

    @admin.display(description=_("households"), ordering="household_count")
    def households_link(self, obj):
        return _changelist_link(
            Household,
            obj.household_count,
            unit__building__compound__community__id__exact=obj.pk,
        )

    @admin.display(description=_("party organisations"), ordering="party_org_count")
    def party_orgs_link(self, obj):
        return _changelist_link(
            PartyOrganization, obj.party_org_count, community__id__exact=obj.pk
        )

    @admin.display(description=_("overview"))
    def overview(self, obj):
        # ``obj`` comes from the selector, so it carries the counts already.
        if obj.pk is None:
            return "-"
        row = obj
        return format_html(
            "{}: {} · {}: {} · {}: {} · {}: {} · {}: {}",
            _("grids"),
            self.grids_link(row),
            _("compounds"),
            self.compounds_link(row),
            _("buildings"),
            self.buildings_link(row),
            _("households"),
            self.households_link(row),
            _("party organisations"),
            self.party_orgs_link(row),
        )


class MissingRoleFilter(admin.SimpleListFilter):
    """Grids where a report could reach nobody of the grid: a serving role is
    unfilled (cases then fall back to the grid worker or community staff)."""

    title = _("serving roles")
    parameter_name = "missing_role"

    def lookups(self, request, model_admin):
        return [("yes", _("a role is missing")), ("no", _("all roles filled"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(selectors.grid_missing_roles_q())
        if self.value() == "no":
            return queryset.exclude(selectors.grid_missing_roles_q())
        return queryset


@admin.register(Grid)
class GridAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.grid_list)
    list_display = (
        "name",
        "community",
        "chat_group",
        "buildings_link",
        "household_count",
        "missing_roles",
    )
    list_filter = (MissingRoleFilter, ("community", RelatedOnly))
    search_fields = ("name", "community__name")

    @admin.display(description=_("missing roles"))
    def missing_roles(self, obj):
        missing = [
            label
            for filled, label in (
                (obj.has_grid_worker, Role.Kind.GRID_WORKER.label),
                (
                    obj.has_property_steward or not obj.has_property_company,
                    Role.Kind.PROPERTY_STEWARD.label,
                ),
                (obj.has_repair_worker, Role.Kind.REPAIR_WORKER.label),
            )
            if not filled
        ]
        return "、".join(str(label) for label in missing) or "—"

    @admin.display(description=_("buildings"), ordering="building_count")
    def buildings_link(self, obj):
        return _changelist_link(Building, obj.building_count, grid__id__exact=obj.pk)

    @admin.display(description=_("households"), ordering="household_count")
    def household_count(self, obj):
        return _changelist_link(
            Household, obj.household_count, unit__building__grid__id__exact=obj.pk
        )


@admin.register(PropertyCompany)
class PropertyCompanyAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.property_company_list)
    list_display = (
        "name",
        "credit_code",
        "contact_phone",
        "district",
        "compounds_link",
    )
    search_fields = ("name", "credit_code")

    @admin.display(description=_("compounds"), ordering="compound_count")
    def compounds_link(self, obj):
        return _changelist_link(
            Compound, obj.compound_count, property_company__id__exact=obj.pk
        )


class ThreeNoFilter(admin.SimpleListFilter):
    title = _("governance")
    parameter_name = "governance"

    def lookups(self, request, model_admin):
        return [
            ("three_no", _("三无 (self-governed)")),
            ("managed", _("with company, committee or supervisor")),
        ]

    def queryset(self, request, queryset):
        three_no = Q(
            property_company__isnull=True,
            owners_committee__isnull=True,
            supervising_unit="",
        )
        if self.value() == "three_no":
            return queryset.filter(three_no)
        if self.value() == "managed":
            return queryset.exclude(three_no)
        return queryset


class BuildingInline(ScopedInline):
    model = Building
    fields = ("number", "grid", "floors")


@admin.register(Compound)
class CompoundAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.compound_list)
    list_display = (
        "name",
        "community",
        "grade",
        "property_company",
        "owners_committee",
        "is_three_no_display",
        "buildings_link",
        "household_count",
    )
    list_filter = (
        ("community", RelatedOnly),
        ("property_company", RelatedOnly),
        "grade",
        ThreeNoFilter,
    )
    search_fields = ("name", "address")
    inlines = [BuildingInline]

    @admin.display(description=_("三无"), boolean=True)
    def is_three_no_display(self, obj):
        return obj.is_three_no

    @admin.display(description=_("buildings"), ordering="building_count")
    def buildings_link(self, obj):
        return _changelist_link(
            Building, obj.building_count, compound__id__exact=obj.pk
        )

    @admin.display(description=_("households"), ordering="household_count")
    def household_count(self, obj):
        return _changelist_link(
            Household, obj.household_count, unit__building__compound__id__exact=obj.pk
        )


@admin.register(OwnersCommittee)
class OwnersCommitteeAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.owners_committee_list)
    list_display = ("name", "compound", "elected_date", "term_end_date")
    search_fields = ("name", "compound__name")
    autocomplete_fields = ("compound",)


class UnitInline(ScopedInline):
    model = Unit
    fields = ("number",)


@admin.register(Building)
class BuildingAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.building_list)
    list_display = ("number", "compound", "grid", "floors", "households_link")
    list_filter = (
        ("compound__community", RelatedOnly),
        ("compound", RelatedOnly),
        ("grid", RelatedOnly),
    )
    search_fields = ("number", "compound__name")
    inlines = [UnitInline]

    @admin.display(description=_("households"), ordering="household_count")
    def households_link(self, obj):
        return _changelist_link(
            Household, obj.household_count, unit__building__id__exact=obj.pk
        )


@admin.register(Unit)
class UnitAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.unit_list)
    list_display = ("__str__", "building")
    search_fields = ("number", "building__number", "building__compound__name")
    autocomplete_fields = ("building",)


class HouseholdTagInline(ScopedInline):
    """The household's tags, kept on its page (一户一档)."""

    model = HouseholdTag
    fields = ("tag", "note", "created_at")
    readonly_fields = ("created_at",)
    show_change_link = False


@admin.register(Household)
class HouseholdAdmin(ScopedImportExportMixin, ScopedModelAdmin):
    list_selector = staticmethod(selectors.household_list)
    resource_classes = [HouseholdResource]
    inlines = [HouseholdTagInline]
    list_display = ("__str__", "compound", "grid", "floor_area", "resident_count")
    list_filter = (
        ("unit__building__compound__community", RelatedOnly),
        ("unit__building__compound", RelatedOnly),
        ("unit__building__grid", RelatedOnly),
        ("unit__building", RelatedOnly),
    )
    search_fields = ("room", "unit__building__number", "unit__building__compound__name")
    autocomplete_fields = ("unit",)
    # Units are made building by building, compound by compound: their order
    # is the register's natural order, and the unique (unit, room) index
    # serves it across a district (a sort on the compound's name could not).
    ordering = ("unit_id", "room")
    show_full_result_count = False

    @admin.display(description=_("compound"), ordering="unit__building__compound__name")
    def compound(self, obj):
        return obj.unit.building.compound.name

    @admin.display(description=_("grid"))
    def grid(self, obj):
        return obj.unit.building.grid.name

    @admin.display(description=_("residents"), ordering="resident_count")
    def resident_count(self, obj):
        return _changelist_link(Person, obj.resident_count, household__id__exact=obj.pk)


class IsPartyMemberFilter(admin.SimpleListFilter):
    title = _("party member")
    parameter_name = "party_member"

    def lookups(self, request, model_admin):
        return [("yes", _("yes")), ("no", _("no"))]

    def queryset(self, request, queryset):
        # EXISTS, not a join on NULL: the planner estimates it right.
        member = Exists(PartyMember.objects.filter(person=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(member)
        if self.value() == "no":
            return queryset.filter(~member)
        return queryset


class RoleInline(ScopedInline):
    model = Role
    fk_name = "person"
    fields = (
        "kind",
        "start_date",
        "end_date",
        "community",
        "grid",
        "building",
        "property_company",
        "owners_committee",
        "party_org",
    )
    show_change_link = True


@admin.register(Person)
class PersonAdmin(ScopedImportExportMixin, ScopedModelAdmin):
    """The register of people. Phone numbers are masked in lists and exports;
    the full number shows only in the form, and only with ``view_contact``."""

    list_selector = staticmethod(selectors.person_list)
    resource_classes = [PersonResource]
    list_display = (
        "name",
        "masked_mobile_display",
        "community",
        "household",
        "moved_in_date",
        "is_party_member",
    )
    list_filter = (
        ("community", RelatedOnly),
        ("household__unit__building__compound", RelatedOnly),
        ("household__unit__building__grid", RelatedOnly),
        IsPartyMemberFilter,
    )
    search_fields = ("name", "=mobile")
    contact_fields = ("mobile",)
    autocomplete_fields = ("household",)
    raw_id_fields = ("user",)
    show_full_result_count = False
    inlines = [RoleInline]

    @admin.display(description=_("mobile phone"))
    def masked_mobile_display(self, obj):
        return mask_mobile(obj.mobile)

    @admin.display(description=_("party member"), boolean=True)
    def is_party_member(self, obj):
        return hasattr(obj, "party_member")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.has_perm("grids.view_contact"):
            readonly.append("masked_mobile_display")
        if not request.user.is_superuser:
            readonly.append("user")
        return readonly

    def get_fields(self, request, obj=None):
        fields = [
            "community",
            "name",
            "gender",
            "birth_date",
            "mobile",
            "household",
            "moved_in_date",
            "user",
        ]
        if obj is not None and not request.user.has_perm("grids.view_contact"):
            fields[fields.index("mobile")] = "masked_mobile_display"
        return fields


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.party_organization_list)
    list_display = ("name", "kind", "parent", "community", "grid", "member_count")
    list_filter = ("kind", ("community", RelatedOnly))
    search_fields = ("name",)
    fields = (
        "name",
        "kind",
        "parent",
        "subdistrict",
        "community",
        "grid",
        "property_company",
        "owners_committee",
        "established_date",
    )

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return _changelist_link(
            PartyMember, obj.member_count, party_org__id__exact=obj.pk
        )


@admin.register(PartyMember)
class PartyMemberAdmin(ScopedImportExportMixin, ScopedModelAdmin):
    list_selector = staticmethod(selectors.party_member_list)
    resource_classes = [PartyMemberResource]
    list_display = (
        "person",
        "kind",
        "community",
        "party_org",
        "grid",
        "work_unit",
        "reported_date",
    )
    list_filter = (
        "kind",
        ("community", RelatedOnly),
        ("party_org", RelatedOnly),
        ("grid", RelatedOnly),
    )
    search_fields = ("person__name", "work_unit")
    autocomplete_fields = ("person",)
    show_full_result_count = False


@admin.register(Role)
class RoleAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.role_list)
    list_display = ("person", "kind", "target_display", "start_date", "end_date")
    list_filter = ("kind", ("community", RelatedOnly), ("grid", RelatedOnly))
    search_fields = ("person__name",)
    autocomplete_fields = ("person",)
    date_hierarchy = "start_date"
    actions = ["end_today"]

    @admin.action(description=_("End the selected roles today"), permissions=["change"])
    def end_today(self, request, queryset):
        """The person leaves the post: the role opens nothing from tomorrow."""
        ended = 0
        for role in queryset.filter(Q(end_date__isnull=True) | Q(end_date__gt=today())):
            role_end(actor=request.user, role=role, end_date=today())
            ended += 1
        self.message_user(request, _("%(n)s roles end today.") % {"n": ended})

    @admin.display(description=_("held in"))
    def target_display(self, obj):
        return obj.target


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ScopedModelAdmin):
    """Who exported, imported or saw residents' personal data. Community,
    subdistrict and district staff read the rows of their units; nobody adds,
    changes or deletes one here (nor anywhere: the table is append-only)."""

    list_selector = staticmethod(selectors.personal_data_access_list)
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
    list_filter = (RecentFilter.build("created_at"), "action", "subject")
    search_fields = ("actor_label", "object_repr", "ip_address")
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


# --- field work -------------------------------------------------------------------


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """District-wide tags of households (独居老人, 低保 …); care plans and
    the household files use them."""

    list_display = ("name", "description", "position", "is_active")
    list_editable = ("position", "is_active")
    search_fields = ("name",)

    def has_delete_permission(self, request, obj=None):
        return False  # tags in use stay; take one out of use instead


@admin.register(HouseholdTag)
class HouseholdTagAdmin(ScopedImportExportMixin, ScopedModelAdmin):
    """Tags of households, also imported from the register's spreadsheets."""

    list_selector = staticmethod(selectors.household_tag_list)
    resource_classes = [HouseholdTagResource]
    list_display = ("household", "tag", "grid", "note", "created_at")
    list_filter = (
        "tag",
        ("household__unit__building__compound", RelatedOnly),
        ("household__unit__building__grid", RelatedOnly),
    )
    search_fields = ("note", "household__unit__building__number")
    autocomplete_fields = ("household",)
    readonly_fields = ("created_at",)
    ordering = ("-created_at", "-id")

    @admin.display(description=_("grid"))
    def grid(self, obj):
        return obj.household.unit.building.grid.name


@admin.register(CarePlan)
class CarePlanAdmin(ScopedModelAdmin):
    """How often a community visits the households with a tag."""

    list_selector = staticmethod(selectors.care_plan_list)
    list_display = ("tag", "community", "every_days", "is_active", "note")
    list_filter = (("community", RelatedOnly), "tag", "is_active")


class PatrolFindingInline(ReadOnlyInline):
    model = PatrolFinding
    fields = ("created_at", "building", "kind", "description", "is_handled")
    readonly_fields = fields
    view_permission = "grids.view_patrolfinding"


class PatrolEventInline(ReadOnlyInline):
    model = PatrolEvent
    fields = ("created_at", "actor_label", "action_display", "note")
    readonly_fields = fields
    view_permission = "grids.view_patrol"
    verbose_name_plural = _("timeline")

    @admin.display(description=_("action"))
    def action_display(self, obj):
        return patrol_event_label(obj.action)


@admin.register(Patrol)
class PatrolAdmin(ScopedModelAdmin):
    """Patrols are started, logged and ended on the phone workbench
    (/staff/patrol/); here they are read."""

    list_selector = staticmethod(selectors.patrol_list)
    list_display = (
        "started_at",
        "grid",
        "person",
        "status",
        "ended_at",
        "finding_count",
    )
    list_filter = ("status", ("grid", RelatedOnly))
    date_hierarchy = "started_at"
    fields = ("grid", "person", "status", "started_at", "ended_at", "note")
    readonly_fields = fields
    inlines = [PatrolFindingInline, PatrolEventInline]

    @admin.display(description=_("findings"), ordering="finding_count")
    def finding_count(self, obj):
        return obj.finding_count

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(Visit)
class VisitAdmin(ScopedModelAdmin):
    """Home visits are recorded on the phone workbench; here they are read."""

    list_selector = staticmethod(selectors.visit_list)
    list_display = ("visited_at", "household", "visitor", "met", "need")
    list_filter = (("household__unit__building__grid", RelatedOnly),)
    date_hierarchy = "visited_at"
    fields = ("household", "visitor", "visited_at", "met", "findings", "need")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Notices (通知公告) and service centres are managed from their own modules.
from .centres import admin as centres_admin  # noqa: E402, F401
from .notices import admin as notices_admin  # noqa: E402, F401
