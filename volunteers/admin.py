"""Staff admin of volunteer service. Steps with rules (confirming a 双报到
registration, verifying hours, reviewing wishes) are actions that call
``volunteers.services``."""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_steps import StepForm
from core.errors import ApplicationError
from core.phones import mask_mobile
from core.rotating import rotating_qr_page
from grids.admin_base import (
    CONTACT_PERMISSION,
    ReadOnlyInline,
    RelatedChoicesFilter,
    ScopedInline,
    ScopedModelAdmin,
)
from grids.models import Grid
from grids.scoping import scope_queryset

from . import selectors, services
from .models import (
    Activity,
    Registration,
    RegistrationEvent,
    RescueTeamMember,
    ServiceItem,
    SignUp,
    Station,
    StockItem,
    Team,
    Training,
    Wish,
)
from .views import check_in_url
from .workflow import REGISTRATION


def _run(modeladmin, request, queryset, step) -> None:
    done, refused = 0, []
    for obj in queryset:
        try:
            step(obj)
        except (ValidationError, ApplicationError) as exc:
            refused.append(
                f"{obj}: {getattr(exc, 'message', None) or '; '.join(exc.messages)}"
            )
        else:
            done += 1
    modeladmin.message_user(request, _("%(n)s done.") % {"n": done})
    for line in refused:
        modeladmin.message_user(request, line, messages.WARNING)


@admin.register(Team)
class TeamAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.team_list)
    list_display = ("name", "parent", "leader", "community")
    list_filter = (("community", RelatedChoicesFilter),)
    search_fields = ("name",)
    autocomplete_fields = ("members", "leader")


class RegistrationEventInline(ReadOnlyInline):
    model = RegistrationEvent
    fields = ("created_at", "actor_label", "action_display", "note")
    readonly_fields = fields
    view_permission = "volunteers.view_registration"

    @admin.display(description=gettext_lazy("action"))
    def action_display(self, obj):
        return REGISTRATION.label(obj.action) if obj.action != "submit" else _("submit")


