"""One kit for every record that moves through states.

A lifecycle is a declared table of steps. Each step names the action, the
states it may start from, the state it leads to, who may take it (staff, the
resident, a volunteer, the system), what it needs and takes as input, and the
follow-up work it enqueues. ``Lifecycle.apply`` is the one way a record of such
a table changes state: under a row lock, against the expected version when one
is given, with one event row written and the follow-up work put in the outbox,
all in the caller's transaction. A step that is not in the table is refused
with a clear error and changes nothing.

Cases, major matters, meetings, micro-wishes, sign-ups and 双报到 registrations
each declare their table beside their model (``<app>/workflow.py``).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .errors import ApplicationError
from .outbox import outbox_enqueue

#: Who takes a step: staff in the admin or workbench, the resident on their
#: phone, a volunteer, or the system (a scheduled task).
STAFF, RESIDENT, VOLUNTEER, SYSTEM = "staff", "resident", "volunteer", "system"


class Conflict(ApplicationError):
    """The record changed under the caller: another took the step first."""

    status_code = 409


class TransitionNotAllowed(Conflict):
    """The step is not open from the record's state."""


@dataclass(frozen=True)
class Step:
    """One row of a lifecycle table."""

    action: str
    label: str | Promise
    sources: tuple[str, ...]
    #: The state it leads to; None when ``Lifecycle.route`` decides (reopen,
    #: resume, an owners' vote), or the same state for a step that only records.
    target: str | None
    who: str = STAFF
    #: Inputs the step cannot do without (a note, a handler, a rating …).
    needs: tuple[str, ...] = ()
    #: Inputs it may take besides (photos, a public flag …).
    takes: tuple[str, ...] = ()
    #: Outbox tasks to enqueue after it, besides the lifecycle's own.
    effects: tuple[str, ...] = ()

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.needs + self.takes


