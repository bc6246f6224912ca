import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _


class IdField(forms.IntegerField):
    """An id as databases store it: a huge number is a bad value, not a crash."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """Filter by a plain id; one outside the caller's units finds nothing, like
    one that does not exist."""

    field_class = IdField


class BoundedDateTimeField(forms.DateTimeField):
    """An ISO date-time between 1970 and 9000: wider values overflow databases."""

    input_formats = [*forms.DateTimeField.input_formats, "iso-8601"]

    def to_python(self, value):
        try:
            result = super().to_python(value)
        except OverflowError as exc:
            raise forms.ValidationError(
                _("Give a date between 1970 and 9000.")
            ) from exc
        if result is not None and not (1970 <= result.year <= 9000):
            raise forms.ValidationError(_("Give a date between 1970 and 9000."))
        return result


class BoundedDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedDateTimeField
