import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError


class IdField(forms.IntegerField):
    """An id as databases store it: a huge number is a bad value, not a crash."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(django_filters.NumberFilter):
    """Filter by a plain id; one outside the caller's units finds nothing, like
    one that does not exist."""

    field_class = IdField


class BoundedDateTimeField(forms.DateTimeField):
    """An ISO date-time between 1970 and 9000: wider values overflow databases."""

    input_formats = [*forms.DateTimeField.input_formats, "iso-8601"]

    def to_python(self, value):
        if value == "":
            # Given but empty (``?created_before=``): a bad value, not "any".
            raise forms.ValidationError(_("Give a date and time."))
        try:
            result = super().to_python(value)
        except OverflowError as exc:
            raise forms.ValidationError(
                _("Give a date between 1970 and 9000.")
            ) from exc
        if result is not None and not (1970 <= result.year <= 9000):
            raise forms.ValidationError(_("Give a date between 1970 and 9000."))
        return result


# The schema states the bounds: an ISO date-time of a year 1970–9000.
@extend_schema_field(
    {
        "type": "string",
        "format": "date-time",
        "pattern": r"^(19[7-9]\d|[2-8]\d{3}|9000)-",
    }
)
class BoundedDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedDateTimeField


class StrictBooleanField(forms.Field):
    """``true``/``false`` (or 1/0): anything else is a bad value, where
    django-filter's own boolean quietly ignores it."""

    TRUE = ("true", "1", "yes")
    FALSE = ("false", "0", "no")

    def to_python(self, value):
        if value is None:
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Give true or false."))


@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


def refuse_blank_filters(params, filters) -> None:
    """Answer 400 for a number, date, yes/no or choice filter given with no
    value (``?status=``): django-filter would read it as "no filter", which
    the schema (an integer, a date, an enum) does not allow. A free-text
    filter may be empty, as its schema (a string) allows: then it filters
    nothing."""
    blank = [
        name
        for name, field in filters.items()
        if params.get(name) == "" and type(field) is not django_filters.CharFilter
    ]
    if blank:
        raise ValidationError(
            {name: [_("This field may not be blank.")] for name in blank}
        )


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing blank filter values."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            refuse_blank_filters(request.query_params, filterset_class.base_filters)
        return super().filter_queryset(request, queryset, view)
