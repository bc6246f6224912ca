"""Staff admin of resident reports: work list, case page with its timeline and
next step, filing on a resident's behalf, and QR sheets for buildings."""

import qrcode
import qrcode.image.svg
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Value
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from core.scrub import scrub
from grids.admin_base import (
    CONTACT_PERMISSION as CONTACT,
)
from grids.admin_base import ReadOnlyInline, RelatedChoicesFilter, ScopedModelAdmin
from grids.models import Building, Community, Compound
from grids.scoping import scope_queryset

from . import selectors, services
from .forms import PetitionFileForm, PetitionStepForm
from .models import (
    Category,
    CategoryQuestion,
    Department,
    Open311Client,
    Petition,
    PetitionEvent,
    PetitionPhoto,
    PetitionVoiceNote,
    ReplyTemplate,
)
from .open311 import services as open311_services
from .workflow import event_label


class CategoryQuestionInline(admin.TabularInline):
    model = CategoryQuestion
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """District-wide reference data, edited by district staff."""

    list_display = (
        "name",
        "code",
        "group",
        "default_handler",
        "accept_hours",
        "resolve_hours",
        "repair_kind",
        "allows_anonymous",
        "is_private",
        "is_active",
    )
    list_filter = ("group", "default_handler", "is_private", "is_active")
    search_fields = ("name", "code")
    filter_horizontal = ("private_in",)
    inlines = [CategoryQuestionInline]
    # Community staff view categories; these mark them for their community.
    actions = ["keep_private_here", "publish_here"]

    def _private_here(self, request, queryset, is_private: bool) -> None:
        communities = list(scope_queryset(Community.objects.all(), request.user))
        done = 0
        for category in queryset:
            try:
                services.category_private_in_set(
                    category=category,
                    communities=communities,
                    is_private=is_private,
                    actor=request.user,
                )
            except PermissionDenied:
                continue
            done += 1
        self.message_user(
            request,
            _("%(n)s categories changed for %(c)s communities.")
            % {"n": done, "c": len(communities)},
        )

    @admin.action(
        description=gettext_lazy(
            "Keep the selected categories unpublished in my communities (Open311)"
        ),
        permissions=["view"],
    )
    def keep_private_here(self, request, queryset):
        self._private_here(request, queryset, True)

    @admin.action(
        description=gettext_lazy("Publish the selected categories in my communities"),
        permissions=["view"],
    )
    def publish_here(self, request, queryset):
        self._private_here(request, queryset, False)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ("title", "text")
    search_fields = ("title", "text")


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    """Clients that file cases through Open311, each bound to communities. The
    key is shown once, when the client or a new key is made."""

    list_display = ("name", "prefix", "is_active", "last_used_at", "created_at")
    readonly_fields = ("prefix", "last_used_at", "created_at")
    filter_horizontal = ("communities",)
    actions = ["new_key"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "communities")
        return ("name", "communities", "is_active", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "name") if obj else self.readonly_fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "communities":
            kwargs["queryset"] = scope_queryset(
                Community.objects.select_related("subdistrict"), request.user
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # Communities are set by the service in save_related.
        pass

    def save_related(self, request, form, formsets, change):
        communities = form.cleaned_data["communities"]
        if change:
            open311_services.open311_client_update(
                client=form.instance,
                communities=communities,
                is_active=form.cleaned_data["is_active"],
                actor=request.user,
            )
            return
        client, key = open311_services.open311_client_create(
            name=form.cleaned_data["name"], communities=communities, actor=request.user
        )
        form.instance.pk = client.pk
        self._show_key(request, client, key)

    def _show_key(self, request, client, key):
        self.message_user(
            request,
            _(
                "The key of “%(name)s” is %(key)s — copy it now: it is not shown "
                "again. Send it as the header “X-API-Key: <key>” (or the api_key "
                "parameter)."
            )
            % {"name": client.name, "key": key},
            messages.WARNING,
        )

    @admin.action(
        description=gettext_lazy("Make a new key (the old one stops working)"),
        permissions=["change"],
    )
    def new_key(self, request, queryset):
        for client in queryset:
            key = open311_services.open311_client_new_key(
                client=client, actor=request.user
            )
            self._show_key(request, client, key)

    def has_delete_permission(self, request, obj=None):
        # Cases keep the client that filed them; stop a client instead.
        return False


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            ("overdue", gettext_lazy("overdue")),
            ("today", gettext_lazy("due within 24 hours")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(selectors.petition_overdue_q())
        if self.value() == "today":
            soon = timezone.now() + timezone.timedelta(hours=24)
            return queryset.filter(status__in=Petition.OPEN_STATUSES).filter(
                Q(status=Petition.Status.SUBMITTED, accept_due_at__lt=soon)
                | (~Q(status=Petition.Status.SUBMITTED) & Q(resolve_due_at__lt=soon))
            )
        return queryset


class MineFilter(admin.SimpleListFilter):
    title = gettext_lazy("work list")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("open", gettext_lazy("my open cases"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(selectors.petition_work_q(request.user))
        return queryset


class EventInline(ReadOnlyInline):
    model = PetitionEvent
    fields = (
        "created_at",
        "actor_label",
        "action_display",
        "from_display",
        "to_display",
        "note_display",
        "is_public",
    )
    readonly_fields = fields
    view_permission = "petitions.view_petition"  # part of the case
    verbose_name_plural = gettext_lazy("timeline")

    def get_queryset(self, request):
        # PetitionAdmin.get_object has decided, for this request, whether the
        # reader may see the reporter's contact; notes follow the same rule.
        visible = getattr(request, "petition_contact_visible", False)
        return super().get_queryset(request).annotate(contact_visible=Value(visible))

    @admin.display(description=gettext_lazy("note"))
    def note_display(self, obj):
        return obj.note if getattr(obj, "contact_visible", False) else scrub(obj.note)

    @admin.display(description=gettext_lazy("action"))
    def action_display(self, obj):
        return event_label(obj.action)

    @admin.display(description=gettext_lazy("from"))
    def from_display(self, obj):
        return Petition.Status(obj.from_status).label if obj.from_status else "—"

    @admin.display(description=gettext_lazy("to"))
    def to_display(self, obj):
        return obj.to_status_label or "—"


class PhotoInline(ReadOnlyInline):
    model = PetitionPhoto
    fields = ("preview", "stage", "is_public", "created_at")
    readonly_fields = fields
    view_permission = "petitions.view_petition"  # part of the case

    @admin.display(description=gettext_lazy("photo"))
    def preview(self, obj):
        return format_html('<img src="{}" style="max-height:120px">', obj.image.url)


class VoiceNoteInline(ReadOnlyInline):
    """The resident's voice note, played in the page (served by a checked
    view: the file has no public address)."""

    model = PetitionVoiceNote
    fields = ("player", "duration_seconds", "created_at")
    readonly_fields = fields
    view_permission = "petitions.view_petition"  # part of the case

    @admin.display(description=gettext_lazy("voice note"))
    def player(self, obj):
        url = reverse("workbench:voice-note", args=[obj.petition_id, obj.pk])
        return format_html(
            '<audio controls preload="metadata" src="{}"><a href="{}">{}</a></audio>',
            url,
            url,
            gettext_lazy("Play the voice note"),
        )


@admin.register(Petition)
class PetitionAdmin(ScopedModelAdmin):
    """Cases are read here and moved only through the next-step form, which
    calls the services; nothing is ever deleted."""

    list_selector = staticmethod(selectors.petition_list)
    # Fits a 1366 px laptop beside the filters (the work list page drops the
    # admin's navigation sidebar): the grid names its community, times are
    # short, and nothing that identifies a row wraps.
    list_display = (
        "number",
        "category",
        "status",
        "grid_display",
        "place_display",
        "handler",
        "due_display",
        "escalation_level",
        "created_display",
    )
    list_filter = (
        MineFilter,
        OverdueFilter,
        "status",
        "category",
        ("grid", RelatedChoicesFilter),
        ("compound__property_company", RelatedChoicesFilter),
        "escalation_level",
        "channel",
    )
    search_fields = ("number", "description", "reporter_name", "=reporter_phone")
    contact_fields = ("reporter_name", "reporter_phone")
    show_full_result_count = False
    inlines = [EventInline, PhotoInline, VoiceNoteInline]
    actions = ["accept_selected"]
    change_form_template = "admin/petitions/petition/change_form.html"
    change_list_template = "admin/petitions/petition/change_list.html"
    fields = (
        "number",
        "status",
        "category",
        "description_display",
        "answers",
        "community",
        "grid",
        "place_display",
        "reporter_display",
        "phone_display",
        "channel",
        "handler",
        "department",
        "merged_into",
        "escalation_level",
        "accept_due_at",
        "resolve_due_at",
        "accepted_at",
        "resolved_at",
        "closed_at",
        "rating",
        "rating_comment",
        "reopen_count",
        "version",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        # The admin prints grids as "community grid": join the community here.
        queryset = selectors.petition_list(user=request.user).select_related(
            "grid__community"
        )
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        # Open cases first, the nearest deadline first: overdue work tops the
        # list. Stored columns, so that an index serves the order.
        return ("open_rank", "deadline_at", "-id")

    def get_search_results(self, request, queryset, search_term):
        return (
            selectors.petition_search(
                queryset, search_term, contact=request.user.has_perm(CONTACT)
            ),
            False,
        )

    @admin.display(description=gettext_lazy("grid"), ordering="grid")
    def grid_display(self, obj):
        return str(obj.grid) if obj.grid_id else obj.community.name

    @admin.display(description=gettext_lazy("created at"), ordering="created_at")
    def created_display(self, obj):
        return timezone.localtime(obj.created_at).strftime("%m-%d %H:%M")

    @admin.display(description=gettext_lazy("deadline"))
    def due_display(self, obj):
        due = obj.due_at
        if due is None:
            return "—"
        text = timezone.localtime(due).strftime("%m-%d %H:%M")
        if obj.is_overdue:
            return format_html(
                '<strong style="color:#b00020">{} {}</strong>', text, _("overdue")
            )
        return text

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # Decided per request on the object: admin instances are shared.
            obj.contact_visible = selectors.petition_contact_visible(
                user=request.user, petition=obj
            )
            request.petition_contact_visible = obj.contact_visible
        return obj

    def contact_shown(self, request, obj) -> bool:
        return bool(getattr(obj, "contact_visible", False) and obj.reporter_phone)

    @admin.display(description=gettext_lazy("description"))
    def description_display(self, obj):
        # Residents type their numbers into the text: only those who may see
        # the reporter's contact read them.
        if getattr(obj, "contact_visible", False):
            return obj.description
        return scrub(obj.description)

    @admin.display(description=gettext_lazy("Place"))
    def place_display(self, obj):
        return obj.place or "—"

    @admin.display(description=gettext_lazy("reporter"))
    def reporter_display(self, obj):
        if getattr(obj, "contact_visible", False):
            return obj.reporter_name
        return obj.masked_reporter_name

    @admin.display(description=gettext_lazy("reporter's phone"))
    def phone_display(self, obj):
        phone = (
            obj.reporter_phone
            if getattr(obj, "contact_visible", False)
            else obj.masked_reporter_phone
        )
        if obj.is_phone_unverified:
            # Reports need no code: say which numbers nobody proved.
            return _("%(phone)s (unverified)") % {"phone": phone}
        return phone

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- the case page and its next step --------------------------------------
    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<int:petition_id>/act/",
                self.admin_site.admin_view(self.act_view),
                name=f"{prefix}_act",
            ),
            path(
                "file/",
                self.admin_site.admin_view(self.file_view),
                name=f"{prefix}_file",
            ),
            path(
                "qr-sheet/",
                self.admin_site.admin_view(self.qr_sheet_view),
                name=f"{prefix}_qr",
            ),
            *super().get_urls(),
        ]

    def _handlers(self, request, petition):
        return selectors.petition_handler_candidates(petition=petition)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        petition = (
            selectors.petition_list(user=request.user).filter(pk=object_id).first()
        )
        if petition is not None and request.user.has_perm("petitions.change_petition"):
            form = PetitionStepForm(
                petition=petition,
                handlers=self._handlers(request, petition),
                step=request.GET.get("step"),
            )
            extra_context["step_form"] = form
            extra_context["step_choices"] = form.choices(request.path)
            extra_context["step_url"] = reverse(
                "admin:petitions_petition_act", args=[petition.pk]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def act_view(self, request, petition_id):
        if request.method != "POST" or not request.user.has_perm(
            "petitions.change_petition"
        ):
            raise PermissionDenied
        petition = get_object_or_404(
            selectors.petition_list(user=request.user), pk=petition_id
        )
        form = PetitionStepForm(
            request.POST,
            request.FILES,
            petition=petition,
            handlers=self._handlers(request, petition),
        )
        back = reverse("admin:petitions_petition_change", args=[petition.pk])
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label} {error}")
            step = request.POST.get("action", "")
            return redirect(f"{back}?step={step}" if step else back)
        inputs = form.transition_inputs(request.user)
        try:
            services.petition_transition(
                petition=petition,
                action=form.cleaned_data["action"],
                actor=request.user,
                expected_version=form.cleaned_data["expected_version"],
                **inputs,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Done: case %(number)s updated.") % {"number": petition.number},
            )
        return redirect(back)

    @admin.action(
        description=gettext_lazy("Accept the selected cases"),
        permissions=["change"],
    )
    def accept_selected(self, request, queryset):
        done, refused = 0, []
        for petition in queryset.filter(status=Petition.Status.SUBMITTED):
            try:
                services.petition_transition(
                    petition=petition, action="accept", actor=request.user
                )
            except (ApplicationError, PermissionDenied):
                refused.append(petition.number)  # moved meanwhile, or not ours
            else:
                done += 1
        self.message_user(request, _("%(n)s cases accepted.") % {"n": done})
        if refused:
            self.message_user(
                request,
                _("Not accepted: %(numbers)s.") % {"numbers": "、".join(refused)},
                messages.WARNING,
            )

    # --- filing for a resident ---------------------------------------------------
    def file_view(self, request):
        if not request.user.has_perm("petitions.change_petition"):
            raise PermissionDenied
        buildings = scope_queryset(
            Building.objects.select_related("compound__community", "grid"), request.user
        )
        form = PetitionFileForm(request.POST or None, buildings=buildings)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                petition, _created = services.petition_submit(
                    category=data["category"],
                    description=data["description"],
                    building=data["building"],
                    place_detail=data["place_detail"],
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    is_anonymous=data["is_anonymous"],
                    channel=data["channel"],
                    filed_by=request.user,
                    idempotency_key=data["idempotency_key"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request, _("Case %(number)s filed.") % {"number": petition.number}
                )
                return redirect("admin:petitions_petition_change", petition.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("File a report for a resident"),
            "form": form,
        }
        return TemplateResponse(request, "admin/petitions/petition/file.html", context)

    # --- QR codes for buildings ------------------------------------------------------
    def qr_sheet_view(self, request):
        compounds = scope_queryset(
            Compound.objects.select_related("community"), request.user
        )
        compound = None
        codes = []
        if request.GET.get("compound", "").isdigit():
            compound = get_object_or_404(compounds, pk=int(request.GET["compound"]))
            # Creation order keeps 2号楼 before 10号楼, unlike a text sort.
            for building in compound.buildings.order_by("pk"):
                url = request.build_absolute_uri(
                    reverse("petitions:report-building", args=[building.pk])
                )
                image = qrcode.make(
                    url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8
                )
                # The SVG is our own output from the URL above, not user input.
                svg = mark_safe(image.to_string(encoding="unicode"))  # noqa: S308
                codes.append((building, url, svg))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("QR codes of a compound's buildings"),
            "compounds": compounds,
            "compound": compound,
            "codes": codes,
        }
        return TemplateResponse(
            request, "admin/petitions/petition/qr_sheet.html", context
        )


@admin.register(PetitionPhoto)
class PetitionPhotoAdmin(ScopedModelAdmin):
    """The photos of the cases one may see; community staff mark which ones
    Open311 publishes (none is public until marked)."""

    list_selector = staticmethod(selectors.petition_photo_list)
    list_display = ("preview", "petition", "stage", "is_public", "created_at")
    list_filter = ("is_public", "stage")
    search_fields = ("=petition__number",)
    fields = ("preview", "petition", "stage", "is_public", "created_at")
    readonly_fields = fields
    actions = ["publish_selected", "withdraw_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("photo"))
    def preview(self, obj):
        return format_html('<img src="{}" style="max-height:80px">', obj.image.url)

    def _set_public(self, request, queryset, is_public: bool) -> None:
        done = 0
        for photo in queryset:
            try:
                services.petition_photo_set_public(
                    photo=photo, is_public=is_public, actor=request.user
                )
            except PermissionDenied:
                continue
            done += 1
        self.message_user(request, _("%(n)s photos changed.") % {"n": done})

    @admin.action(
        description=gettext_lazy("Publish the selected photos (Open311)"),
        permissions=["change"],
    )
    def publish_selected(self, request, queryset):
        self._set_public(request, queryset, True)

    @admin.action(
        description=gettext_lazy("Stop publishing the selected photos"),
        permissions=["change"],
    )
    def withdraw_selected(self, request, queryset):
        self._set_public(request, queryset, False)
