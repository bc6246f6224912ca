from django import forms
from django.utils.translation import gettext_lazy as _

from core.phones import normalize_mobile, validate_mobile
from core.widgets import PhoneInput
from grids.models import Household

from .models import OwnerVote


class _PhoneMixin:
    def clean_phone(self):
        value = normalize_mobile(self.cleaned_data.get("phone", ""))
        if value:
            validate_mobile(value)
        return value


class SignInForm(forms.Form):
    # The phone is the one the device proved: each person counts once.
    name = forms.CharField(label=_("Your name"), max_length=50)


class ProposalForm(_PhoneMixin, forms.Form):
    title = forms.CharField(label=_("Your proposal in one line"), max_length=100)
    text = forms.CharField(
        label=_("Details"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Your mobile number"), max_length=20, widget=PhoneInput()
    )


class EVoteForm(forms.Form):
    # The household is checked against the verified phone by the service.
    household = forms.ModelChoiceField(
        queryset=Household.objects.all(), widget=forms.HiddenInput
    )
    choice = forms.ChoiceField(
        label=_("Your household's vote"),
        choices=OwnerVote.Choice.choices,
        widget=forms.RadioSelect,
    )
