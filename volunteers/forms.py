from django import forms
from django.utils.translation import gettext_lazy as _

from core.phones import normalize_mobile, validate_mobile
from core.widgets import PhoneInput


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Your mobile number"), max_length=20, widget=PhoneInput()
    )

    def clean_phone(self):
        value = normalize_mobile(self.cleaned_data["phone"])
        validate_mobile(value)
        return value


class SignUpForm(PhoneForm):
    name = forms.CharField(label=_("Your name"), max_length=50)


class WishForm(forms.Form):
    title = forms.CharField(label=_("Your wish in one line"), max_length=100)
    text = forms.CharField(
        label=_("Details"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    wisher_name = forms.CharField(label=_("Your name"), max_length=50)
    beneficiary_kind = forms.ChoiceField(
        label=_("For"),
        choices=[
            ("elderly", _("elderly")),
            ("child", _("child")),
            ("other", _("other")),
        ],
    )


class RegistrationForm(PhoneForm):
    field_order = [
        "name",
        "phone",
        "work_unit",
        "work_unit_party_org",
        "building",
        "unit",
        "room",
    ]
    name = forms.CharField(label=_("full name"), max_length=50)
    work_unit = forms.CharField(label=_("work unit"), max_length=100)
    work_unit_party_org = forms.CharField(
        label=_("party organisation at work"), max_length=100
    )
    building = forms.TypedChoiceField(label=_("Building"), coerce=int)
    unit = forms.CharField(label=_("unit"), max_length=20)
    room = forms.CharField(label=_("room"), max_length=20)

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [
            (b.pk, f"{b.compound.name} {b.number}") for b in buildings
        ]
