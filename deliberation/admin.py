"""Staff admin of deliberation: bodies, meetings (agenda, sign-in, decisions,
minutes), action items and major matters. Every step goes through
``deliberation.services``; the forms here only collect what the step needs."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import calendar
from core.admin_steps import StepForm
from core.errors import ApplicationError
from core.rotating import rotating_qr_page
from deliberation.recurrence import ahead_until
from grids.admin_base import ReadOnlyInline, RelatedChoicesFilter, ScopedModelAdmin
from grids.models import Household
from grids.scoping import scope_queryset

from . import selectors, services
from .models import (
    ActionItem,
    ActionItemUpdate,
    AgendaTopic,
    Attendance,
    DeliberationBody,
    MajorMatter,
    MajorMatterEvent,
    Meeting,
    OwnerVote,
    Proposal,
)
from .views import sign_in_url
from .workflow import MAJOR_MATTER, MAJOR_MATTER_DEFAULT


def _report(request, exc) -> None:
    if isinstance(exc, ApplicationError):
        messages.error(request, exc.message)
    else:
        for message in exc.messages:
            messages.error(request, message)


@admin.register(DeliberationBody)
class DeliberationBodyAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.body_list)
    list_display = ("name", "kind", "community", "compound", "rule", "place")
    list_filter = ("kind", "rule", ("community", RelatedChoicesFilter))
    search_fields = ("name",)
    autocomplete_fields = ("members",)
    RULE_FIELDS = {"rule", "day_of_month", "nth", "weekday", "start_time"}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and self.RULE_FIELDS & set(form.changed_data):
            # A new rule: empty future meetings of the old one give way.
            services.body_reschedule(
                body=obj,
                until=ahead_until(calendar.today()),
            )


class _MeetingInline(ReadOnlyInline):
    view_permission = "deliberation.view_meeting"


class TopicInline(_MeetingInline):
    model = AgendaTopic
    fields = ("position", "title", "source", "petition", "decision", "decision_text")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("agenda topics")


class AttendanceInline(_MeetingInline):
    model = Attendance
    fields = ("name", "method", "signed_in_at")
    readonly_fields = fields


class MeetingStepForm(forms.Form):
    """One step on a meeting: add a topic, check someone in, decide a topic, or
    close the meeting."""

    STEPS = [
        ("topic", gettext_lazy("add a topic")),
        ("check_in", gettext_lazy("check someone in")),
        ("decide", gettext_lazy("record a decision")),
        ("action_item", gettext_lazy("add an action item")),
        ("close", gettext_lazy("close the meeting (needs minutes)")),
        ("cancel", gettext_lazy("cancel this meeting (give the reason)")),
    ]
    step = forms.ChoiceField(label=gettext_lazy("Step"), choices=STEPS)
    title = forms.CharField(
        label=gettext_lazy("Topic or action"), max_length=200, required=False
    )
    petition_number = forms.CharField(
        label=gettext_lazy("Case number (optional)"), max_length=20, required=False
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50, required=False)
    topic = forms.ModelChoiceField(
        label=gettext_lazy("Topic"), queryset=AgendaTopic.objects.none(), required=False
    )
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("", "—"), *AgendaTopic.Decision.choices],
        required=False,
    )
    text = forms.CharField(
        label=gettext_lazy("Decision in words / minutes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    votes_for = forms.IntegerField(
        label=gettext_lazy("for"), min_value=0, required=False
    )
    votes_against = forms.IntegerField(
        label=gettext_lazy("against"), min_value=0, required=False
    )
    votes_abstain = forms.IntegerField(
        label=gettext_lazy("abstained"), min_value=0, required=False
    )
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Owner"), queryset=None, required=False
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, meeting, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = meeting.topics.all()
        self.fields["owner"].queryset = people


class BoundedSplitDateTimeField(forms.SplitDateTimeField):
    """Admin date and time between 1970 and 9000: wider ones overflow."""

    def compress(self, data_list):
        try:
            value = super().compress(data_list)
        except OverflowError as exc:
            raise ValidationError(_("Give a date between 1970 and 9000.")) from exc
        if value is not None and not (1970 <= value.year <= 9000):
            raise ValidationError(_("Give a date between 1970 and 9000."))
        return value


@admin.register(Meeting)
class MeetingAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.meeting_list)
    list_display = (
        "body",
        "starts_at",
        "place",
        "status",
        "attendee_count",
        "topic_count",
    )
    list_filter = ("status", ("body", RelatedChoicesFilter))
    date_hierarchy = "starts_at"
    fields = (
        "body",
        "starts_at",
        "ends_at",
        "place",
        "minutes",
        "status",
        "series_date",
        "publish_until",
    )
    readonly_fields = ("status", "series_date", "publish_until")
    inlines = [TopicInline, AttendanceInline]
    change_form_template = "admin/deliberation/meeting/change_form.html"
    formfield_overrides = {
        models.DateTimeField: {
            "form_class": BoundedSplitDateTimeField,
            "widget": widgets.AdminSplitDateTime,
        }
    }

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                attendees=Count("attendance", distinct=True),
                topics_n=Count("topics", distinct=True),
            )
        )

    @admin.display(description=gettext_lazy("attendance"), ordering="attendees")
    def attendee_count(self, obj):
        return obj.attendees

    @admin.display(description=gettext_lazy("agenda topics"), ordering="topics_n")
    def topic_count(self, obj):
        return obj.topics_n

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """A new time is a move of the meeting (on its timeline), through the
        service; the place and the minutes are plain edits."""
        if change and {"starts_at", "ends_at"} & set(form.changed_data):
            services.meeting_move(
                meeting=obj,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
                actor=request.user,
            )
            Meeting.objects.filter(pk=obj.pk).update(
                place=obj.place, minutes=obj.minutes
            )
            return
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        # A closed or cancelled meeting is a record: nothing in it changes.
        if obj is not None and obj.status != Meeting.Status.PLANNED:
            return self.fields
        return (
            (*self.readonly_fields, "body") if obj is not None else self.readonly_fields
        )

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<int:meeting_id>/step/",
                self.admin_site.admin_view(self.step_view),
                name=f"{prefix}_step",
            ),
            path(
                "<int:meeting_id>/minutes/",
                self.admin_site.admin_view(self.minutes_view),
                name=f"{prefix}_minutes",
            ),
            path(
                "<int:meeting_id>/sign-in-qr/",
                self.admin_site.admin_view(self.sign_in_qr_view),
                name=f"{prefix}_sign_in_qr",
            ),
            *super().get_urls(),
        ]

    def _people(self, request):
        from grids.models import Person

        return scope_queryset(
            Person.objects.filter(household__isnull=True), request.user
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        meeting = self.get_object(request, object_id)
        if meeting is not None:
            extra_context["step_form"] = MeetingStepForm(
                meeting=meeting, people=self._people(request)
            )
            extra_context["step_url"] = reverse(
                "admin:deliberation_meeting_step", args=[meeting.pk]
            )
            extra_context["minutes_url"] = reverse(
                "admin:deliberation_meeting_minutes", args=[meeting.pk]
            )
            # The QR code in the room carries a code that changes every few
            # minutes: staff project this page rather than print the address.
            extra_context["sign_in_qr_url"] = reverse(
                "admin:deliberation_meeting_sign_in_qr", args=[meeting.pk]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def sign_in_qr_view(self, request, meeting_id):
        """The sign-in QR code to project in the room, changing with its code."""
        meeting = get_object_or_404(
            selectors.meeting_list(user=request.user), pk=meeting_id
        )
        return rotating_qr_page(
            request,
            title=str(meeting.body.name),
            subtitle=_("Sign in: %(when)s")
            % {
                "when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
            },
            path=sign_in_url(meeting),
        )

    def step_view(self, request, meeting_id):
        if request.method != "POST" or not request.user.has_perm(
            "deliberation.change_meeting"
        ):
            raise PermissionDenied
        meeting = get_object_or_404(
            selectors.meeting_list(user=request.user), pk=meeting_id
        )
        form = MeetingStepForm(
            request.POST, meeting=meeting, people=self._people(request)
        )
        back = reverse("admin:deliberation_meeting_change", args=[meeting.pk])
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(back)
        data = form.cleaned_data
        try:
            self._do_step(request, meeting, data)
        except (ValidationError, ApplicationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                raise
            _report(request, exc)
        else:
            messages.success(request, _("Done."))
        return redirect(back)

    def _do_step(self, request, meeting, data):
        steps = {
            "topic": self._add_topic,
            "check_in": self._check_in,
            "decide": self._decide,
            "action_item": self._add_action_item,
            "close": lambda user, meeting, data: services.meeting_close(
                meeting=meeting, actor=user, minutes=data["text"] or None
            ),
            "cancel": lambda user, meeting, data: services.meeting_cancel(
                meeting=meeting, actor=user, reason=data["text"]
            ),
        }
        if data["step"] not in steps:
            raise ValidationError(_("Unknown step."))
        steps[data["step"]](request.user, meeting, data)

    @staticmethod
    def _add_topic(user, meeting, data):
        from petitions.selectors import petition_list

        petition = None
        if data["petition_number"]:
            petition = (
                petition_list(user=user)
                .filter(number=data["petition_number"].strip())
                .first()
            )
            if petition is None:
                raise ValidationError(_("No such case in your units."))
        services.topic_add(
            meeting=meeting,
            title=data["title"] or (petition.category.name if petition else ""),
            actor=user,
            petition=petition,
        )

    @staticmethod
    def _check_in(user, meeting, data):
        services.attendance_sign_in(
            meeting=meeting, name=data["name"], method=Attendance.Method.STAFF
        )

    @staticmethod
    def _decide(user, meeting, data):
        if data["topic"] is None:
            raise ValidationError(_("Choose the topic."))
        services.topic_decide(
            topic=data["topic"],
            decision=data["decision"],
            decision_text=data["text"],
            actor=user,
            votes_for=data["votes_for"],
            votes_against=data["votes_against"],
            votes_abstain=data["votes_abstain"],
        )

    @staticmethod
    def _add_action_item(user, meeting, data):
        if data["topic"] is None or data["owner"] is None or data["due_date"] is None:
            raise ValidationError(_("Choose the topic, the owner and the due date."))
        services.action_item_add(
            topic=data["topic"],
            title=data["title"],
            owner=data["owner"],
            due_date=data["due_date"],
            actor=user,
        )

    def minutes_view(self, request, meeting_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        meeting = get_object_or_404(
            selectors.meeting_list(user=request.user).prefetch_related(
                "topics__action_items__owner", "attendance"
            ),
            pk=meeting_id,
        )
        return TemplateResponse(
            request,
            "deliberation/minutes.html",
            {"meeting": meeting, "title": str(meeting)},
        )


class ActionItemUpdateInline(ReadOnlyInline):
    model = ActionItemUpdate
    fields = ("created_at", "actor", "status", "progress", "note")
    readonly_fields = fields
    view_permission = "deliberation.view_actionitem"


class ActionItemForm(forms.ModelForm):
    note = forms.CharField(
        label=gettext_lazy("Progress note"), required=False, max_length=2000
    )

    class Meta:
        model = ActionItem
        fields = ("status", "progress")


@admin.register(ActionItem)
class ActionItemAdmin(ScopedModelAdmin):
    """Progress is recorded here (new items come from a meeting's page)."""

    list_selector = staticmethod(selectors.action_item_list)
    form = ActionItemForm
    list_display = ("title", "owner", "due_date", "status", "progress")
    list_filter = ("status",)
    readonly_fields = ("title", "owner", "due_date", "topic")
    fields = ("topic", "title", "owner", "due_date", "status", "progress", "note")
    inlines = [ActionItemUpdateInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.action_item_update(
            item=obj,
            status=form.cleaned_data["status"],
            progress=form.cleaned_data["progress"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )


@admin.register(Proposal)
class ProposalAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.proposal_list)
    list_display = ("title", "community", "support_count", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("title",)
    readonly_fields = ("support_count", "proposer_phone_masked")
    fields = (
        "community",
        "title",
        "text",
        "proposer_name",
        "proposer_phone_masked",
        "status",
        "support_count",
    )

    @admin.display(description=gettext_lazy("proposer's phone"))
    def proposer_phone_masked(self, obj):
        from core.phones import mask_mobile

        return mask_mobile(obj.proposer_phone)

    def has_add_permission(self, request):
        return False


class MajorMatterEventInline(ReadOnlyInline):
    model = MajorMatterEvent
    fields = ("created_at", "actor", "action_display", "from_display", "to_display")
    fields += ("note",)
    readonly_fields = fields
    view_permission = "deliberation.view_majormatter"
    verbose_name_plural = gettext_lazy("major-matter timeline")

    @admin.display(description=gettext_lazy("action"))
    def action_display(self, obj):
        return MAJOR_MATTER.label(obj.action) if obj.action != "raise" else _("raised")

    @admin.display(description=gettext_lazy("from"))
    def from_display(self, obj):
        return MAJOR_MATTER.state_label(obj.from_status) if obj.from_status else "—"

    @admin.display(description=gettext_lazy("to"))
    def to_display(self, obj):
        return MAJOR_MATTER.state_label(obj.to_status)


class OwnerVoteInline(ReadOnlyInline):
    view_permission = "deliberation.view_majormatter"
    model = OwnerVote
    fields = (
        "household",
        "choice",
        "floor_area",
        "channel",
        "recorded_by",
        "recorded_at",
    )
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("owners' votes")


def _text_field(required: bool) -> forms.Field:
    return forms.CharField(
        label=gettext_lazy("Opinion or note"),
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MajorMatterStepForm(StepForm):
    """The steps a matter's state allows now, each with only its fields."""

    def __init__(self, *args, matter, step=None, **kwargs):
        households = Household.objects.filter(
            unit__building__compound=matter.compound_id
        ).select_related("unit__building__compound")
        fields = {
            "note": _text_field,
            "household": lambda required: forms.ModelChoiceField(
                label=gettext_lazy("Household"), queryset=households, required=required
            ),
            "choice": lambda required: forms.ChoiceField(
                label=gettext_lazy("Vote"),
                choices=OwnerVote.Choice.choices,
                required=required,
            ),
            "opens_at": lambda required: BoundedSplitDateTimeField(
                label=gettext_lazy("E-voting opens at"),
                widget=widgets.AdminSplitDateTime,
                required=required,
            ),
            "closes_at": lambda required: BoundedSplitDateTimeField(
                label=gettext_lazy("E-voting closes at"),
                widget=widgets.AdminSplitDateTime,
                required=required,
            ),
        }
        super().__init__(
            *args,
            lifecycle=MAJOR_MATTER,
            record=matter,
            fields=fields,
            step=step,
            default_steps=MAJOR_MATTER_DEFAULT,
            **kwargs,
        )


@admin.register(MajorMatter)
class MajorMatterAdmin(ScopedModelAdmin):
    list_selector = staticmethod(selectors.major_matter_list)
    list_display = (
        "title",
        "kind",
        "compound",
        "status",
        "party_decided_at",
        "outcome_display",
    )
    list_filter = ("status", "kind", ("compound", RelatedChoicesFilter))
    search_fields = ("title",)
    # The state moves only through the steps below (party first, then owners).
    readonly_fields = (
        "status",
        "party_opinion",
        "party_decided_at",
        "outcome",
        "owners_decided_at",
        "voting_opens_at",
        "voting_closes_at",
        "tally_display",
    )
    inlines = [OwnerVoteInline, MajorMatterEventInline]
    change_form_template = "admin/deliberation/majormatter/change_form.html"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.major_matter_raise(matter=obj, actor=request.user)

    def get_readonly_fields(self, request, obj=None):
        # Once the party organisation has passed it, what was passed is fixed:
        # changing the kind would change the threshold the owners vote under.
        if obj is not None and obj.status not in (
            MajorMatter.Status.RAISED,
            MajorMatter.Status.SENT_BACK,
        ):
            return (
                "compound",
                "kind",
                "title",
                "description",
                "party_org",
                *self.readonly_fields,
            )
        return self.readonly_fields

    @admin.display(description=gettext_lazy("votes so far (Article 278)"))
    def tally_display(self, obj):
        """The live count, paper and online together, as residents see it."""
        if obj is None or obj.pk is None:
            return "—"
        tally = selectors.major_matter_tally(matter=obj)
        failed = "；".join(message for _code, message in tally["failed"])
        return format_html(
            "{}<br>{}",
            _(
                "%(voted)s of %(total)s households voted (%(online)s online, "
                "%(paper)s on paper); agree %(agree)s, disagree %(disagree)s, "
                "abstain %(abstain)s; floor area agreed %(agree_area)s of "
                "%(voted_area)s m² voted, of %(total_area)s m²."
            )
            % {
                "voted": tally["voted_owners"],
                "total": tally["total_owners"],
                "online": tally["online_owners"],
                "paper": tally["paper_owners"],
                "agree": tally["agree_owners"],
                "disagree": tally["disagree_owners"],
                "abstain": tally["abstain_owners"],
                "agree_area": tally["agree_area"],
                "voted_area": tally["voted_area"],
                "total_area": tally["total_area"],
            },
            _("As it stands: passes.") if tally["passed"] else failed,
        )

    @admin.display(description=gettext_lazy("vote outcome"))
    def outcome_display(self, obj):
        if not obj.outcome:
            return "—"
        failed = "；".join(message for _code, message in obj.outcome.get("failed", []))
        return format_html(
            "{} {}",
            _("passed") if obj.outcome.get("passed") else _("not passed"),
            failed,
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<int:matter_id>/step/",
                self.admin_site.admin_view(self.step_view),
                name=f"{prefix}_step",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        matter = self.get_object(request, object_id)
        if matter is not None and request.user.has_perm(
            "deliberation.change_majormatter"
        ):
            form = MajorMatterStepForm(matter=matter, step=request.GET.get("step"))
            extra_context["step_form"] = form
            extra_context["step_choices"] = form.choices(request.path)
            extra_context["step_url"] = reverse(
                "admin:deliberation_majormatter_step", args=[matter.pk]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def step_view(self, request, matter_id):
        if request.method != "POST" or not request.user.has_perm(
            "deliberation.change_majormatter"
        ):
            raise PermissionDenied
        matter = get_object_or_404(
            selectors.major_matter_list(user=request.user), pk=matter_id
        )
        form = MajorMatterStepForm(request.POST, matter=matter)
        back = reverse("admin:deliberation_majormatter_change", args=[matter.pk])
        if not form.is_valid():
            _report(request, ValidationError(list(form.errors.values())))
            return redirect(back)
        try:
            self._do_step(request.user, matter, form.cleaned_data["action"], form)
        except (ValidationError, ApplicationError) as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Done."))
        return redirect(back)

    @staticmethod
    def _do_step(user, matter, action, form):
        data = form.inputs()
        note = data.get("note", "")
        if action in ("party_pass", "party_send_back"):
            services.major_matter_party_review(
                matter=matter, actor=user, passed=action == "party_pass", opinion=note
            )
        elif action == "record_vote":
            services.owner_vote_record(
                matter=matter,
                household=data["household"],
                choice=data["choice"],
                actor=user,
            )
        elif action == "open_voting":
            services.major_matter_voting_open(
                matter=matter,
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                actor=user,
            )
        elif action == "owners_decide":
            services.major_matter_decide(matter=matter, actor=user)
        elif action == "publicise":
            services.major_matter_publicise(matter=matter, actor=user, note=note)
        else:
            services.major_matter_implement(matter=matter, actor=user, note=note)


# Disclosure (公示) is managed from its own module.
from .disclosures import admin as disclosures_admin  # noqa: E402, F401
