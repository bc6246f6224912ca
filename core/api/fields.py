from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false``; DRF's own also takes 0, 1, "yes", "off"…,
    which the schema (type boolean) does not promise."""

    default_error_messages = {"invalid": _("Give true or false.")}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


class _StrictText:
    """Text only: DRF's text fields turn numbers and booleans into text, which
    the schema (type string) does not promise."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(_StrictText, serializers.CharField):
    pass


class StrictRegexField(_StrictText, serializers.RegexField):
    pass
