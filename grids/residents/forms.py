from django import forms
from django.utils.translation import gettext_lazy as _

from core.phones import normalize_mobile, validate_mobile
from core.widgets import PhoneInput


class PhoneCodeRequestForm(forms.Form):
    phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=20,
        widget=PhoneInput(),
    )

    def clean_phone(self):
        value = normalize_mobile(self.cleaned_data["phone"])
        validate_mobile(value)
        return value


class PhoneCodeVerifyForm(PhoneCodeRequestForm):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )
