"""The admin's step form: the steps a record's lifecycle allows now, as buttons,
and the form of the chosen step with only that step's fields.

Each lifecycle step lists what it needs and takes (``core.lifecycle.Step``);
the admin says how to ask for each input (``fields``: name → a function that
returns a form field, given whether it is required). Choosing a step is a
link (``?step=<action>``), so the page works without JavaScript; without a
choice the record's natural next step is offered (``default_steps``).
"""

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext_lazy as _

from .lifecycle import STAFF, Lifecycle, Step

FieldFactory = Callable[[bool], forms.Field]


class StepForm(forms.Form):
    """The form of one step of ``lifecycle`` on ``record``."""

    action = forms.CharField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        lifecycle: Lifecycle,
        record,
        fields: dict[str, FieldFactory],
        step: str | None = None,
        default_steps: dict[str, str] | None = None,
        who: str = STAFF,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.lifecycle, self.record = lifecycle, record
        state = getattr(record, lifecycle.state_field)
        self.steps: list[Step] = lifecycle.allowed(state, who=who)
        names = [s.action for s in self.steps]
        wanted = self.data.get("action") if self.is_bound else step
        if wanted not in names:
            wanted = (default_steps or {}).get(state)
        if wanted not in names:
            wanted = names[0] if names else None
        self.step: Step | None = lifecycle.table.get(wanted) if wanted else None
        self.fields["action"].initial = wanted
        if lifecycle.version_field:
            self.fields["expected_version"] = forms.IntegerField(
                widget=forms.HiddenInput,
                initial=getattr(record, lifecycle.version_field),
            )
        for name in self.step.inputs if self.step else ():
            if name in fields:
                self.fields[name] = fields[name](name in self.step.needs)

    def clean_action(self):
        action = self.cleaned_data["action"]
        if self.step is None or action != self.step.action:
            raise forms.ValidationError(_("This step is not open now."))
        return action

    def choices(self, base_url: str) -> list[dict]:
        """The allowed steps as buttons: label, link and whether chosen."""
        return [
            {
                "action": s.action,
                "label": s.label,
                "url": f"{base_url}?step={s.action}",
                "chosen": self.step is not None and s.action == self.step.action,
            }
            for s in self.steps
        ]

    def inputs(self) -> dict:
        """The cleaned inputs of the step (without action and version)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("action", "expected_version")
        }
