"""Rendering of one form field on the resident pages (``core/_field.html``).

The widget names its error (``aria-describedby``), says it is invalid
(``aria-invalid``), and the first field with an error of the form gets
``autofocus``, so the focus lands on it even without JavaScript.
"""

from django import forms, template

register = template.Library()


def _first_error_name(form) -> str | None:
    for bound in form.visible_fields():
        if bound.errors:
            return bound.name
    return None


@register.simple_tag
def field_widget(field):
    """Return ``field``'s widget with its error and required state described."""
    attrs = {}
    described_by = [f"{field.auto_id}_hint"] if field.help_text else []
    if field.errors:
        attrs["aria-invalid"] = "true"
        described_by.append(f"{field.auto_id}_error")
        if _first_error_name(field.form) == field.name:
            attrs["autofocus"] = True
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.filter
def widget_kind(field) -> str:
    """``choices`` (radio buttons, checkboxes), ``check`` (one box) or ``input``."""
    widget = field.field.widget
    if isinstance(widget, forms.widgets.ChoiceWidget) and widget.input_type in (
        "radio",
        "checkbox",
    ):
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "check"
    return "input"