@dataclass
class Lifecycle:
    """A model's table of steps and how to record them.

    ``event_model`` is a concrete ``core.models.StateEvent`` whose foreign key
    to the record is ``event_owner``. ``route(record, step)`` returns the target
    of steps declared with ``target=None``. ``notify_task`` is enqueued after
    every step with the record's id (as ``<owner>_id``), the action and the new
    version. ``messages`` gives the error text for a missing input.
    """

    model: type[models.Model]
    steps: Iterable[Step]
    event_model: type[models.Model]
    event_owner: str
    state_field: str = "status"
    version_field: str | None = None
    route: Callable[[Any, Step], str] | None = None
    notify_task: str | None = None
    messages: dict[str, str | Promise] = field(default_factory=dict)
    #: What the record is called in messages ("case", "wish" …).
    noun: str | Promise = ""

    def __post_init__(self):
        self.table: dict[str, Step] = {step.action: step for step in self.steps}

    # --- reading the table ----------------------------------------------------------

    def state_label(self, state: str) -> str:
        choices = dict(self.model._meta.get_field(self.state_field).choices)
        return str(choices.get(state, state))

    def step(self, action: str, state: str) -> Step:
        """Return the step ``action`` from ``state`` or raise a clear error."""
        step = self.table.get(action)
        if step is None:
            raise ApplicationError(
                _("Unknown action “%(action)s”.") % {"action": str(action)[:30]},
                code="unknown_action",
            )
        if state not in step.sources:
            raise TransitionNotAllowed(
                _("A %(noun)s that is “%(status)s” cannot be given “%(action)s”.")
                % {
                    "noun": self.noun or self.model._meta.verbose_name,
                    "status": self.state_label(state),
                    "action": step.label,
                },
                code="transition_not_allowed",
                extra={"status": state, "action": action},
            )
        return step

    def allowed(self, state: str, *, who: str = STAFF) -> list[Step]:
        """Return the steps ``who`` may take from ``state``, in table order."""
        return [s for s in self.table.values() if state in s.sources and s.who == who]

    def label(self, action: str) -> str:
        step = self.table.get(action)
        return str(step.label) if step else action

    # --- taking a step ----------------------------------------------------------------

    def check_inputs(self, step: Step, inputs: dict) -> None:
        """Refuse a missing required input or an input the step does not take."""
        errors = {}
        for name in step.needs:
            if inputs.get(name) in (None, "", [], ()):
                errors[name] = self.messages.get(name) or _(
                    "This step needs this field."
                )
        for name, value in inputs.items():
            if value not in (None, "", [], ()) and name not in step.inputs:
                errors[name] = _("This step does not take this field.")
        if errors:
            raise ValidationError(errors)

    def lock(self, record) -> Any:
        return self.model._default_manager.select_for_update().get(pk=record.pk)

    @transaction.atomic
    def apply(
        self,
        record,
        action: str,
        *,
        actor=None,
        actor_label: str = "",
        who: str | None = None,
        expected_version: int | None = None,
        note: str | Callable[[Any], str] = "",
        is_public: bool = True,
        inputs: dict | None = None,
        may: Callable[[Any, Any], bool] | None = None,
        change: Callable[[Any, Step], None] | None = None,
    ):
        """Take step ``action`` on ``record`` and return the changed record.

        Under a row lock: check the version, the table, who may (``may(actor,
        locked)`` for staff steps), the inputs; then ``change(locked, step)``
        sets the step's own fields, the state moves, the version goes up, one
        event row is written (``note`` may be a function of the changed
        record) and the follow-up work is enqueued.
        """
        locked = self.lock(record)
        self._check_version(locked, expected_version)
        before = getattr(locked, self.state_field)
        step = self.step(action, before)
        if who is not None and step.who != who:
            raise TransitionNotAllowed(
                _("“%(action)s” is not yours to take.") % {"action": step.label},
                code="transition_not_allowed",
            )
        if step.who == STAFF and may is not None and not may(actor, locked):
            raise PermissionDenied(
                _("You may not act on this %(noun)s.")
                % {"noun": self.noun or self.model._meta.verbose_name}
            )
        self.check_inputs(step, inputs or {})
        if change is not None:
            change(locked, step)
        target = step.target if step.target is not None else self.route(locked, step)
        setattr(locked, self.state_field, target)
        self._save(locked)
        self.record_event(
            locked,
            action=action,
            before=before,
            actor=actor,
            actor_label=actor_label,
            note=note(locked) if callable(note) else note,
            is_public=is_public,
        )
        self.enqueue(locked, step)
        return locked

    def _check_version(self, locked, expected_version) -> None:
        if expected_version is None or self.version_field is None:
            return
        current = getattr(locked, self.version_field)
        if current != int(expected_version):
            raise Conflict(
                _(
                    "Someone else changed %(noun)s %(record)s just now; reload it "
                    "and try again."
                )
                % {
                    "noun": self.noun or self.model._meta.verbose_name,
                    "record": locked,
                },
                code="conflict",
                extra={"version": current},
            )

    def _save(self, locked) -> None:
        if self.version_field:
            setattr(locked, self.version_field, F(self.version_field) + 1)
        locked.save()
        if self.version_field:
            locked.refresh_from_db(fields=[self.version_field])

    def record_event(
        self,
        record,
        *,
        action: str,
        before: str,
        actor=None,
        actor_label: str = "",
        note: str = "",
        is_public: bool = True,
    ):
        """Write one row of the record's timeline (also for steps outside the
        table, such as a submission or a note)."""
        person = actor if getattr(actor, "pk", None) else None
        return self.event_model.objects.create(
            **{self.event_owner: record},
            action=action,
            from_status=before,
            to_status=getattr(record, self.state_field),
            actor=person,
            actor_label=(actor_label or (str(person) if person else ""))[:50],
            note=note,
            is_public=is_public,
        )

    def enqueue(self, record, step: Step) -> None:
        kwargs = {f"{self.event_owner}_id": record.pk, "action": step.action}
        if self.version_field:
            kwargs["version"] = getattr(record, self.version_field)
        for task in ((self.notify_task,) if self.notify_task else ()) + step.effects:
            outbox_enqueue(task, **kwargs)