@admin.register(Registration)
class RegistrationAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.registration_list)
    list_display = (
        "name",
        "masked_phone",
        "work_unit",
        "household",
        "status",
        "grid",
        "team",
    )
    list_filter = ("status", ("grid", RelatedChoicesFilter))
    search_fields = ("name", "work_unit")
    readonly_fields = ("status", "person")
    contact_fields = ("phone",)

    def get_exclude(self, request, obj=None):
        if obj is not None and not request.user.has_perm(CONTACT_PERMISSION):
            return ("phone",)
        return ()

    actions = ["confirm_selected"]
    inlines = [RegistrationEventInline]
    change_form_template = "admin/volunteers/registration/change_form.html"

    @admin.display(description=gettext_lazy("mobile phone"))
    def masked_phone(self, obj):
        return mask_mobile(obj.phone)

    def get_urls(self):
        return [
            path(
                "<int:registration_id>/summary/",
                self.admin_site.admin_view(self.summary_view),
                name="volunteers_registration_summary",
            ),
            path(
                "<int:registration_id>/step/",
                self.admin_site.admin_view(self.step_view),
                name="volunteers_registration_step",
            ),
            *super().get_urls(),
        ]

    def _step_form(self, request, registration, data=None):
        grids = scope_queryset(
            Grid.objects.filter(community=registration.community_id), request.user
        )
        teams = Team.objects.filter(community=registration.community_id)
        fields = {
            "grid": lambda required: forms.ModelChoiceField(
                label=gettext_lazy("grid"), queryset=grids, required=required
            ),
            "team": lambda required: forms.ModelChoiceField(
                label=gettext_lazy("team"), queryset=teams, required=required
            ),
            "target_hours": lambda required: forms.IntegerField(
                label=gettext_lazy("yearly target hours"),
                min_value=0,
                max_value=1000,
                required=required,
            ),
            "note": lambda required: forms.CharField(
                label=gettext_lazy("Reason"), max_length=500, required=required
            ),
        }
        return StepForm(
            data,
            lifecycle=REGISTRATION,
            record=registration,
            fields=fields,
            step=request.GET.get("step"),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        registration = self.get_object(request, object_id)
        if registration is not None and self.has_change_permission(request):
            form = self._step_form(request, registration)
            extra_context["step_form"] = form
            extra_context["step_choices"] = form.choices(request.path)
            extra_context["step_url"] = reverse(
                "admin:volunteers_registration_step", args=[registration.pk]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def step_view(self, request, registration_id):
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        registration = get_object_or_404(
            selectors.registration_list(user=request.user), pk=registration_id
        )
        form = self._step_form(request, registration, request.POST)
        back = reverse("admin:volunteers_registration_change", args=[registration.pk])
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(back)
        data = form.inputs()
        try:
            if form.cleaned_data["action"] == "confirm":
                services.registration_confirm(
                    registration=registration,
                    actor=request.user,
                    grid=data.get("grid"),
                    team=data.get("team"),
                    target_hours=data.get("target_hours"),
                )
            else:
                services.registration_reject(
                    registration=registration, actor=request.user, reason=data["note"]
                )
        except (ValidationError, ApplicationError) as exc:
            messages.error(request, getattr(exc, "message", None) or str(exc))
        else:
            messages.success(request, _("Done."))
        return redirect(back)

    def summary_view(self, request, registration_id):
        """The printable yearly summary that goes back to the work unit."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        registration = get_object_or_404(
            selectors.registration_list(user=request.user), pk=registration_id
        )
        raw = request.GET.get("year", "")
        year = int(raw) if re.fullmatch(r"20\d\d", raw) else timezone.localdate().year
        summary = selectors.member_yearly_summary(registration=registration, year=year)
        return TemplateResponse(
            request,
            "volunteers/yearly_summary.html",
            {"registration": registration, "year": year, **summary},
        )

    @admin.action(
        description=gettext_lazy("Confirm (place in the grid and team given)"),
        permissions=["change"],
    )
    def confirm_selected(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda r: services.registration_confirm(
                registration=r, actor=request.user, grid=r.grid, team=r.team
            ),
        )


class SignUpInline(ScopedInline):
    model = SignUp
    fields = (
        "name",
        "status",
        "check_in_at",
        "check_out_at",
        "verified_hours",
        "verified_at",
    )
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


class ActivityForm(forms.ModelForm):
    """Capacity and times that keep the sign-ups and verified hours true."""

    class Meta:
        model = Activity
        fields = (
            "community",
            "title",
            "kind",
            "team",
            "place",
            "starts_at",
            "ends_at",
            "capacity",
            "beneficiaries",
        )

    def clean(self):
        cleaned = super().clean()
        activity = self.instance
        if activity.pk is None:
            return cleaned
        confirmed = activity.signups.filter(status=SignUp.Status.CONFIRMED).count()
        if cleaned.get("capacity") is not None and cleaned["capacity"] < confirmed:
            self.add_error(
                "capacity",
                _("%(n)s volunteers already have a place: cancel some first.")
                % {"n": confirmed},
            )
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        verified = activity.signups.exclude(verified_hours=None)
        longest = max(verified.values_list("verified_hours", flat=True), default=0)
        if starts and ends and (ends - starts).total_seconds() / 3600 < float(longest):
            self.add_error("ends_at", _("Shorter than hours already verified."))
        return cleaned


@admin.register(Activity)
class ActivityAdmin(ScopedModelAdmin):
    form = ActivityForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            services.activity_rebalance(activity=obj)

    list_selector = staticmethod(selectors.activity_list)
    list_display = (
        "title",
        "kind",
        "starts_at",
        "place",
        "capacity",
        "confirmed_count",
        "waiting_count",
    )
    list_filter = ("kind", ("team", RelatedChoicesFilter))
    date_hierarchy = "starts_at"
    readonly_fields = ("check_in_token", "check_in_qr")
    inlines = [SignUpInline]

    @admin.display(description=gettext_lazy("check-in QR code"))
    def check_in_qr(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}" target="_blank">{}</a>',
            reverse("admin:volunteers_activity_check_in_qr", args=[obj.pk]),
            _("Project the check-in QR code (it changes every few minutes)"),
        )

    def get_urls(self):
        return [
            path(
                "<int:activity_id>/check-in-qr/",
                self.admin_site.admin_view(self.check_in_qr_view),
                name="volunteers_activity_check_in_qr",
            ),
            *super().get_urls(),
        ]

    def check_in_qr_view(self, request, activity_id):
        """The check-in QR code to project on site, changing with its code."""
        activity = get_object_or_404(
            selectors.activity_list(user=request.user), pk=activity_id
        )
        return rotating_qr_page(
            request,
            title=activity.title,
            subtitle=_("Check in and out: %(when)s")
            % {
                "when": timezone.localtime(activity.starts_at).strftime(
                    "%Y-%m-%d %H:%M"
                )
            },
            path=check_in_url(activity),
        )

    @admin.display(description=gettext_lazy("confirmed"))
    def confirmed_count(self, obj):
        return obj.confirmed

    @admin.display(description=gettext_lazy("on the waiting list"))
    def waiting_count(self, obj):
        return obj.waiting


class SignUpVerifyForm(forms.ModelForm):
    """Hours to verify: required, and within the activity's length."""

    class Meta:
        model = SignUp
        fields = ("verified_hours",)

    def clean_verified_hours(self):
        hours = self.cleaned_data.get("verified_hours")
        signup = self.instance
        if hours is None:
            raise ValidationError(_("Enter the hours to verify."))
        if signup.status != SignUp.Status.CONFIRMED:
            raise ValidationError(
                _("Only a confirmed volunteer's hours can be verified.")
            )
        if hours < 0 or hours > signup.activity.duration_hours:
            raise ValidationError(
                _("Hours must be between 0 and %(max)s.")
                % {"max": signup.activity.duration_hours}
            )
        return hours


@admin.register(SignUp)
class SignUpAdmin(ScopedModelAdmin):
    """The organiser's list of hours to verify; only verified hours count."""

    form = SignUpVerifyForm
    contact_fields = ("phone",)
    list_selector = staticmethod(selectors.signup_list)
    list_display = (
        "activity",
        "name",
        "status",
        "check_in_at",
        "check_out_at",
        "verified_hours",
    )
    list_filter = (
        "status",
        ("verified_at", admin.EmptyFieldListFilter),
        ("activity", RelatedChoicesFilter),
    )
    readonly_fields = (
        "activity",
        "name",
        "phone_masked",
        "status",
        "check_in_at",
        "check_out_at",
        "verified_by",
        "verified_at",
    )
    fields = (*readonly_fields, "verified_hours")
    actions = ["verify_selected"]

    @admin.display(description=gettext_lazy("mobile phone"))
    def phone_masked(self, obj):
        return mask_mobile(obj.phone)

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        services.signup_verify(signup=obj, actor=request.user, hours=obj.verified_hours)

    @admin.action(
        description=gettext_lazy("Verify the hours from check-in and check-out"),
        permissions=["change"],
    )
    def verify_selected(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda s: services.signup_verify(signup=s, actor=request.user),
        )


@admin.register(Wish)
class WishAdmin(ScopedModelAdmin):
    contact_fields = ("wisher_phone", "claimer_phone")

    def get_exclude(self, request, obj=None):
        if obj is not None and not request.user.has_perm(CONTACT_PERMISSION):
            return ("claimer_phone", "wisher_phone")
        return ("claimer_phone",)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "wisher_phone" in form.base_fields:
            form.base_fields["wisher_phone"].max_length = 20
            form.base_fields["wisher_phone"].widget.attrs["maxlength"] = 20
        return form

    list_selector = staticmethod(selectors.wish_list)
    list_display = (
        "title",
        "beneficiary_kind",
        "wisher_name",
        "status",
        "claimer_name",
        "created_at",
    )
    list_filter = ("status", "beneficiary_kind")
    search_fields = ("title",)
    readonly_fields = (
        "status",
        "claimer_name",
        "claimed_at",
        "published_at",
        "photo",
        "fulfilled_at",
        "confirmed_at",
        "rating",
    )
    actions = ["publish_selected", "reject_selected", "confirm_selected"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.wish_post(
                community=obj.community,
                title=obj.title,
                text=obj.text,
                wisher_name=obj.wisher_name,
                wisher_phone=obj.wisher_phone,
                beneficiary_kind=obj.beneficiary_kind,
                actor=request.user,
            )

    @admin.action(
        description=gettext_lazy("Confirm for the wisher: came true (satisfied)"),
        permissions=["change"],
    )
    def confirm_selected(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda w: services.wish_confirm(
                wish=w, rating="satisfied", actor=request.user
            ),
        )

    @admin.action(
        description=gettext_lazy("Publish the selected wishes"), permissions=["change"]
    )
    def publish_selected(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda w: services.wish_review(wish=w, actor=request.user, publish=True),
        )

    @admin.action(
        description=gettext_lazy("Do not publish the selected wishes"),
        permissions=["change"],
    )
    def reject_selected(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda w: services.wish_review(wish=w, actor=request.user, publish=False),
        )


@admin.register(ServiceItem)
class ServiceItemAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.service_item_list)
    list_display = ("title", "side", "listed_by", "status", "claimed_by")
    list_filter = ("side", "status")
    readonly_fields = ("status", "claimed_by", "claimed_at", "done_at")
    actions = ["mark_done"]

    @admin.action(
        description=gettext_lazy("Mark the claimed entries done"),
        permissions=["change"],
    )
    def mark_done(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda i: services.service_item_done(item=i, actor=request.user),
        )


class StockInline(ScopedInline):
    model = StockItem

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "quantity":
            # The page's own quantity travels with the form: a save then
            # adjusts by what this user changed, not by what changed since.
            field.show_hidden_initial = True
        return field

    fields = (
        "kind",
        "item_class",
        "name",
        "quantity",
        "min_quantity",
        "place",
        "expiry_date",
        "next_inspection_date",
    )
    show_change_link = False


class RescuerInline(admin.TabularInline):
    model = RescueTeamMember
    extra = 0


class TrainingInline(admin.TabularInline):
    model = Training
    extra = 0


@admin.register(Station)
class StationAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.station_list)
    list_display = ("name", "community", "key_holders", "is_open_24h")
    filter_horizontal = ("compounds",)
    inlines = [StockInline, RescuerInline, TrainingInline]

    def save_formset(self, request, form, formset, change):
        """A changed quantity is a take-out or a put-back of the difference
        (``stock_adjust``), so two people editing at once both count and the
        stock never goes below zero."""
        if formset.model is StockItem:
            for row in formset.forms:
                if row.instance.pk and "quantity" in row.changed_data:
                    shown = row.fields["quantity"].to_python(
                        row.data.get(row.add_initial_prefix("quantity"))
                    )
                    delta = row.cleaned_data["quantity"] - shown
                    row.instance.quantity = services.stock_adjust(
                        item=row.instance, delta=delta, actor=request.user
                    ).quantity
        super().save_formset(request, form, formset, change)
