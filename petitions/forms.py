"""Forms of the resident pages and of the staff's case actions."""

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.admin_steps import StepForm
from core.phones import normalize_mobile, validate_mobile
from core.widgets import PhoneInput

from .models import (
    DESCRIPTION_MAX,
    Category,
    CategoryQuestion,
    Department,
    Petition,
    ReplyTemplate,
)
from .selectors import petition_list
from .workflow import DEFAULT_STEP, LIFECYCLE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Up to ``PETITION_MAX_PHOTOS`` files; each is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > settings.PETITION_MAX_PHOTOS:
            raise forms.ValidationError(
                _("At most %(n)s photos.") % {"n": settings.PETITION_MAX_PHOTOS}
            )
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


class ReportForm(forms.Form):
    """A resident's report: what, where, photos, and how to reach them."""

    description = forms.CharField(
        label=_("What is the problem?"),
        help_text=_("Type it, or record a voice note below instead."),
        max_length=DESCRIPTION_MAX,
        required=False,  # a voice note may stand in for it (see clean)
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    voice_note = forms.FileField(
        label=_("Or say it: a voice note"),
        help_text=_("Record with your phone, up to %(minutes)s minutes.")
        % {"minutes": settings.PETITION_MAX_VOICE_SECONDS // 60},
        required=False,
        # ``capture`` opens the phone's own recorder; checked by the service.
        widget=forms.FileInput(attrs={"accept": "audio/*", "capture": True}),
    )
    photos = MultiplePhotoField(label=_("Photos (up to 3)"))
    building = forms.TypedChoiceField(label=_("Building"), coerce=int)
    place_detail = forms.CharField(
        label=_("Unit and room"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 1单元 301")}),
    )
    reporter_name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=20,
        required=False,
        widget=PhoneInput(),
    )
    is_anonymous = forms.BooleanField(label=_("Report anonymously"), required=False)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, category, buildings, fixed_building=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        self.fixed_building = fixed_building
        self.initial.setdefault("idempotency_key", uuid.uuid4())
        if fixed_building is not None:
            del self.fields["building"]
        else:
            groups: dict[str, list] = {}
            for building in buildings:
                groups.setdefault(building.compound.name, []).append(
                    (building.pk, building.number)
                )
            self.fields["building"].choices = [("", "—"), *groups.items()]
        phone = self.fields["reporter_phone"]
        if category.allows_anonymous:
            phone.help_text = _("Needed unless you report anonymously.")
        else:
            del self.fields["is_anonymous"]
            phone.required = True
            phone.error_messages["required"] = _(
                "Leave a mobile number so that we can tell you the result."
            )
        self.questions = list(category.questions.all())
        for question in self.questions:
            self.fields[f"q_{question.code}"] = _question_field(question)

    def clean_reporter_phone(self):
        value = normalize_mobile(self.cleaned_data["reporter_phone"])
        if value:
            validate_mobile(value)
        return value

    def clean(self):
        cleaned = super().clean()
        said = cleaned.get("voice_note") or "voice_note" in self.errors
        if not cleaned.get("description") and not said:
            self.add_error(
                "description", _("Describe the problem, or record a voice note.")
            )
        # One error per field: a number that is not valid says so, and only so.
        if "reporter_phone" in self.errors:
            return cleaned
        if not cleaned.get("is_anonymous") and not cleaned.get("reporter_phone"):
            self.add_error(
                "reporter_phone",
                _("Leave a mobile number so that we can tell you the result."),
            )
        return cleaned

    def answers(self) -> dict:
        out = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question.code}")
            if value not in (None, "", []):
                out[question.code] = (
                    value.isoformat() if hasattr(value, "isoformat") else value
                )
        return out


def _question_field(question: CategoryQuestion) -> forms.Field:
    common = {"label": question.label, "required": question.is_required}
    kind = question.kind
    if kind == CategoryQuestion.Kind.NUMBER:
        return forms.DecimalField(**common)
    if kind == CategoryQuestion.Kind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == CategoryQuestion.Kind.SINGLE:
        return forms.ChoiceField(
            choices=[(c, c) for c in question.choice_list],
            widget=forms.RadioSelect,
            **common,
        )
    if kind == CategoryQuestion.Kind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in question.choice_list],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    return forms.CharField(max_length=500, **common)


class ConfirmForm(forms.Form):
    """The resident says it is fixed and rates the work."""

    rating = forms.ChoiceField(
        label=_("How satisfied are you?"),
        choices=Petition.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are.")},
    )
    comment = forms.CharField(
        label=_("Anything to add?"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReopenForm(forms.Form):
    """The resident says it is not fixed."""

    note = forms.CharField(
        label=_("What is still wrong?"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Tell us what is still wrong.")},
    )


def _note_field(required: bool) -> forms.Field:
    return forms.CharField(
        label=_("Note"),
        max_length=DESCRIPTION_MAX,
        required=False,  # a reply template may stand in for it (see clean)
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PetitionStepForm(StepForm):
    """A staff member's next step on a case: only the steps the lifecycle
    allows now, and only the chosen step's fields."""

    def __init__(self, *args, petition, handlers, step=None, **kwargs):
        fields = {
            "note": _note_field,
            "handler": lambda required: forms.ModelChoiceField(
                label=_("Handler"), queryset=handlers, required=required
            ),
            "department": lambda required: forms.ModelChoiceField(
                label=_("Department"),
                queryset=Department.objects.all(),
                required=required,
            ),
            "merge_into": lambda required: forms.CharField(
                label=_("Merge into case number"), max_length=20, required=required
            ),
            "photos": lambda required: MultiplePhotoField(
                label=_("Photos of the fix"), required=required
            ),
        }
        super().__init__(
            *args,
            lifecycle=LIFECYCLE,
            record=petition,
            fields=fields,
            step=step,
            default_steps=DEFAULT_STEP,
            **kwargs,
        )
        if "note" in self.fields:
            self.note_required = "note" in self.step.needs
            self.fields["template"] = forms.ModelChoiceField(
                label=_("or use a reply template"),
                queryset=ReplyTemplate.objects.all(),
                required=False,
            )
            self.fields["is_public"] = forms.BooleanField(
                label=_("Show this note to the resident"), required=False, initial=True
            )

    def clean(self):
        cleaned = super().clean()
        template = cleaned.pop("template", None)
        if template and not cleaned.get("note"):
            cleaned["note"] = template.text
        if getattr(self, "note_required", False) and not cleaned.get("note"):
            self.add_error("note", _("Write a note for this step."))
        return cleaned

    def transition_inputs(self, user) -> dict:
        """The inputs for ``petition_transition``: a case number to merge
        into becomes that case, if ``user`` may see it."""
        inputs = self.inputs()
        number = (inputs.pop("merge_into", "") or "").strip()
        if number:
            inputs["merge_into"] = (
                petition_list(user=user).filter(number=number).first()
            )
        return inputs


class WorkbenchStepForm(PetitionStepForm):
    """The step form on the phone workbench: the handler is the user when
    the case may be given to them (``me``, one of the handlers), and photos
    come from the camera."""

    def __init__(self, *args, me=None, **kwargs):
        super().__init__(*args, **kwargs)
        handler = self.fields.get("handler")
        if handler is not None and me is not None:
            handler.initial = me.pk
        photos = self.fields.get("photos")
        if photos is not None:
            photos.widget.attrs.update({"accept": "image/*", "capture": "environment"})


class PetitionFileForm(forms.Form):
    """Staff file a report that came by phone, visit, meeting or chat group."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True)
    )
    channel = forms.ChoiceField(
        label=_("Came in by"),
        choices=[
            (c.value, c.label)
            for c in (
                Petition.Channel.PHONE,
                Petition.Channel.VISIT,
                Petition.Channel.MEETING,
                Petition.Channel.CHAT_GROUP,
            )
        ],
    )
    building = forms.ModelChoiceField(label=_("Building"), queryset=None)
    place_detail = forms.CharField(
        label=_("Unit and room"), max_length=100, required=False
    )
    description = forms.CharField(
        label=_("What is the problem?"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reporter_name = forms.CharField(
        label=_("Resident's name"), max_length=50, required=False
    )
    reporter_phone = forms.CharField(
        label=_("Resident's mobile number"), max_length=20, required=False
    )
    is_anonymous = forms.BooleanField(label=_("Report anonymously"), required=False)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.initial.setdefault("idempotency_key", uuid.uuid4())
