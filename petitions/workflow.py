"""The lifecycle of a case, in one table (``core.lifecycle``).

Each step names the states it may start from, the state it leads to, who takes
it and what it needs. ``petitions.services.petition_transition`` applies it;
anything not in the table is refused with a clear error and changes nothing.
"""

import datetime

from django.utils.translation import gettext_lazy as _

from core.lifecycle import (
    RESIDENT,
    STAFF,
    SYSTEM,
    Lifecycle,
    Step,
    TransitionNotAllowed,
)

from .models import Petition, PetitionEvent

S = Petition.Status

WORKING = (S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS)
#: Every step takes a note for the timeline; some cannot do without one.
NOTE = ("note",)

STEPS = [
    Step("accept", _("accept"), (S.SUBMITTED,), S.ACCEPTED, takes=NOTE),
    Step(
        "dispatch",
        _("dispatch to a handler"),
        (S.SUBMITTED, *WORKING),
        S.DISPATCHED,
        needs=("handler",),
        takes=NOTE,
    ),
    Step("start", _("start work"), (S.DISPATCHED,), S.IN_PROGRESS, takes=NOTE),
    Step(
        "resolve",
        _("resolve"),
        WORKING,
        S.AWAITING_RESIDENT,
        needs=NOTE,
        takes=("photos",),
    ),
    Step("reject", _("reject"), (S.SUBMITTED, S.ACCEPTED), S.REJECTED, needs=NOTE),
    Step(
        "refer",
        _("refer to a department"),
        WORKING,
        S.REFERRED,
        needs=("department",),
        takes=NOTE,
    ),
    Step(
        "answer",
        _("record the department's answer"),
        (S.REFERRED,),
        S.AWAITING_RESIDENT,
        needs=NOTE,
    ),
    Step("hold", _("put on hold"), (S.SUBMITTED, *WORKING), S.ON_HOLD, needs=NOTE),
    Step("resume", _("resume"), (S.ON_HOLD,), None, takes=NOTE),
    Step(
        "merge",
        _("merge into another case"),
        (S.SUBMITTED, *WORKING, S.ON_HOLD),
        S.MERGED,
        needs=("merge_into",),
        takes=NOTE,
    ),
    Step(
        "confirm",
        _("confirm it is fixed"),
        (S.AWAITING_RESIDENT,),
        S.CLOSED,
        who=RESIDENT,
        needs=("rating",),
        takes=NOTE,
    ),
    Step(
        "reopen",
        _("reopen: not fixed"),
        (S.AWAITING_RESIDENT,),
        None,
        who=RESIDENT,
        needs=NOTE,
        takes=("photos",),
    ),
    Step(
        "auto_close",
        _("close without an answer"),
        (S.AWAITING_RESIDENT,),
        S.CLOSED,
        who=SYSTEM,
        takes=NOTE,
    ),
]

#: The step offered first in each state: the one that moves the case on.
DEFAULT_STEP = {
    S.SUBMITTED: "accept",
    S.ACCEPTED: "dispatch",
    S.DISPATCHED: "start",
    S.IN_PROGRESS: "resolve",
    S.REFERRED: "answer",
    S.ON_HOLD: "resume",
}
#: Labels of timeline rows that are not steps of the table.
EVENT_LABELS = {
    "submit": _("submit"),
    "escalate": _("escalate"),
    "note": _("note"),
    "verify": _("verify the phone"),
}


def _routed(action: str, *, has_handler: bool, was_accepted: bool) -> str:
    if action == "reopen" or has_handler:
        return S.DISPATCHED if has_handler else S.ACCEPTED
    # resume without a handler: back to where it was held.
    return S.ACCEPTED if was_accepted else S.SUBMITTED


def _route(petition: Petition, step: Step) -> str:
    return _routed(
        step.action,
        has_handler=bool(petition.handler_id),
        was_accepted=petition.accepted_at is not None,
    )


LIFECYCLE = Lifecycle(
    model=Petition,
    steps=STEPS,
    event_model=PetitionEvent,
    event_owner="petition",
    version_field="version",
    route=_route,
    notify_task="petitions.notify_transition",
    noun=_("case"),
    messages={
        "note": _("Write a note for this step."),
        "handler": _("Choose who handles the case."),
        "department": _("Choose the department."),
        "merge_into": _("Choose another case to merge into."),
        "rating": _("Choose how satisfied you are."),
    },
)
TRANSITIONS: dict[str, Step] = LIFECYCLE.table
STAFF_ACTIONS = [a for a, s in TRANSITIONS.items() if s.who == STAFF]

__all__ = [
    "DEFAULT_STEP",
    "LIFECYCLE",
    "STAFF_ACTIONS",
    "TRANSITIONS",
    "TransitionNotAllowed",
    "allowed_actions",
    "event_label",
    "overdue_level",
    "status_after",
    "transition_for",
]


def transition_for(action: str, status: str) -> Step:
    """Return the step ``action`` from ``status`` or raise a clear error."""
    return LIFECYCLE.step(action, status)


def allowed_actions(status: str, *, who: str = STAFF) -> list[Step]:
    """Return the steps ``who`` may take from ``status``."""
    return LIFECYCLE.allowed(status, who=who)


def event_label(action: str) -> str:
    """The timeline's words for a row's action (a step or an other entry)."""
    if action in TRANSITIONS:
        return str(TRANSITIONS[action].label)
    return str(EVENT_LABELS.get(action, action))


def status_after(
    action: str, status: str, *, has_handler: bool, was_accepted: bool
) -> str:
    """Return the state a case in ``status`` reaches by ``action``.

    Most actions lead to one fixed state; reopening goes back to whoever had it
    (the handler, else acceptance), and resuming returns to where it was held.
    The services and anything that replays a case's history use this one rule.
    """
    step = transition_for(action, status)
    if step.target is not None:
        return step.target
    return _routed(action, has_handler=has_handler, was_accepted=was_accepted)


def overdue_level(
    *, now: datetime.datetime, due: datetime.datetime, window_hours: int
) -> int:
    """Return the level an overdue case belongs at: one level up per missed
    window after ``due`` (grid → community → subdistrict), at most subdistrict.
    A case not yet due returns the grid level (0)."""
    if now <= due:
        return Petition.Level.GRID
    periods = 1 + int((now - due) / datetime.timedelta(hours=window_hours))
    return min(Petition.Level.SUBDISTRICT, periods)
