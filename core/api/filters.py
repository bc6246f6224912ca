import django_filters
from django import forms


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
