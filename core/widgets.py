"""Widgets shared by the resident forms."""

from django import forms


class PhoneInput(forms.TextInput):
    """A mobile number: the phone's number keypad and its saved number.

    ``type=tel`` with ``inputmode=numeric`` opens the digits-only keypad on
    every phone (``inputmode=tel`` shows * and # too), and ``autocomplete=tel``
    offers the phone's own number.
    """

    input_type = "tel"

    def __init__(self, attrs=None):
        defaults = {"inputmode": "numeric", "autocomplete": "tel"}
        super().__init__({**defaults, **(attrs or {})})
