"""Forms of the field workbench: patrols, findings, home visits, tags."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import extensions
from .models import PatrolFinding, Tag

TEXT_MAX = 1000


class CameraInput(forms.ClearableFileInput):
    """A photo input that opens the phone's camera."""

    def __init__(self, attrs=None):
        super().__init__(
            {"accept": "image/*", "capture": "environment", **(attrs or {})}
        )


class PatrolStartForm(forms.Form):
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=None, empty_label=None)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids


class FindingForm(forms.Form):
    """What a patrol found: where, what kind, a photo."""

    building = forms.ModelChoiceField(label=_("Building"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=PatrolFinding.Kind.choices)
    description = forms.CharField(
        label=_("What did you find?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(label=_("Photo"), required=False, widget=CameraInput)
    is_handled = forms.BooleanField(label=_("Handled on the spot"), required=False)

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings


class PatrolEndForm(forms.Form):
    note = forms.CharField(
        label=_("Summary of the round"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def follow_up_form(
    follow_up, source, data=None, memo=None, *, optional=False
) -> forms.Form:
    """The form of the inputs ``follow_up`` needs to make its record from
    ``source`` (a category for a case …); forms of one page share ``memo``.
    ``optional``: the form is one choice among others (the browser must not
    insist on its fields before it is chosen)."""
    form = forms.Form(data, prefix=follow_up.kind, use_required_attribute=not optional)
    form.fields.update(follow_up.fields(source, {} if memo is None else memo))
    return form


class VisitForm(forms.Form):
    """A home visit in one step: who was met, what was found, and any need,
    which may become a case or a wish at once."""

    visited_at = forms.DateTimeField(
        label=_("Visited at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    met = forms.CharField(label=_("Whom did you meet?"), max_length=100, required=False)
    findings = forms.CharField(
        label=_("What did you find?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    need = forms.CharField(
        label=_("A need to follow up (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    follow_up = forms.ChoiceField(
        label=_("Turn the need into"),
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.follow_ups = [
            f for f in extensions.follow_ups(extensions.VISIT) if f.may(user)
        ]
        self.fields["follow_up"].choices = [("", _("nothing more"))] + [
            (f.kind, f.label) for f in self.follow_ups
        ]
        self.initial.setdefault(
            "visited_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        )
        self.extra_forms = {
            f.kind: follow_up_form(f, None, self.data or None, optional=True)
            for f in self.follow_ups
        }

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("follow_up")
        if chosen and not cleaned.get("need"):
            self.add_error("need", _("Say what the need is."))
        if chosen and chosen in self.extra_forms:
            extra = self.extra_forms[chosen]
            if extra.is_valid():
                cleaned["follow_up_data"] = extra.cleaned_data
            else:
                for errors in extra.errors.values():
                    for error in errors:
                        self.add_error(None, error)
        return cleaned


class TagAddForm(forms.Form):
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=None)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = Tag.objects.filter(is_active=True).exclude(
            household_tags__household=household
        )
